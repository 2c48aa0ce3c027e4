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
 * Recursive-filter pass along one line of n samples of `ch` interleaved channels starting at `base`, `stride`
 * apart (in samples of one channel); weights w[j] = a^d[j] are read from w at wBase + j·wStride.
 */
export function recursiveLine(o: Float32Array, ch: number, base: number, stride: number, n: number, w: Float32Array, wBase: number, wStride: number): void {
  for (let j = 1, p = base + stride, q = wBase + wStride; j < n; j++, p += stride, q += wStride) {
    const v = w[q];
    for (let c = 0; c < ch; c++) o[p + c] = f(o[p + c] + f(f(o[p - stride + c] - o[p + c]) * v));
  }
  for (let j = n - 2, p = base + j * stride, q = wBase + (j + 1) * wStride; j >= 0; j--, p -= stride, q -= wStride) {
    const v = w[q];
    for (let c = 0; c < ch; c++) o[p + c] = f(o[p + c] + f(f(o[p + stride + c] - o[p + c]) * v));
  }
}

/** w[i] = a^d[i] (float32 pow) for i in [start, end). */
export function weights(d: Float32Array, a: number, w: Float32Array, start: number, end: number): void {
  for (let i = start; i < end; i++) w[i] = f(Math.pow(a, d[i]));
}

/**
 * For each sample j of a line, the window [lo[j], hi[j]) of samples k with ct[j] − r < ct[k] ≤ ct[j] + r.
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

/**
 * Normalised-convolution pass along one line, in place: each sample becomes the mean of its window (see
 * windowBounds). `sums` is scratch of at least (n + 1)·ch floats, `lo`/`hi` of n ints.
 */
export function boxLine(
  o: Float32Array, ch: number, base: number, stride: number, n: number,
  ct: Float32Array, cBase: number, cStride: number, r: number,
  sums: Float32Array, lo: Int32Array, hi: Int32Array,
): void {
  windowBounds(ct, cBase, cStride, n, r, lo, hi);
  for (let c = 0; c < ch; c++) sums[c] = 0;
  for (let j = 0, p = base, s = ch; j < n; j++, p += stride, s += ch) {
    for (let c = 0; c < ch; c++) sums[s + c] = f(sums[s - ch + c] + o[p + c]);
  }
  for (let j = 0, p = base; j < n; j++, p += stride) {
    const l = lo[j] * ch;
    const u = hi[j] * ch;
    const count = hi[j] - lo[j];
    for (let c = 0; c < ch; c++) o[p + c] = f(f(sums[u + c] - sums[l + c]) / count);
  }
}
