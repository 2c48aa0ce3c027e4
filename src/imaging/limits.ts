/** Decode limits shared by the CLI and the studio, with their validation. */
import { AtelierError } from '../errors.js';

/** 50 MP: a 12 MP phone photo passes with room to spare, a decompression bomb does not. */
export const DEFAULT_MAX_PIXELS = 50_000_000;
/** Longest side of the image the filters see (0 keeps the original size). */
export const DEFAULT_MAX_SIDE = 1024;
/** libvips' own ceiling for one side; a larger --max-side could never take effect. */
export const MAX_SIDE_LIMIT = 65_535;
/** sharp's default pixel ceiling (0x3FFF²); we never let a caller go above it. */
export const MAX_PIXELS_LIMIT = 268_402_689;

export interface DecodeLimits {
  /** width × height (of the stored image, before any resize) above which the input is refused. */
  maxPixels: number;
  /** Longest side after decoding; larger images are shrunk to fit, smaller ones are never enlarged. 0 = keep. */
  maxSide: number;
}

export function validateInteger(value: unknown, name: string, min: number, max: number): number {
  const v = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new AtelierError('INVALID_ARGUMENT', `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return v;
}

export function resolveLimits(given: Partial<DecodeLimits> = {}): DecodeLimits {
  return {
    maxPixels: given.maxPixels === undefined ? DEFAULT_MAX_PIXELS : validateInteger(given.maxPixels, 'maxPixels', 1, MAX_PIXELS_LIMIT),
    maxSide: given.maxSide === undefined ? DEFAULT_MAX_SIDE : validateInteger(given.maxSide, 'maxSide', 0, MAX_SIDE_LIMIT),
  };
}

export function formatMegapixels(pixels: number): string {
  return `${(pixels / 1e6).toFixed(1)} MP`;
}
