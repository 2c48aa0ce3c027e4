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

/**
 * The histogram of one window: per level, the pixel count and the sum of their colours. The three colour sums
 * are packed into one double (R + G·F + B·F², exact while every sum is below F) when the window is small
 * enough; for larger radii B gets its own array.
 *
 * The mode is tracked incrementally. Along a row each step first removes a column, then adds one; an add can
 * only make its own bin the mode, so only when the mode bin itself ends the step with fewer pixels than the
 * maximum must the bins be searched again, and then only between the lowest and highest levels present.
 */
/** Rows painted per block: the packed colours of a block and its margins are made once. */
const BLOCK = 32;

class WindowHistogram {
  readonly count = new Int32Array(256);
  readonly sums = new Float64Array(256);
  readonly blues: Float64Array | null;
  readonly field: number;

  /** Packed colours of rows [packFrom, packFrom + BLOCK + 2·radius), the rows the current block's windows read. */
  readonly packed: Float64Array;
  packFrom = 0;

  constructor(readonly radius: number, width: number) {
    const side = 2 * radius + 1;
    const need = Math.ceil(Math.log2(255 * side * side + 1));
    this.blues = 3 * need <= 53 ? null : new Float64Array(256);
    this.field = 2 ** need;
    this.packed = new Float64Array((BLOCK + 2 * radius) * width);
  }

  pack(rgb: Uint8Array, width: number, from: number, to: number): void {
    const f1 = this.field;
    const f2 = this.blues ? 0 : f1 * f1;
    const packed = this.packed;
    this.packFrom = from;
    for (let i = from * width, j = 0; i < to * width; i++, j++) packed[j] = rgb[i * 3] + rgb[i * 3 + 1] * f1 + rgb[i * 3 + 2] * f2;
  }

  paintRow(rgb: Uint8Array, q: Uint8Array, width: number, height: number, y: number, truncate: boolean, out: Uint8Array): void {
    const { count, sums, blues, field, radius, packed } = this;
    const shift = this.packFrom * width;
    const f1 = field;
    const f2 = blues ? 0 : field * field;
    const top = Math.max(0, y - radius);
    const bottom = Math.min(height - 1, y + radius);
    count.fill(0);
    sums.fill(0);
    blues?.fill(0);
    let best = 0;
    let max = 0;
    let lo = 256;
    let hi = -1;
    const last = Math.min(radius, width - 1);
    for (let x = -1; x < width; x++) {
      // Slide: remove the column leaving (x − radius), add the columns entering (all of 0..radius at the start).
      if (x >= 0) {
        const gone = x - radius - 1;
        if (gone >= 0) {
          for (let i = top * width + gone; i <= bottom * width + gone; i += width) {
            const b = q[i];
            count[b]--;
            sums[b] -= packed[i - shift];
            if (blues) blues[b] -= rgb[i * 3 + 2];
          }
        }
      }
      const from = x < 0 ? 0 : x + radius;
      const to = x < 0 ? last : x + radius <= width - 1 && x > 0 ? x + radius : -1;
      for (let col = from; col <= to; col++) {
        for (let i = top * width + col; i <= bottom * width + col; i += width) {
          const b = q[i];
          const c = ++count[b];
          sums[b] += packed[i - shift];
          if (blues) blues[b] += rgb[i * 3 + 2];
          if (c > max || (c === max && b < best)) {
            max = c;
            best = b;
          }
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
      }
      if (x < 0) continue;
      if (count[best] < max) {
        // Tighten the range to the levels present, then take the largest count, the lowest bin on ties. No bin
        // can exceed the old maximum here (one that did would be the mode already), so reaching it ends the search.
        while (count[lo] === 0) lo++;
        while (count[hi] === 0) hi--;
        const old = max;
        max = 0;
        for (let b = lo; b <= hi; b++) {
          const c = count[b];
          if (c > max) {
            max = c;
            best = b;
            if (c === old) break;
          }
        }
      }
      const n = count[best];
      let s = sums[best];
      const o = (y * width + x) * 3;
      let blue: number;
      if (blues) {
        blue = blues[best];
      } else {
        blue = Math.floor(s / f2);
        s -= blue * f2;
      }
      const green = Math.floor(s / f1);
      const red = s - green * f1;
      out[o] = truncate ? Math.floor(red / n) : roundQuotient(red, n);
      out[o + 1] = truncate ? Math.floor(green / n) : roundQuotient(green, n);
      out[o + 2] = truncate ? Math.floor(blue / n) : roundQuotient(blue, n);
    }
  }
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
        const hist = new WindowHistogram(radius, width);
        for (let yb = y0; yb < y1; yb += BLOCK) {
          const ye = Math.min(y1, yb + BLOCK);
          hist.pack(rgb, width, Math.max(0, yb - radius), Math.min(height, ye + radius));
          for (let y = yb; y < ye; y++) hist.paintRow(rgb, q, width, height, y, truncate, out);
        }
      },
    },
  ];
}
