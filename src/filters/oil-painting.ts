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

/** 1/n for every window size up to the largest ((2·radius+1)² grows past it only for huge radii: see recipFor). */
let RECIPROCALS = new Float64Array(0);
function reciprocalsUpTo(n: number): void {
  if (RECIPROCALS.length > n) return;
  RECIPROCALS = new Float64Array(n + 1);
  for (let i = 1; i <= n; i++) RECIPROCALS[i] = 1 / i;
}

/** floor(s/c) for integers s ≥ 0, c > 0 given inv ≈ 1/c: the product's error is far below 1, so one correction suffices. */
function floorQuotient(s: number, c: number, inv: number): number {
  const q = Math.floor(s * inv);
  const r = s - q * c;
  return r < 0 ? q - 1 : r >= c ? q + 1 : q;
}

/** Half-to-even rounding of the non-negative rational s/c (inv ≈ 1/c). */
function roundQuotient(s: number, c: number, inv: number): number {
  const q = floorQuotient(s, c, inv);
  const twice = 2 * (s - q * c);
  return twice > c || (twice === c && (q & 1) === 1) ? q + 1 : q;
}

/**
 * The mode of bins [lo, hi] as a key count·256 + 255 − bin (the largest count, the lowest bin on ties), without a
 * branch on the counts (where the maximum turns up is unpredictable). No count exceeds `bound`, so reaching it
 * ends the search.
 */
function modeKey(count: Int32Array, lo: number, hi: number, bound: number): number {
  let key = 0;
  for (let b = lo; b <= hi; b++) {
    const c = count[b];
    const k = (c << 8) | (255 - b);
    key += (k - key) & -(+(k > key));
    if (c === bound) break;
  }
  return key;
}

/** Rows painted per block: the packed colours of a block and its margins are made once. */
const BLOCK = 32;

/**
 * The histogram of one window: per level, the pixel count and the sum of their colours. The three colour sums
 * are packed into one double (R + G·F + B·F², exact while every sum is below F) when the window is small
 * enough; for larger radii B gets its own array.
 *
 * The mode is tracked incrementally as a key max·256 + 255 − bin. Along a row each step removes a column and adds
 * one; an add can only make its own bin the mode, and max never falls during a step, so it bounds every count.
 * Only when the mode bin ends the step with fewer pixels than that bound must the bins be searched again, and
 * then only between the lowest and highest levels present.
 */
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
    reciprocalsUpTo(side * side);
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
    const inv1 = 1 / field;
    const f2 = blues ? 0 : field * field;
    const inv2 = blues ? 0 : 1 / f2;
    const recip = RECIPROCALS;
    const top = Math.max(0, y - radius);
    const bottom = Math.min(height - 1, y + radius);
    const span = (bottom - top) * width;
    count.fill(0);
    sums.fill(0);
    blues?.fill(0);
    // The mode as one key, max·256 + 255 − best: a larger count wins, then a lower bin.
    let key = 255;
    let lo = 256;
    let hi = -1;
    // The last mean painted, reused while the mode bin's count and sum stay the same (flat areas).
    let lastN = -1;
    let lastS = -1;
    let r0 = 0, g0 = 0, b0 = 0;
    // From x = −radius on, so that the steps before x = 0 add the window's first columns.
    for (let x = -radius; x < width; x++) {
      // Slide: the column x − radius − 1 leaves, x + radius enters. In the middle of the row both go in one loop
      // (the CPU overlaps their updates). Adds and removes may interleave: max only grows on an add past it, so
      // it bounds every count, and a mode that loses a pixel is caught below.
      const gone = x - radius - 1;
      const enter = x + radius;
      if (gone >= 0 && enter < width) {
        for (let i = top * width + gone, j = i + radius + radius + 1, e = i + span; i <= e; i += width, j += width) {
          const bo = q[i];
          count[bo]--;
          sums[bo] -= packed[i - shift];
          if (blues) blues[bo] -= rgb[i * 3 + 2];
          const b = q[j];
          const c = ++count[b];
          sums[b] += packed[j - shift];
          if (blues) blues[b] += rgb[j * 3 + 2];
          // Branch-free (whether an add takes the mode is unpredictable) on the key count·256 + 255 − bin.
          const k = (c << 8) | (255 - b);
          key += (k - key) & -(+(k > key));
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
      } else if (gone >= 0) {
        for (let i = top * width + gone, e = i + span; i <= e; i += width) {
          const b = q[i];
          count[b]--;
          sums[b] -= packed[i - shift];
          if (blues) blues[b] -= rgb[i * 3 + 2];
        }
      } else if (enter < width) {
        for (let i = top * width + enter, e = i + span; i <= e; i += width) {
          const b = q[i];
          const c = ++count[b];
          sums[b] += packed[i - shift];
          if (blues) blues[b] += rgb[i * 3 + 2];
          // Branch-free (whether an add takes the mode is unpredictable) on the key count·256 + 255 − bin.
          const k = (c << 8) | (255 - b);
          key += (k - key) & -(+(k > key));
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
      }
      if (x < 0) continue;
      let best = 255 - (key & 255);
      let max = key >> 8;
      if (count[best] < max) {
        // The mode lost pixels: search again, in the range of the levels present.
        while (count[lo] === 0) lo++;
        while (count[hi] === 0) hi--;
        key = modeKey(count, lo, hi, max);
        best = 255 - (key & 255);
        max = key >> 8;
      }
      const n = max;
      const s = sums[best];
      const o = (y * width + x) * 3;
      if (n !== lastN || s !== lastS || blues) {
        lastN = n;
        lastS = s;
        // Exact integer arithmetic in doubles: the field sizes are powers of two, so the unpacking is exact.
        let blue: number;
        let rest = s;
        if (blues) {
          blue = blues[best];
        } else {
          blue = Math.floor(s * inv2);
          rest -= blue * f2;
        }
        const green = Math.floor(rest * inv1);
        const red = rest - green * field;
        const inv = recip[n];
        r0 = truncate ? floorQuotient(red, n, inv) : roundQuotient(red, n, inv);
        g0 = truncate ? floorQuotient(green, n, inv) : roundQuotient(green, n, inv);
        b0 = truncate ? floorQuotient(blue, n, inv) : roundQuotient(blue, n, inv);
      }
      out[o] = r0;
      out[o + 1] = g0;
      out[o + 2] = b0;
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
