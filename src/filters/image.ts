/** The one pixel container the filters work on: interleaved 8-bit samples, row-major, no padding. */
export interface PixelImage {
  data: Uint8Array;
  width: number;
  height: number;
  /** 1 grey, 3 RGB, 4 RGBA. */
  channels: 1 | 3 | 4;
}
