/**
 * The domain transform of Gastal & Oliveira (SIGGRAPH 2011) with OpenCV 4.6's float32 arithmetic, as kernels
 * over ranges of rows or columns (see workspace.ts for why ranges).
 *
 * Every float32 operation is written as Math.fround of a double operation: for + − × ÷ on float32 operands that is
 * exactly the float32 result, so the output matches a C float implementation bit for bit.
 */
const f = Math.fround;

/** OpenCV's `convertTo(CV_32F, 1/255)`: u8 → float32 in [0, 1]. */
export const UNIT = new Float32Array(256);
const INV255 = f(1 / 255);
for (let v = 0; v < 256; v++) UNIT[v] = f(v * INV255);

/** |UNIT[a] − UNIT[b]| in float32 for every pair of 8-bit samples, index (a << 8) | b. */
export const ABS_DIFF = new Float32Array(65536);
for (let a = 0; a < 256; a++) for (let b = 0; b < 256; b++) ABS_DIFF[(a << 8) | b] = Math.abs(f(UNIT[a] - UNIT[b]));

/** σs/σr in float32 (OpenCV takes both as float). */
export function rangeScale(sigmaS: number, sigmaR: number): number {
  return f(f(sigmaS) / f(sigmaR));
}

/** σH of iteration i of three: σs·√3·2^(2−i)/√63, in double then float32. */
export function iterationSigma(sigmaS: number, i: number): number {
  return f((f(sigmaS) * Math.sqrt(3) * 2 ** (2 - i)) / Math.sqrt(63));
}

/** Half-width of the normalised-convolution box in transformed coordinates: float32(√3)·σH. */
export function boxRadius(sigmaH: number): number {
  return f(f(Math.sqrt(3)) * sigmaH);
}

/** Feedback coefficient of the recursive filter: exp(−√2/σH) in double, then float32. */
export function feedback(sigmaH: number): number {
  return f(Math.exp(-Math.SQRT2 / sigmaH));
}

/** 1 + k·(Σc |ΔI|) for a pair of RGB pixels at byte offsets p (current) and q (previous). */
function stepRgb(px: Uint8Array, p: number, q: number, k: number): number {
  // OpenCV sums B, G, R in that order; our pixels are R, G, B.
  const d = f(f(ABS_DIFF[(px[p + 2] << 8) | px[q + 2]] + ABS_DIFF[(px[p + 1] << 8) | px[q + 1]]) + ABS_DIFF[(px[p] << 8) | px[q]]);
  return f(1 + f(k * d));
}

/** Horizontal domain steps of rows [y0, y1) of an RGB image: d[y][0] = 1, d[y][x] = 1 + k·dx. */
export function rowStepsRgb(px: Uint8Array, width: number, k: number, out: Float32Array, y0: number, y1: number): void {
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    out[row] = 1;
    for (let x = 1, p = row * 3 + 3; x < width; x++, p += 3) out[row + x] = stepRgb(px, p, p - 3, k);
  }
}

/** Vertical domain steps of columns [x0, x1) of an RGB image (swept row by row for the cache). */
export function columnStepsRgb(px: Uint8Array, width: number, height: number, k: number, out: Float32Array, x0: number, x1: number): void {
  out.fill(1, x0, x1);
  const up = width * 3;
  for (let y = 1; y < height; y++) {
    const row = y * width;
    for (let x = x0, p = (row + x0) * 3; x < x1; x++, p += 3) out[row + x] = stepRgb(px, p, p - up, k);
  }
}

/** Horizontal domain steps of rows [y0, y1) of a one-channel float image. */
export function rowStepsGrey(img: Float32Array, width: number, k: number, out: Float32Array, y0: number, y1: number): void {
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    out[row] = 1;
    for (let x = 1; x < width; x++) out[row + x] = f(1 + f(k * Math.abs(f(img[row + x] - img[row + x - 1]))));
  }
}

/** Vertical domain steps of columns [x0, x1) of a one-channel float image. */
export function columnStepsGrey(img: Float32Array, width: number, height: number, k: number, out: Float32Array, x0: number, x1: number): void {
  out.fill(1, x0, x1);
  for (let y = 1; y < height; y++) {
    const row = y * width;
    for (let i = row + x0; i < row + x1; i++) out[i] = f(1 + f(k * Math.abs(f(img[i] - img[i - width]))));
  }
}

