/**
 * Runs the studio: listen, and on shutdown() (the CLI calls it on SIGTERM/SIGINT) drain:
 *  1. stop taking work: /readyz answers 503 (so a load balancer sees it) and new renders get 503 NOT_READY
 *     with Retry-After, while other requests (artwork downloads) are still answered;
 *  2. wait for in-flight renders, up to the shutdown timeout, then abort whatever is left;
 *  3. close fastify (listener, connections, the pool) and resolve, so the caller can exit 0.
 */
import type { FastifyInstance } from 'fastify';
import { AtelierError } from '../errors.js';

export interface RunningServer {
  app: FastifyInstance;
  /** The address actually bound, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Starts the drain; resolves when the server and pool are closed. Safe to call more than once. */
  shutdown(reason?: string): Promise<void>;
}

export async function startServer(app: FastifyInstance): Promise<RunningServer> {
  const { config, renders, lifecycle } = app.studio;
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await app.close();
    const code = (e as { code?: string }).code;
    if (code === 'EADDRINUSE') throw new AtelierError('INVALID_ARGUMENT', `port ${config.port} on ${config.host} is already in use; choose another with --port or ATELIER_PORT`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new AtelierError('INVALID_ARGUMENT', `cannot listen on host ${config.host}: no such local address; use --host or ATELIER_HOST`);
    if (code === 'EACCES') throw new AtelierError('INVALID_ARGUMENT', `not allowed to listen on port ${config.port}; use a port above 1023`);
    throw e;
  }
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
    // fastify.close() stops the listener and waits for open sockets. Once no request is being answered, the
    // sockets left are idle or unused (some clients open a spare one), so they are cut rather than waited for.
    const sweep = setInterval(() => {
      if (lifecycle.activeRequests === 0) app.server.closeAllConnections();
    }, 50);
    const cut = setTimeout(() => app.server.closeAllConnections(), config.shutdownTimeoutMs);
    try {
      await app.close();
    } finally {
      clearInterval(sweep);
      clearTimeout(cut);
    }
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
