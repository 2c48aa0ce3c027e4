/**
 * The studio's fastify app: one error handler for everything, request metrics, and each route group as its own
 * encapsulated plugin. Further plugins (e.g. the memory guard's /memory dashboard) are passed in `plugins` and
 * receive the same Studio services.
 */
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { ServerConfig } from './config.js';
import { installErrorHandler } from './error-handler.js';
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
  const app = Fastify({
    logger: { level: config.logLevel },
    // Renders can take a while; the per-request render limit is enforced by the render service.
    requestTimeout: 0,
    bodyLimit: config.maxUploadBytes,
    // Draining is the studio's own (lifecycle.ts): renders get the usual JSON 503 while artworks stay
    // downloadable; once fastify closes, idle keep-alive sockets are closed.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });
  const studio = createStudio(config, options);
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
  });

  await app.register(healthRoutes, { studio });
  await app.register(metricsRoutes, { studio });
  await app.register(stylesRoutes, { studio });
  await app.register(rendersRoutes, { studio });
  await app.register(webRoutes, { root: options.webRoot });
  for (const plugin of options.plugins ?? []) await app.register(plugin, { studio });
  return app;
}