/** Turns steps into transformed coordinates along rows, in place: ct[x] = ct[x−1] + d[x]. */
export function accumulateRows(d: Float32Array, width: number, y0: number, y1: number): void {
  for (let y = y0; y < y1; y++) {
    const end = (y + 1) * width;
    for (let i = y * width + 1; i < end; i++) d[i] = f(d[i - 1] + d[i]);
  }
}

/** Turns steps into transformed coordinates down columns [x0, x1), in place. */
export function accumulateColumns(d: Float32Array, width: number, height: number, x0: number, x1: number): void {
  for (let y = 1; y < height; y++) {
    const row = y * width;
    for (let i = row + x0; i < row + x1; i++) d[i] = f(d[i - width] + d[i]);
  }
}

/**
 * a^d for d ≥ 1 without Math.pow: a table of a^(1 + n·h) and a cubic for a^(d − 1 − n·h). h is chosen so that
 * |ln a·(d − 1 − n·h)| ≤ 2^-7, where the cubic's relative error (< 2e-10) is far below float32's, so
 * Math.fround of the result is the float32 power except when it lies within that error of a rounding tie.
 * Past ln a·(d − 1) < −104 the power is below float32's smallest denormal and rounds to 0.
 */
export class PowerTable {
  readonly table: Float64Array;
  readonly lnA: number;
  readonly h: number;
  readonly invH: number;

  constructor(a: number) {
    this.lnA = Math.log(a);
    this.h = 2 ** -6 / -this.lnA;
    this.invH = 1 / this.h;
    const n = Math.ceil(104 * 64) + 2;
    this.table = new Float64Array(n);
    for (let i = 0; i < n; i++) this.table[i] = Math.exp(this.lnA * (1 + i * this.h));
  }
}

/** float32(a^d) through a PowerTable (inlined by hand in the hot loops; this is the readable form). */
export function power(t: PowerTable, d: number): number {
  const x = d - 1;
  const n = (x * t.invH + 0.5) | 0;
  if (n >= t.table.length || x > 1e9) return 0;
  const e = t.lnA * (x - n * t.h);
  return f(t.table[n] * (1 + e * (1 + e * (0.5 + e * (1 / 6)))));
}

/** Horizontal RF pass over rows [y0, y1) of `o` (ch interleaved channels); d are the domain steps. */
export function recursiveRows(o: Float32Array, ch: number, width: number, d: Float32Array, t: PowerTable, w: Float32Array, y0: number, y1: number): void {
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    for (let x = 1; x < width; x++) w[x] = power(t, d[row + x]);
    const base = row * ch;
    for (let x = 1, p = base + ch; x < width; x++, p += ch) {
      const v = w[x];
      for (let c = p; c < p + ch; c++) o[c] = f(o[c] + f(f(o[c - ch] - o[c]) * v));
    }
    for (let x = width - 2, p = base + x * ch; x >= 0; x--, p -= ch) {
      const v = w[x + 1];
      for (let c = p; c < p + ch; c++) o[c] = f(o[c] + f(f(o[c + ch] - o[c]) * v));
    }
  }
}

/**
 * Vertical RF pass over columns [x0, x1), swept row by row so memory is read in order. The causal sweep leaves
 * the weights in w (W·H floats) for the anticausal one.
 */
export function recursiveColumns(
  o: Float32Array, ch: number, width: number, height: number, d: Float32Array, t: PowerTable, w: Float32Array, x0: number, x1: number,
): void {
  const up = width * ch;
  for (let y = 1; y < height; y++) {
    const row = y * width;
    for (let x = x0, p = (row + x0) * ch; x < x1; x++, p += ch) {
      const v = (w[row + x] = power(t, d[row + x]));
      for (let c = p; c < p + ch; c++) o[c] = f(o[c] + f(f(o[c - up] - o[c]) * v));
    }
  }
  for (let y = height - 2; y >= 0; y--) {
    const row = y * width;
    for (let x = x0, p = (row + x0) * ch; x < x1; x++, p += ch) {
      const v = w[row + width + x];
      for (let c = p; c < p + ch; c++) o[c] = f(o[c] + f(f(o[c + up] - o[c]) * v));
    }
  }
}

/**
 * For each sample j of a row, the window [lo[j], hi[j]) of samples k with ct[j] − r < ct[k] ≤ ct[j] + r.
 * ct is read at cBase + k·cStride and increases strictly, so two pointers that only move forward suffice.
 */
