export * from './errors.js';
export * from './filters/index.js';
export * from './parallel/index.js';
