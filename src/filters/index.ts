export type { PixelImage } from './image.js';
export * from './registry.js';
export * from './render.js';
