/**
 * cv::xphoto::oilPainting: each pixel takes the mean colour of the pixels of the most frequent quantised
 * luminance in the (2·size+1)² window around it (cut at the image edge). Integer arithmetic throughout, so the
 * result is exact. The window slides along each row: the column leaving is removed from the histogram and the
 * column entering is added.
 */
import type { StyleParams } from './registry.js';
import type { Step, Workspace } from './workspace.js';

const f = Math.fround;

/** OpenCV's 8-bit BGR2GRAY: (3735·B + 19235·G + 9798·R + 16384) >> 15. */
export function luminance(r: number, g: number, b: number): number {
  return (3735 * b + 19235 * g + 9798 * r + 16384) >> 15;
}

/** Half-to-even rounding of the non-negative rational s/c. */
function roundQuotient(s: number, c: number): number {
  const q = Math.floor(s / c);
  const twice = 2 * (s - q * c);
  return twice > c || (twice === c && (q & 1) === 1) ? q + 1 : q;
}

export interface OilOptions {
  /** The photo was grey (one channel): OpenCV truncates the mean instead of rounding it. */
  greyInput?: boolean;
}

export function oilSteps(ws: Workspace, width: number, height: number, p: StyleParams, opts: OilOptions = {}): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const q = ws.get('levels', 'u8', n);
  const out = ws.get('out', 'u8', n * 3);
  const radius = p.size;
  const inv = f(1 / p.dynRatio);
  const truncate = opts.greyInput === true;
  return [
    {
      axis: 'rows',
      run(y0, y1) {
        for (let i = y0 * width, o = i * 3; i < y1 * width; i++, o += 3) {
          const lum = luminance(rgb[o], rgb[o + 1], rgb[o + 2]);
          const v = Math.fround(lum * inv);
          // round half to even, as cvRound does
          const r = Math.round(v);
          q[i] = r - v === 0.5 && (r & 1) === 1 ? r - 1 : r > 255 ? 255 : r;
        }
      },
    },
    {
      axis: 'rows',
      run(y0, y1) {
        const count = new Int32Array(256);
        const sum = new Int32Array(256 * 3);
        const update = (x: number, top: number, bottom: number, sign: number) => {
          for (let yy = top, i = top * width + x; yy <= bottom; yy++, i += width) {
            const b = q[i];
            count[b] += sign;
            sum[b * 3] += sign * rgb[i * 3];
            sum[b * 3 + 1] += sign * rgb[i * 3 + 1];
            sum[b * 3 + 2] += sign * rgb[i * 3 + 2];
          }
        };
        for (let y = y0; y < y1; y++) {
          const top = Math.max(0, y - radius);
          const bottom = Math.min(height - 1, y + radius);
          count.fill(0);
          sum.fill(0);
          for (let x = 0; x <= Math.min(radius, width - 1); x++) update(x, top, bottom, 1);
          for (let x = 0; x < width; x++) {
            let mode = 0;
            for (let b = 1; b < 256; b++) if (count[b] > count[mode]) mode = b;
            const c = count[mode];
            const o = (y * width + x) * 3;
            for (let ch = 0; ch < 3; ch++) {
              const s = sum[mode * 3 + ch];
              out[o + ch] = truncate ? Math.floor(s / c) : roundQuotient(s, c);
            }
            if (x - radius >= 0) update(x - radius, top, bottom, -1);
            if (x + radius + 1 < width) update(x + radius + 1, top, bottom, 1);
          }
        }
      },
    },
  ];
}
