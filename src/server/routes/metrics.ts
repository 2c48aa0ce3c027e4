/** GET /metrics in Prometheus text format. */
import type { FastifyInstance } from 'fastify';
import type { Studio } from '../studio.js';

export async function metricsRoutes(app: FastifyInstance, opts: { studio: Studio }): Promise<void> {
  const { registry } = opts.studio.metrics;
  app.get('/metrics', async (_request, reply) => reply.type(registry.contentType).send(await opts.studio.metrics.scrape()));
}
