/**
 * Runs the studio: listen, and on shutdown() (the CLI calls it on SIGTERM/SIGINT) drain — stop taking work (readyz 503, new
 * renders refused, no new connections), let in-flight requests finish within the shutdown timeout, abort what
 * is left, close the pool — and resolve so the caller can exit 0.
 */
import type { FastifyInstance } from 'fastify';

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  /** Starts the drain; resolves when the server and pool are closed. Safe to call more than once. */
  shutdown(reason?: string): Promise<void>;
  /** Resolves once shutdown has completed. */
  closed: Promise<void>;
}

export async function startServer(app: FastifyInstance): Promise<RunningServer> {
  const { config } = app.studio;
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${shownHost}:${port}`;

  let closing: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));

  function shutdown(reason = 'shutdown'): Promise<void> {
    if (closing) return closing;
    const { studio } = app;
    studio.lifecycle.draining = true;
    app.log.info({ reason, inFlight: studio.renders.inFlight, timeoutMs: config.shutdownTimeoutMs }, 'draining');
    const timer = setTimeout(() => {
      app.log.warn({ inFlight: studio.renders.inFlight }, 'shutdown timeout reached; aborting in-flight renders');
      studio.renders.abortAll();
      app.server.closeAllConnections();
    }, config.shutdownTimeoutMs);
    timer.unref();
    closing = app
      .close()
      .then(() => {
        clearTimeout(timer);
        app.log.info('closed');
      })
      .finally(resolveClosed);
    return closing;
  }

  return { app, url, shutdown, closed };
}
