/**
 * The imaging layer: the only place sharp touches pixels.
 * probe() reads a header only and is cheap enough for a request handler, to refuse an upload (415, 413, 422)
 * before it takes a place in the render queue; decode() and encode() do the pixel work and belong on a worker
 * thread (src/pool), where render-job.ts calls them.
 */
export * from './formats.js';
export * from './limits.js';
export * from './probe.js';
export * from './decode.js';
export * from './encode.js';
