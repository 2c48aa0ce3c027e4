export { renderStylesParallel, splitRange, type ParallelOptions } from './render-parallel.js';
export { closeFilterThreads } from './thread-pool.js';
