// Shared by the filter tests: decoding fixtures with sharp and comparing images channel by channel.
import sharp from 'sharp';
import { fileURLToPath } from 'node:url';
import type { PixelImage } from '../../src/filters/image.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export async function decode(path: string): Promise<PixelImage> {
  const { data, info } = await sharp(path).raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels as 1 | 3 | 4 };
}

/** A fixture photo as 8-bit RGB, as OpenCV's imread(IMREAD_COLOR) sees it (alpha dropped, grey expanded). */
export async function photoRgb(name: string): Promise<PixelImage> {
  const { data, info } = await sharp(`${FIXTURES}photos/${name}.png`).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
}

/** Share of channel values of `a` within `tol` of `b`; a one-channel image is compared with every channel of b. */
export function withinTolerance(a: PixelImage, b: PixelImage, tol: number): { share: number; maxDiff: number } {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`sizes differ: ${a.width}×${a.height} vs ${b.width}×${b.height}`);
  const n = a.width * a.height;
  const ch = Math.max(a.channels, b.channels);
  let ok = 0;
  let maxDiff = 0;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < ch; c++) {
      const va = a.data[i * a.channels + (a.channels === 1 ? 0 : c)];
      const vb = b.data[i * b.channels + (b.channels === 1 ? 0 : c)];
      const d = Math.abs(va - vb);
      if (d <= tol) ok++;
      if (d > maxDiff) maxDiff = d;
    }
  }
  return { share: ok / (n * ch), maxDiff };
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function image(width: number, height: number, channels: 1 | 3 | 4, fill: (x: number, y: number, c: number) => number): PixelImage {
  const data = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = fill(x, y, c);
  return { data, width, height, channels };
}
