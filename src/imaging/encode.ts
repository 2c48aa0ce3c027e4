/**
 * Encodes a PixelImage. PNG is lossless and stores exactly the given samples (grey as grey, RGBA with its
 * alpha); JPEG has no alpha, so an RGBA image is flattened onto white, as a viewer would show it on paper.
 */
import sharp from 'sharp';
import { AtelierError } from '../errors.js';
import type { PixelImage } from '../filters/image.js';
import { parseOutputFormat, type OutputFormat } from './formats.js';
import { validateInteger } from './limits.js';
import { fromSharpError } from './sharp-errors.js';

export function validatePixelImage(image: PixelImage, name = 'image'): void {
  const { data, width, height, channels } = image ?? ({} as PixelImage);
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new AtelierError('INVALID_ARGUMENT', `${name} width and height must be positive integers, got ${width}×${height}`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new AtelierError('INVALID_ARGUMENT', `${name}.channels must be 1, 3 or 4, got ${JSON.stringify(channels)}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels) {
    throw new AtelierError('INVALID_ARGUMENT', `${name}.data must be a Uint8Array of width×height×channels = ${width * height * channels} bytes`);
  }
}

export function validateQuality(quality: unknown, name = 'quality'): number | undefined {
  return quality === undefined ? undefined : validateInteger(quality, name, 1, 100);
}

/** `quality`: 1–100, for jpeg, webp and avif; ignored by png, which is lossless. Default: sharp's per format. */
export async function encode(image: PixelImage, format: OutputFormat, quality?: number): Promise<Buffer> {
  validatePixelImage(image);
  const q = quality === undefined ? {} : { quality: validateQuality(quality) };
  const { data, width, height, channels } = image;
  let pipeline = sharp(data, { raw: { width, height, channels } });
  // Without this, one raw channel is written as three equal ones.
  if (channels === 1) pipeline = pipeline.toColourspace('b-w');
  switch (parseOutputFormat(format)) {
    case 'png':
      pipeline = pipeline.png({ compressionLevel: 6, adaptiveFiltering: false, palette: false });
      break;
    case 'jpeg':
      if (channels === 4) pipeline = pipeline.flatten({ background: '#ffffff' });
      // Huffman tables optimised per image (sharp's default) make the encode ~2.4× slower for 1.2% smaller
      // artworks (`npm run bench:encode`: four 1024×768 seed artworks at q90, 31.9 → 13.4 ms, 835 → 846 KB).
      pipeline = pipeline.jpeg({ ...q, mozjpeg: false, optimiseCoding: false });
      break;
    case 'webp':
      pipeline = pipeline.webp(q);
      break;
    case 'avif':
      pipeline = pipeline.avif({ ...q, effort: 2 });
      break;
  }
  try {
    return await pipeline.toBuffer();
  } catch (e) {
    throw fromSharpError(e, 'encode');
  }
}
