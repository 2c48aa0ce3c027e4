/**
 * The route groups `atelier serve` adds to the studio beyond its own (health, metrics, styles, renders, page):
 * each receives the Studio services (config, metrics registry, cache, pool, lifecycle). Composed here, by the
 * command, so the server knows nothing of its plugins and they depend on it, not the reverse.
 */
import type { StudioPlugin } from '../server/app.js';
import { memoryGuard } from '../guard/index.js';

export const STUDIO_PLUGINS: StudioPlugin[] = [memoryGuard];
