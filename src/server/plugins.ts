/**
 * Route groups added to the studio beyond its own (health, metrics, styles, renders, page). `atelier serve`
 * registers every plugin listed here; each receives the Studio services (config, metrics registry, cache, pool,
 * lifecycle). The memory guard's /memory dashboard belongs here.
 */
import type { StudioPlugin } from './app.js';

export const STUDIO_PLUGINS: StudioPlugin[] = [];
