/** GET /api/styles: the style registry as JSON, which the web page builds its controls from. */
import type { FastifyInstance } from 'fastify';
import { SEED_STYLES, STYLES } from '../../filters/registry.js';
import { OUTPUT_FORMATS } from '../../imaging/formats.js';
import type { Studio } from '../studio.js';

export async function stylesRoutes(app: FastifyInstance, opts: { studio: Studio }): Promise<void> {
  const { config } = opts.studio;
  const body = {
    styles: STYLES.map((s) => ({ id: s.id, label: s.label, description: s.description, params: s.params.map((p) => ({ ...p })) })),
    defaults: { styles: [...SEED_STYLES], maxSide: config.defaultMaxSide, format: config.defaultFormat, quality: config.defaultQuality },
    limits: { maxSide: config.maxSideLimit, maxUploadBytes: config.maxUploadBytes, maxPixels: config.maxPixels },
    formats: [...OUTPUT_FORMATS],
  };
  app.get('/api/styles', async (_request, reply) => reply.header('cache-control', 'no-cache').send(body));
}
