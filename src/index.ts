export * from './errors.js';
export * from './filters/index.js';
