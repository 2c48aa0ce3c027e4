/**
 * Reads an image's header, never its pixels, and refuses what we will not decode: empty input, non-images,
 * formats we do not take (SVG, PDF…), and images with more pixels than the limit (decompression bombs).
 */
import sharp, { type Metadata } from 'sharp';
import { AtelierError } from '../errors.js';
import { ACCEPTED_INPUT_TEXT, isInputFormat, type InputFormat } from './formats.js';
import { DEFAULT_MAX_PIXELS, formatMegapixels } from './limits.js';
import { fromSharpError } from './sharp-errors.js';

export interface ImageHeader {
  format: InputFormat;
  /** As stored, before EXIF orientation. */
  width: number;
  height: number;
  /** After EXIF orientation: what the user sees. */
  orientedWidth: number;
  orientedHeight: number;
  channels: number;
  hasAlpha: boolean;
  /** Frames of an animated image (1 otherwise); only the first is rendered. */
  pages: number;
  /** Grey without colour channels (1 channel, or 2 with alpha). */
  grey: boolean;
}

export type ImageInput = Uint8Array | ArrayBuffer;

export function inputLength(input: ImageInput): number {
  return input.byteLength;
}

export async function probe(input: ImageInput, options: { maxPixels?: number } = {}): Promise<ImageHeader> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (inputLength(input) === 0) throw new AtelierError('EMPTY_INPUT', 'the image is empty (0 bytes)');
  let meta: Metadata;
  try {
    meta = await sharp(input, { failOn: 'warning', limitInputPixels: false }).metadata();
  } catch (e) {
    throw fromSharpError(e, 'probe');
  }
  const format = String(meta.format);
  if (!isInputFormat(format) || (format === 'heif' && meta.compression !== 'av1')) {
    const name = format === 'heif' ? `HEIF (${meta.compression ?? 'unknown'} compression)` : format.toUpperCase();
    throw new AtelierError('UNSUPPORTED_MEDIA_TYPE', `${name} images are not accepted; use ${ACCEPTED_INPUT_TEXT}`, { details: { format } });
  }
  const { width, height } = meta;
  if (!(width > 0 && height > 0)) throw new AtelierError('CORRUPT_IMAGE', 'truncated or corrupt image (no dimensions in its header)');
  if (width * height > maxPixels) {
    throw new AtelierError(
      'TOO_MANY_PIXELS',
      `the image is ${width}×${height} (${formatMegapixels(width * height)}), more than the limit of ${formatMegapixels(maxPixels)}`,
      { details: { width, height, maxPixels } },
    );
  }
  return {
    format,
    width,
    height,
    orientedWidth: meta.autoOrient?.width ?? width,
    orientedHeight: meta.autoOrient?.height ?? height,
    channels: meta.channels,
    hasAlpha: meta.hasAlpha,
    pages: meta.pages ?? 1,
    grey: meta.space === 'b-w' || meta.space === 'grey16',
  };
}