export function windowBounds(ct: Float32Array, cBase: number, cStride: number, n: number, r: number, lo: Int32Array, hi: Int32Array): void {
  let l = 0;
  let u = 0;
  for (let j = 0, q = cBase; j < n; j++, q += cStride) {
    const c = ct[q];
    const low = f(c - r);
    const high = f(c + r);
    while (ct[cBase + l * cStride] <= low) l++;
    while (u < n && ct[cBase + u * cStride] <= high) u++;
    lo[j] = l;
    hi[j] = u;
  }
}

/** Columns are handled in strips this wide, so a strip's prefix sums stay in cache. */
export const STRIP = 64;

/**
 * 1/n in double for window sizes n. For a float32 x, fround(x·(1/n)) equals fround(x/n): x/n is never a tie
 * between two floats (x has 24 significant bits), and its distance to one is far above the product's error.
 */
let reciprocals = new Float64Array(0);
export function reciprocalTable(n: number): Float64Array {
  if (reciprocals.length <= n) {
    reciprocals = new Float64Array(Math.max(n + 1, reciprocals.length * 2));
    for (let i = 1; i < reciprocals.length; i++) reciprocals[i] = 1 / i;
  }
  return reciprocals;
}

/** NC scratch for one thread: prefix sums and window pointers. */
export class BoxScratch {
  readonly sums: Float32Array;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly recip: Float64Array;
  constructor(width: number, height: number) {
    this.sums = new Float32Array(Math.max((width + 1) * 3, (height + 1) * STRIP * 3));
    this.lo = new Int32Array(Math.max(width, STRIP));
    this.hi = new Int32Array(Math.max(width, STRIP));
    this.recip = reciprocalTable(Math.max(width, height));
  }
}

/** Horizontal NC pass over rows [y0, y1) of an RGB float image, in place: each sample becomes its window's mean. */
export function boxRows(o: Float32Array, width: number, ct: Float32Array, r: number, s: BoxScratch, y0: number, y1: number): void {
  const { sums, recip } = s;
  sums[0] = sums[1] = sums[2] = 0;
  for (let y = y0; y < y1; y++) {
    const base = y * width * 3;
    const cb = y * width;
    for (let i = 0, p = base; i < width * 3; i++, p++) sums[i + 3] = f(sums[i] + o[p]);
    let l = cb;
    let u = cb;
    const end = cb + width;
    for (let q = cb, p = base; q < end; q++, p += 3) {
      const c = ct[q];
      const low = f(c - r);
      const high = f(c + r);
      while (ct[l] <= low) l++;
      while (u < end && ct[u] <= high) u++;
      const inv = recip[u - l];
      const sl = (l - cb) * 3;
      const su = (u - cb) * 3;
      o[p] = f(f(sums[su] - sums[sl]) * inv);
      o[p + 1] = f(f(sums[su + 1] - sums[sl + 1]) * inv);
      o[p + 2] = f(f(sums[su + 2] - sums[sl + 2]) * inv);
    }
  }
}

/** Vertical NC pass over columns [x0, x1) of an RGB float image, in strips of STRIP columns swept row by row. */
export function boxColumns(o: Float32Array, width: number, height: number, ct: Float32Array, r: number, s: BoxScratch, x0: number, x1: number): void {
  const { sums, lo, hi, recip } = s;
  for (let xs = x0; xs < x1; xs += STRIP) {
    const cols = Math.min(STRIP, x1 - xs);
    const sw = cols * 3;
    lo.fill(0, 0, cols);
    hi.fill(0, 0, cols);
    sums.fill(0, 0, sw);
    for (let y = 0; y < height; y++) {
      const src = (y * width + xs) * 3;
      for (let i = 0, q = y * sw; i < sw; i++, q++) sums[q + sw] = f(sums[q] + o[src + i]);
    }
    for (let y = 0; y < height; y++) {
      for (let j = 0, x = xs, q = y * width + xs, p = q * 3; j < cols; j++, x++, q++, p += 3) {
        const c = ct[q];
        const low = f(c - r);
        const high = f(c + r);
        let l = lo[j];
        while (ct[l * width + x] <= low) l++;
        let u = hi[j];
        while (u < height && ct[u * width + x] <= high) u++;
        lo[j] = l;
        hi[j] = u;
        const inv = recip[u - l];
        const sl = l * sw + j * 3;
        const su = u * sw + j * 3;
        o[p] = f(f(sums[su] - sums[sl]) * inv);
        o[p + 1] = f(f(sums[su + 1] - sums[sl + 1]) * inv);
        o[p + 2] = f(f(sums[su + 2] - sums[sl + 2]) * inv);
      }
    }
  }
}
