import { AtelierError } from '../errors.js';

/** The one pixel container the filters work on: interleaved 8-bit samples, row-major, no padding. */
export interface PixelImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** 1 grey, 3 RGB, 4 RGBA. */
  channels: 1 | 3 | 4;
}

/** Refuses a PixelImage whose fields do not describe its data, naming what is wrong. */
export function checkImage(image: PixelImage): void {
  const fail = (what: string) => {
    throw new AtelierError('INVALID_ARGUMENT', `image ${what}`);
  };
  if (!(image?.data instanceof Uint8Array)) fail('data must be a Uint8Array');
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || width < 1) fail(`width must be a positive integer, got ${JSON.stringify(width)}`);
  if (!Number.isInteger(height) || height < 1) fail(`height must be a positive integer, got ${JSON.stringify(height)}`);
  if (channels !== 1 && channels !== 3 && channels !== 4) fail(`channels must be 1, 3 or 4, got ${JSON.stringify(channels)}`);
  if (data.length !== width * height * channels) fail(`data has ${data.length} bytes, ${width}×${height}×${channels} needs ${width * height * channels}`);
}
