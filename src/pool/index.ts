/** Rendering off the event loop: a bounded piscina pool of render workers. */
export * from './render-pool.js';
export type { RenderJob, RenderResult } from './render-job.js';
