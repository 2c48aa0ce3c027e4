/**
 * The studio's fastify app: one error handler for everything, request metrics, and each route group as its own
 * encapsulated plugin. Further plugins (e.g. the memory guard's /memory dashboard) are passed in `plugins` and
 * receive the same Studio services.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { pino } from 'pino';
import type { ServerConfig } from './config.js';
import { clientErrorHandler, installErrorHandler } from './error-handler.js';
import { createStudio, type Studio, type StudioDeps } from './studio.js';
import { healthRoutes } from './routes/health.js';
import { metricsRoutes } from './routes/metrics.js';
import { rendersRoutes } from './routes/renders.js';
import { stylesRoutes } from './routes/styles.js';
import { webRoutes } from './routes/web.js';

declare module 'fastify' {
  interface FastifyInstance {
    studio: Studio;
  }
}

export type StudioPlugin = FastifyPluginAsync<{ studio: Studio }>;

export interface BuildAppOptions extends StudioDeps {
  config: ServerConfig;
  /** Extra route groups, registered after the studio's own with `{studio}` as options. */
  plugins?: StudioPlugin[];
  /** Where the built web page lives (default: this package's dist/web). */
  webRoot?: string;
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config } = options;
  // One logger for fastify and the studio's services.
  const log: FastifyBaseLogger = pino({ level: config.logLevel });
  const studio = createStudio(config, { ...options, log });
  const app = Fastify({
    loggerInstance: log,
    // Node's requestTimeout covers receiving a request (headers and body), not answering it: the render's own
    // limit is the render service's. Node 20 never applies it while headersTimeout (default 60 s) is larger, so
    // that one is capped too; connections are checked often enough to cut a slow client near its limit.
    requestTimeout: config.uploadTimeoutMs,
    http: {
      headersTimeout: Math.min(60_000, config.uploadTimeoutMs),
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.round(config.uploadTimeoutMs / 10))),
    },
    clientErrorHandler: clientErrorHandler(config, studio.metrics),
    bodyLimit: config.maxUploadBytes,
    // Draining is the studio's own (lifecycle.ts): renders get the usual JSON 503 while artworks stay
    // downloadable; once fastify closes, idle keep-alive sockets are closed.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });
  app.decorate('studio', studio);
  installErrorHandler(app, config, studio.metrics);

  app.addHook('onRequest', async (_request, reply) => {
    const { lifecycle } = studio;
    lifecycle.activeRequests++;
    reply.raw.once('close', () => lifecycle.activeRequests--);
    void reply.header('x-content-type-options', 'nosniff');
    // While draining, clients are told not to reuse the connection.
    if (lifecycle.draining) void reply.header('connection', 'close');
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route };
    studio.metrics.requests.inc({ ...labels, status: String(reply.statusCode) });
    studio.metrics.requestDuration.observe(labels, reply.elapsedTime / 1000);
  });
  app.addHook('onClose', async () => {
    await studio.pool.close();
    studio.cache.close();
  });

  await app.register(healthRoutes, { studio });
  await app.register(metricsRoutes, { studio });
  await app.register(stylesRoutes, { studio });
  await app.register(rendersRoutes, { studio });
  await app.register(webRoutes, { root: options.webRoot });
  for (const plugin of options.plugins ?? []) await app.register(plugin, { studio });
  return app;
}
