/** GET /healthz (the process answers) and GET /readyz (it would take a new render now). */
import type { FastifyInstance } from 'fastify';
import type { Studio } from '../studio.js';

export async function healthRoutes(app: FastifyInstance, opts: { studio: Studio }): Promise<void> {
  const { studio } = opts;
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const pool = studio.poolStats();
    const { lifecycle } = studio;
    const reason = lifecycle.draining ? 'draining' : lifecycle.holds.size > 0 ? [...lifecycle.holds].join('; ') : studio.queueFull() ? 'queue full' : pool.warming ? 'warming up' : null;
    const body = { status: reason ? 'not ready' : 'ready', ...(reason ? { reason } : {}), queued: pool.queued, running: pool.running, capacity: pool.capacity };
    if (reason) void reply.code(503).header('retry-after', String(studio.config.retryAfterSeconds));
    return reply.send(body);
  });
}
