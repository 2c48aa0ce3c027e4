/**
 * Decodes an untrusted image into the filters' PixelImage: upright (EXIF orientation applied), 8-bit sRGB,
 * grey kept as one channel, alpha kept as a fourth, first frame of an animation, optionally shrunk so its
 * longest side fits. The header is checked first (probe), so a refused input never reaches the decoder.
 */
import sharp, { type OutputInfo } from 'sharp';
import { AtelierError } from '../errors.js';
import type { PixelImage } from '../filters/image.js';
import { resolveLimits, type DecodeLimits } from './limits.js';
import { probe, type ImageHeader, type ImageInput } from './probe.js';
import { fromSharpError } from './sharp-errors.js';

/** The pixels, and what the header said about the original (its format, stored size, frames). */
export interface DecodedImage extends PixelImage {
  header: ImageHeader;
}

export async function decode(input: ImageInput, limits: Partial<DecodeLimits> = {}): Promise<DecodedImage> {
  const { maxPixels, maxSide } = resolveLimits(limits);
  const header = await probe(input, { maxPixels });
  // failOn 'warning' is sharp's advice for untrusted input: a truncated or damaged image is refused (422)
  // rather than rendered with grey holes. limitInputPixels repeats the probe's limit inside libvips.
  let pipeline = sharp(input, { failOn: 'warning', limitInputPixels: maxPixels, autoOrient: true, page: 0, pages: 1 });
  if (maxSide > 0) pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', withoutEnlargement: true });
  // Grey+alpha has no PixelImage layout (2 channels), so it becomes RGBA; plain grey stays one channel.
  pipeline = header.grey && !header.hasAlpha ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
  let out: { data: Buffer; info: OutputInfo };
  try {
    out = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  } catch (e) {
    throw fromSharpError(e, 'decode');
  }
  const { width, height, channels } = out.info;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new AtelierError('UNSUPPORTED_MEDIA_TYPE', `images with ${channels} channels are not accepted`);
  }
  const data = new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  return { data, width, height, channels, header };
}
