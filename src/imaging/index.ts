/** The imaging layer: the only place sharp touches pixels. */
export * from './formats.js';
export * from './limits.js';
export * from './probe.js';
export * from './decode.js';
export * from './encode.js';
