/** The web page at / and its assets, served from dist/web (built by scripts/build.mjs). */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { AtelierError } from '../../errors.js';

/** dist/web of this package, whether this module runs from src/ (tsx) or dist/ (built): both sit 3 levels down. */
export const WEB_ROOT = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

export async function webRoutes(app: FastifyInstance, opts: { root?: string }): Promise<void> {
  const root = opts.root ?? WEB_ROOT;
  if (!existsSync(root)) {
    app.get('/', async () => {
      throw new AtelierError('NOT_FOUND', `the web page is not built (no ${root}); run npm run build`);
    });
    return;
  }
  await app.register(fastifyStatic, { root, index: 'index.html', cacheControl: true, maxAge: '5m', wildcard: false });
}
