export { buildApp, type BuildAppOptions, type StudioPlugin } from './app.js';
export { loadConfig, CONFIG_FIELDS, type ServerConfig } from './config.js';
export { startServer, type RunningServer } from './lifecycle.js';
export { createMetrics, type StudioMetrics } from './metrics.js';
export type { Studio } from './studio.js';
