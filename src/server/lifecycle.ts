/**
 * Runs the studio: listen, and on shutdown() (the CLI calls it on SIGTERM/SIGINT) drain:
 *  1. stop taking work: /readyz answers 503 and new renders get 503 NOT_READY with Retry-After, while the
 *     listener stays open so clients whose render is finishing can still fetch their artworks;
 *  2. wait for in-flight renders, up to the shutdown timeout, then abort whatever is left;
 *  3. close fastify (listener, connections, the pool) and resolve, so the caller can exit 0.
 */
import type { FastifyInstance } from 'fastify';

export interface RunningServer {
  app: FastifyInstance;
  /** The address actually bound, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Starts the drain; resolves when the server and pool are closed. Safe to call more than once. */
  shutdown(reason?: string): Promise<void>;
}

export async function startServer(app: FastifyInstance): Promise<RunningServer> {
  const { config, renders, lifecycle } = app.studio;
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  let closing: Promise<void> | undefined;
  async function drain(reason: string): Promise<void> {
    lifecycle.draining = true;
    app.log.info({ reason, inFlight: renders.inFlight, timeoutMs: config.shutdownTimeoutMs }, 'draining: new renders are refused');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), config.shutdownTimeoutMs)));
    const timedOutFirst = await Promise.race([renders.whenIdle().then(() => false), timedOut]);
    clearTimeout(timer);
    if (timedOutFirst) {
      app.log.warn({ inFlight: renders.inFlight }, 'shutdown timeout reached; aborting in-flight renders');
      renders.abortAll();
    }
    // Let the answers of the last renders go out, then close; connections still open after a further
    // timeout are cut.
    const cut = setTimeout(() => app.server.closeAllConnections(), Math.min(config.shutdownTimeoutMs, 5000) + 100);
    await app.close();
    clearTimeout(cut);
    app.log.info('closed');
  }
  return {
    app,
    url,
    shutdown(reason = 'shutdown') {
      closing ??= drain(reason);
      return closing;
    },
  };
}
