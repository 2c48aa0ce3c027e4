/**
 * The domain transform of Gastal & Oliveira (SIGGRAPH 2011) with OpenCV 4.6's float32 arithmetic, as kernels
 * over ranges of rows or columns (see workspace.ts for why ranges).
 *
 * Every float32 operation is written as Math.fround of a double operation: for + − × ÷ on float32 operands that is
 * exactly the float32 result, so the output matches a C float implementation bit for bit. The one exception is the
 * RF update (see RF_UPDATE below), which follows the spec's float32 arithmetic up to one rounding.
 */
import { keepShape } from './workspace.js';

const f = Math.fround;

/** OpenCV's `convertTo(CV_32F, 1/255)`: u8 → float32 in [0, 1]. */
export const UNIT = new Float32Array(256);
const INV255 = f(1 / 255);
for (let v = 0; v < 256; v++) UNIT[v] = f(v * INV255);


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

/**
 * 1 + k·Σc |ΔI| between a pixel (unit values r, g, b) and the one before it (r0, g0, b0). OpenCV sums B, G, R in
 * that order. The unit values come from the 1 KiB UNIT table: a 256 KiB table of |differences| misses the cache
 * more than this computes.
 */
function unitStep(r: number, g: number, b: number, r0: number, g0: number, b0: number, k: number): number {
  const d = f(f(Math.abs(f(b - b0)) + Math.abs(f(g - g0))) + Math.abs(f(r - r0)));
  return f(1 + f(k * d));
}

/**
 * Transformed coordinates along rows [y0, y1) of an RGB image (the running sum of the horizontal steps), each row a
 * line followed by its sentinels: sample (x, y) goes to out[y·(W + SENTINELS) + x]. With `unit`, the image's unit
 * values (u8/255, as UNIT) are written there too, since they are read anyway.
 */
export function rowCoordinateLines(px: Uint8Array, width: number, k: number, out: Float32Array, y0: number, y1: number, unit?: Float32Array): void {
  const line = width + SENTINELS;
  for (let y = y0; y < y1; y += 2) {
    const y2 = Math.min(y + 1, y1 - 1);
    rowCoordinatePair(px, width, k, y, y2, out, y * line, y2 * line, unit);
    out.fill(Infinity, y * line + width, (y + 1) * line);
    out.fill(Infinity, y2 * line + width, (y2 + 1) * line);
  }
}

/**
 * The transformed coordinates of rows ya and yb, written into out[atA..atA+W) and out[atB..atB+W); with `unit`,
 * their unit values too (see above). Two rows at a time because each row's running sum is a chain of float32
 * additions (an add and a rounding per pixel): the two chains overlap (watercolor's row step ~15% faster than
 * one row at a time). yb may equal ya (an odd row out): both halves then write the same values.
 */
function rowCoordinatePair(px: Uint8Array, width_: number, k_: number, ya: number, yb: number, out: Float32Array, atA_: number, atB_: number, unit?: Float32Array): void {
  // Converted once: a parameter used in the loop as it comes is checked and converted at every use.
  const width = width_ | 0, atA = atA_ | 0, atB = atB_ | 0;
  const k = Math.max(k_, 0);
  const u = UNIT;
  let ca = (out[atA] = 1);
  let cb = (out[atB] = 1);
  // The previous pixels' unit values are kept from the last step.
  let p = ya * width * 3;
  let q = yb * width * 3;
  let r0 = u[px[p]], g0 = u[px[p + 1]], b0 = u[px[p + 2]];
  let r1 = u[px[q]], g1 = u[px[q + 1]], b1 = u[px[q + 2]];
  if (unit) {
    unit[p] = r0;
    unit[p + 1] = g0;
    unit[p + 2] = b0;
    unit[q] = r1;
    unit[q + 1] = g1;
    unit[q + 2] = b1;
  }
  for (let x = 1; x < width; x++) {
    p += 3;
    q += 3;
    const r = u[px[p]], g = u[px[p + 1]], b = u[px[p + 2]];
    const rb = u[px[q]], gb = u[px[q + 1]], bb = u[px[q + 2]];
    out[atA + x] = ca = f(ca + unitStep(r, g, b, r0, g0, b0, k));
    out[atB + x] = cb = f(cb + unitStep(rb, gb, bb, r1, g1, b1, k));
    if (unit) {
      unit[p] = r;
      unit[p + 1] = g;
      unit[p + 2] = b;
      unit[q] = rb;
      unit[q + 1] = gb;
      unit[q + 2] = bb;
    }
    r0 = r;
    g0 = g;
    b0 = b;
    r1 = rb;
    g1 = gb;
    b1 = bb;
  }
}

/**
 * RF weights a^(1 + k·|ΔI|) of rows [y0, y1) of a one-channel float image (values in [0, 1]), through a StepPowers
 * table: the domain steps go straight to their weights, never to a buffer of their own. The table's fields are read
 * into locals once and each pixel's value is kept for the next step.
 */
export function rowWeightsGrey(img: Float32Array, width_: number, t: StepPowers, out: Float32Array, y0: number, y1: number, outPitch_ = width_): void {
  const width = width_ | 0, outPitch = outPitch_ | 0;
  const { table, scale, last } = t;
  for (let y = y0; y < y1; y++) {
    const row = y * width, at = y * outPitch;
    out[at] = table[0];
    let prev = img[row];
    for (let x = 1; x < width; x++) {
      const v = img[row + x];
      out[at + x] = stepPower(table, scale, last, f(v - prev));
      prev = v;
    }
  }
}

/** RF weights down columns [x0, x1) of a one-channel float image (see rowWeightsGrey), row y's at out[y·outPitch..]. */
export function columnWeightsGrey(img: Float32Array, width_: number, height: number, t: StepPowers, out: Float32Array, x0: number, x1: number, outPitch_ = width_): void {
  const width = width_ | 0, outPitch = outPitch_ | 0;
  const { table, scale, last } = t;
  out.fill(table[0], x0, x1);
  for (let y = 1; y < height; y++) {
    const row = y * width, d = y * (outPitch - width);
    for (let i = row + x0; i < row + x1; i++) out[i + d] = stepPower(table, scale, last, f(img[i] - img[i - width]));
  }
}

/** Columns whose coordinate lines the pencil pass keeps at a time (see addColumnWindowSizesRgb): a small scratch, not a full-size buffer. */
export const STRIP = 32;

/**
 * A line of coordinates handed to the window pointers ends with SENTINELS samples of +∞: they stop the pointers
 * without a bounds test, and let a pointer look SENTINELS − 1 samples ahead (see sentinelWindowBounds).
 */
export const SENTINELS = 3;

/**
 * Transformed coordinates down columns [x0, x1) of an RGB image, each column a contiguous line followed by its
 * sentinels: sample (x, y) goes to out[at + (x − x0)·(H + SENTINELS) + y]. Lines, not rows, because the window
 * pointers walk down a column (see sentinelWindowBounds). Four columns at a time walk down the image with the
 * previous pixels' unit values and coordinates in locals, and write their lines in order (measured faster than
 * strips of 32 columns swept row by row, whose per-column state went through a scratch array; four columns
 * rather than two overlap four running-sum chains, ~7% faster).
 */
export function columnCoordinateLines(px: Uint8Array, width_: number, height_: number, k_: number, x0_: number, x1_: number, out: Float32Array, at_: number): void {
  // Converted once (see rowCoordinatePair).
  const width = width_ | 0, height = height_ | 0, x0 = x0_ | 0, x1 = x1_ | 0, at = at_ | 0;
  const k = Math.max(k_, 0);
  const line = height + SENTINELS;
  const u = UNIT;
  const down = width * 3;
  for (let x = x0; x < x1; x += 4) {
    // Columns past the range are replaced by its last one: those halves write the same values twice.
    const xb = Math.min(x + 1, x1 - 1), xc = Math.min(x + 2, x1 - 1), xd = Math.min(x + 3, x1 - 1);
    const qa = at + (x - x0) * line, qb = at + (xb - x0) * line, qc = at + (xc - x0) * line, qd = at + (xd - x0) * line;
    let pa = x * 3, pb = xb * 3, pc = xc * 3, pd = xd * 3;
    let ra = u[px[pa]], ga = u[px[pa + 1]], ba = u[px[pa + 2]];
    let rb = u[px[pb]], gb = u[px[pb + 1]], bb = u[px[pb + 2]];
    let rc = u[px[pc]], gc = u[px[pc + 1]], bc = u[px[pc + 2]];
    let rd = u[px[pd]], gd = u[px[pd + 1]], bd = u[px[pd + 2]];
    let ca = (out[qa] = 1), cb = (out[qb] = 1), cc = (out[qc] = 1), cd = (out[qd] = 1);
    for (let y = 1; y < height; y++) {
      pa += down;
      pb += down;
      pc += down;
      pd += down;
      let r = u[px[pa]], g = u[px[pa + 1]], b = u[px[pa + 2]];
      out[qa + y] = ca = f(ca + unitStep(r, g, b, ra, ga, ba, k));
      ra = r;
      ga = g;
      ba = b;
      r = u[px[pb]];
      g = u[px[pb + 1]];
      b = u[px[pb + 2]];
      out[qb + y] = cb = f(cb + unitStep(r, g, b, rb, gb, bb, k));
      rb = r;
      gb = g;
      bb = b;
      r = u[px[pc]];
      g = u[px[pc + 1]];
      b = u[px[pc + 2]];
      out[qc + y] = cc = f(cc + unitStep(r, g, b, rc, gc, bc, k));
      rc = r;
      gc = g;
      bc = b;
      r = u[px[pd]];
      g = u[px[pd + 1]];
      b = u[px[pd + 2]];
      out[qd + y] = cd = f(cd + unitStep(r, g, b, rd, gd, bd, k));
      rd = r;
      gd = g;
      bd = b;
    }
    out.fill(Infinity, qa + height, qa + line);
    out.fill(Infinity, qb + height, qb + line);
    out.fill(Infinity, qc + height, qc + line);
    out.fill(Infinity, qd + height, qd + line);
  }
}

/**
 * float32(a^(1 + k·|Δ|)) of a float32 step Δ between values in [0, 1], without Math.pow: a^(1 + x) = exp(ln a·(1 + x))
 * sampled every STEP of ln a·x and interpolated linearly, which errs by at most STEP²/8 ≈ 3e-8 of the value, half a
 * float32 ulp. OpenCV rounds the exponent d = 1 + k·|Δ| to float32 before its powf; here k·|Δ| stays in double. That
 * moves a weight by at most |ln a|·d·2^-24 of itself: a few ulps for the weights that matter (d < 4; past that a
 * weight is below a^4), and on the four fixture photos 3 of 2.7 million detail values by one level. The table of a^d
 * through a cubic that this replaces was exact to 2e-10 at twice the cost (a 1 MP detail's weights 13 → ~7 ms).
 * Past ln a·x < −104 the power is below float32's smallest denormal: the table ends there with zeros. It also ends
 * just past the largest step the image can hold (maxStep): larger steps take the weight there.
 */
export class StepPowers {
  static readonly STEP = 2 ** -11;
  private static latest: StepPowers | null = null;
  readonly table: Float64Array;
  /** Table positions per unit of |Δ|: k·|ln a|/STEP. */
  readonly scale: number;
  /** The largest position read. */
  readonly last: number;

  /**
   * The table of (a, k, maxStep), kept from one call to the next: a render worker's detail calls share their
   * parameters, and a default table is ~35 000 exponentials (~0.5 ms).
   */
  static of(a: number, k: number, maxStep: number): StepPowers {
    const t = StepPowers.latest;
    if (t && t.a === a && t.k === k && t.maxStep === maxStep) return t;
    return (StepPowers.latest = new StepPowers(a, k, maxStep));
  }

  /** k: the float32 σs/σr. */
  constructor(readonly a: number, readonly k: number, readonly maxStep: number) {
    const lnA = Math.log(a);
    this.scale = (k * -lnA) / StepPowers.STEP;
    const underflow = Math.ceil(104 / StepPowers.STEP) + 1;
    this.last = Math.min(underflow, Math.ceil(maxStep * this.scale) + 1);
    this.table = new Float64Array(this.last + 2);
    for (let j = 0; j <= this.last; j++) this.table[j] = j >= underflow ? 0 : Math.exp(lnA - j * StepPowers.STEP);
    this.table[this.last + 1] = this.table[this.last];
  }

  /** float32(a^(1 + k·|Δ|)) of one step Δ. */
  weight(delta: number): number {
    return stepPower(this.table, this.scale, this.last, delta);
  }
}

/** StepPowers' weight through its fields, passed in so that a loop holds them in locals. */
function stepPower(table: Float64Array, scale: number, last: number, delta: number): number {
  // Math.min, not x < last ? x : last: `last` is a small integer, and the select of it and a double made V8 box
  // the double at every weight (column weights at 1 MP: 7.6 ms with the select, 4.0 with Math.min).
  const p = Math.min(Math.abs(delta) * scale, last);
  const j = p | 0;
  const lo = table[j];
  return f(lo + (table[j + 1] - lo) * (p - j));
}

/** RF weights a^d of a run of consecutive pixels, written into out[at..at+count). */
export interface Weights {
  fill(first: number, count: number, out: Float32Array, at: number): void;
}

/**
 * Weights of one iteration kept in a full-size array w, which the sweeps read directly. σH halves from one
 * iteration to the next, so a_i = exp(−√2/σH_i) = a_(i−1)² and a_i^d = (a_(i−1)^d)²: an iteration after the first
 * (`square`) squares the previous one's weights in place as its passes reach them, one multiplication instead of
 * a power per weight. The square of a float32 is exact in double and rounded once, so a weight is within about
 * 2i float32 ulps of the float32 power a_i^d (the spec's): the filter's output moves by far less than a level.
 * The passes of one iteration must therefore run once each, in order (as every step does).
 */
export class SquaringWeights implements Weights {
  constructor(readonly w: Float32Array, readonly square: boolean) {}

  /** Makes w[first..first + count) this iteration's weights. */
  prepare(first: number, count: number): void {
    if (!this.square) return;
    const { w } = this;
    for (let i = first; i < first + count; i++) {
      const v = w[i];
      w[i] = f(v * v);
    }
  }

  /** Makes w[first + j·step] (j < count) this iteration's weights: a column. */
  prepareStrided(first: number, step: number, count: number, lineLength: number): void {
    for (let j = 0, i = first; j < count; j++, i += step) this.prepare(i, lineLength);
  }

  fill(first: number, count: number, out: Float32Array, at: number): void {
    const { w } = this;
    if (!this.square) {
      out.set(w.subarray(first, first + count), at);
      return;
    }
    for (let i = 0; i < count; i++) {
      const v = w[first + i];
      out[at + i] = w[first + i] = f(v * v);
    }
  }
}
keepShape(new SquaringWeights(new Float32Array(0), false));

/**
 * Weights of 8-bit RGB keyed by the integer sum n of |Δ| over the channels: a^(1 + k·n/255) from a table of 766.
 * The float32 step OpenCV computes from the three float differences can differ from 1 + k·n/255 in its last bits,
 * so a weight may be an ulp or so off; on photos that moves a handful of output values by one level, no more.
 * The RGB passes do not call fill for groups of four lines: their sweeps read table[key] as they go (rgbLines4),
 * which saves a write and a read of every weight (smooth's RF passes ~20–25% faster).
 */
export class KeyedWeights implements Weights {
  readonly table = new Float32Array(766);
  constructor(readonly n: Uint16Array, a: number, k: number) {
    for (let i = 0; i < 766; i++) this.table[i] = f(Math.pow(a, f(1 + f(k * f(i * INV255)))));
  }
  fill(first: number, count: number, out: Float32Array, at: number): void {
    const { n, table } = this;
    for (let i = 0; i < count; i++) out[at + i] = table[n[first + i]];
  }
}
keepShape(new KeyedWeights(new Uint16Array(0), 0.5, 1));

/**
 * |d| of an int32 d > −2^31 by its sign mask, which keysRgb's loop computes ~12% faster than with Math.abs (1 MP of
 * keys in groups of 8 rows 7.5 → 6.6 ms, medians of 25 alternate runs in one process; smooth's first step 12.7 →
 * 11.8 and 12.3 → 12.2 ms medians, 12.2 → 11.5 and 12.2 → 11.6 minima, same-process A/B, 20 rounds, astronaut and
 * coffee).
 */
function absInt(d: number): number {
  const m = d >> 31;
  return (d ^ m) - m;
}

/**
 * The keys of KeyedWeights for rows [y0, y1) of 8-bit RGB, in one pass over their pixels: Σc |Δ| to the pixel on the
 * left into nH (0 at x = 0) and to the pixel above into nV (0 at y = 0). The row above is read from the input, so a
 * range of rows needs nothing from another range. A key is at most 3·255 = 765, so 16 bits hold it: half the bytes of
 * 32-bit keys to fault in and to read in every pass. One loop per row does both, each pixel's channels loaded once
 * (its own loop for nV before: keys of 1 MP 13.6 → 11.4 ms, medians of 25 alternate runs in one process). The unit
 * values u8/255 are not stored here: the first pass reads the input itself (see rgbSweep4From).
 */
export function keysRgb(px: Uint8Array, width: number, nH: Uint16Array, nV: Uint16Array, y0: number, y1: number): void {
  const up = width * 3;
  for (let y = y0; y < y1; y++) {
    const row = y * width;
    let p = row * 3;
    // Row 0 has no row above: its keys there are 0, which a row compared with itself gives.
    let q = y === 0 ? p : p - up;
    // Each pixel's channels in locals, kept as the next pixel's left neighbour.
    let r0 = px[p], g0 = px[p + 1], b0 = px[p + 2];
    nH[row] = 0;
    nV[row] = absInt(r0 - px[q]) + absInt(g0 - px[q + 1]) + absInt(b0 - px[q + 2]);
    for (let x = 1; x < width; x++) {
      p += 3;
      q += 3;
      const r = px[p], g = px[p + 1], b = px[p + 2];
      nH[row + x] = absInt(r - r0) + absInt(g - g0) + absInt(b - b0);
      nV[row + x] = absInt(r - px[q]) + absInt(g - px[q + 1]) + absInt(b - px[q + 2]);
      r0 = r;
      g0 = g;
      b0 = b;
    }
  }
}

/**
 * RF_UPDATE: every RF kernel below updates a sample as O' = fround(O + (P − O)·v), in double with ONE rounding to
 * float32, where the spec (OpenCV) rounds to float32 three times: fround(O + fround(fround(P − O)·v)). P − O is
 * exact in double for float32 operands and the product nearly so, so the result differs from the spec's only when
 * the two intermediate roundings move it across a float32 rounding boundary: an ulp now and then, and the filter
 * does not amplify it. The two frounds were most of each recursion's critical path (a conversion pair each): the
 * RGB passes of `smooth` are ~20–25% faster. Measured against OpenCV 4.6 on seven photos (the fixtures, resized
 * ones, two parameter sets; BENCHMARKS.md, filters, session 3): the 8-bit output of smooth is 100% within ±1 and
 * ≥ 99.999% exact, the same count of differing values (1–9 per photo) as the bit-exact kernels; detail unchanged.
 * test/filters/kernels.test.ts pins the kernels to a reference with this arithmetic and bounds its distance to
 * the spec's.
 */

/**
 * Work a caller fuses into a horizontal RF pass: it makes the input (and keys) of rows [from, to) just before the
 * pass filters them, while they are in cache, instead of a pass of its own over the whole image (see smooth.ts).
 */
export type LineHook = (from: number, to: number) => void;

/**
 * Samples a row (≥ width) for a grey float image that the RF sweeps down its columns: a row pitch whose multiples up
 * to 8 rows stay ≥ 32 bytes away from a multiple of 4 KiB. A column sweep stores eight samples of a row and then
 * loads those of the next: where the rows are 4 KiB apart (width 1024), each load looks to the CPU as if it might
 * depend on the stores just made (their addresses agree in their low 12 bits) and waits. detail's vertical passes
 * at 1024 wide took 3.6, 4.2, 4.1 ms per megapixel against 2.5, 3.4, 3.4 at widths 1000 and 1040 (same process,
 * medians of 10); with the pitch 1032, 4.3/4.8/4.8 → 3.1/4.1/3.9 ms (medians; minima 3.2/3.9/3.8 → 2.7/3.6/3.4) in a
 * same-process A/B at 1024², 15 rounds, and on coffee at 1024² minima 4.2/5.0/4.9 → 2.7/3.6/3.6 (a noisy run). Most
 * widths keep their pitch; the others get a few samples of padding (1024 → 1032, 512 → 516, 1536 → 1540).
 */
export function greyPitch(width: number): number {
  for (let p = width; ; p++) {
    let clear = true;
    for (let k = 1; k <= 8 && clear; k++) {
      const d = (k * p * 4) % 4096;
      clear = d >= 32 && d <= 4096 - 32;
    }
    if (clear) return p;
  }
}

/** Rows filtered together: their recursions are independent, so the CPU overlaps them instead of waiting. */
export const ROW_GROUP = 8;

/**
 * Horizontal RF pass over rows [y0, y1) of `o` (1 or 3 interleaved channels); `weights` gives each sample's weight and w is
 * scratch of ROW_GROUP·W floats for the weights.
 */
export function recursiveRows(o: Float32Array, ch: number, width: number, weights: Weights, w: Float32Array, y0: number, y1: number, before?: LineHook, pitch = width * ch, wPitch = width, input?: Uint8Array): void {
  const stride = pitch;
  for (let g = y0; g < y1; g += ROW_GROUP) {
    const rows = Math.min(ROW_GROUP, y1 - g);
    const base = g * stride;
    before?.(g, g + rows);
    if (ch === 3 && rows === 8 && weights instanceof KeyedWeights) {
      // Keyed weights (smooth) are one table read away: the sweeps read them from the keys, with no weight pass.
      // Other RGB weights (only the tests use them) take the plain loops below.
      const { n: keys, table } = weights;
      if (input) {
        rgbLines4From(o, input, keys, table, width, base, 3, stride, g * wPitch, wPitch, 1);
        rgbLines4From(o, input, keys, table, width, base + 4 * stride, 3, stride, (g + 4) * wPitch, wPitch, 1);
      } else {
        rgbLines4(o, keys, table, width, base, 3, stride, g * wPitch, wPitch, 1);
        rgbLines4(o, keys, table, width, base + 4 * stride, 3, stride, (g + 4) * wPitch, wPitch, 1);
      }
      continue;
    }
    if (input) for (let i = base, e = base + rows * stride, u = UNIT; i < e; i++) o[i] = u[input[i]];
    for (let k = 0; k < rows; k++) weights.fill((g + k) * wPitch, width, w, k * width);
    if (ch === 1 && rows === 8) {
      greyLines8(o, w, width, base, 1, stride, 0, width, 1);
    } else if (ch === 3) {
      for (let x = 1; x < width; x++) {
        for (let k = 0, p = base + x * 3; k < rows; k++, p += stride) {
          const v = w[k * width + x];
          o[p] = f(o[p] + ((o[p - 3] - o[p]) * v));
          o[p + 1] = f(o[p + 1] + ((o[p - 2] - o[p + 1]) * v));
          o[p + 2] = f(o[p + 2] + ((o[p - 1] - o[p + 2]) * v));
        }
      }
      for (let x = width - 2; x >= 0; x--) {
        for (let k = 0, p = base + x * 3; k < rows; k++, p += stride) {
          const v = w[k * width + x + 1];
          o[p] = f(o[p] + ((o[p + 3] - o[p]) * v));
          o[p + 1] = f(o[p + 1] + ((o[p + 4] - o[p + 1]) * v));
          o[p + 2] = f(o[p + 2] + ((o[p + 5] - o[p + 2]) * v));
        }
      }
    } else {
      for (let x = 1; x < width; x++) {
        for (let k = 0, p = base + x; k < rows; k++, p += stride) o[p] = f(o[p] + ((o[p - 1] - o[p]) * w[k * width + x]));
      }
      for (let x = width - 2; x >= 0; x--) {
        for (let k = 0, p = base + x; k < rows; k++, p += stride) o[p] = f(o[p] + ((o[p + 1] - o[p]) * w[k * width + x + 1]));
      }
    }
  }
}

/**
 * The RF sweeps of eight grey lines at once, laid out as in rgbLines4, each previous sample in a local: with one
 * channel, eight independent recursions are what keeps the CPU busy while each waits on its own previous result.
 */
function greyLines8(o: Float32Array, w: Float32Array, n: number, base: number, step: number, stride: number, wBase: number, wLine: number, wStep: number): void {
  greySweep8(o, w, n - 1, base, step, stride, wBase + wStep, wStep, wLine);
  greySweep8(o, w, n - 1, base + (n - 1) * step, -step, stride, wBase + (n - 1) * wStep, -wStep, wLine);
}

/** One RF sweep of eight grey lines (see rgbSweep4). */
function greySweep8(o: Float32Array, w: Float32Array, count: number, p: number, dp: number, stride: number, wq: number, dw: number, wLine: number): void {
  let a = o[p], b = o[p + stride], c = o[p + 2 * stride], d = o[p + 3 * stride];
  let e = o[p + 4 * stride], g = o[p + 5 * stride], h = o[p + 6 * stride], k = o[p + 7 * stride];
  for (let i = 0; i < count; i++, wq += dw) {
    p += dp;
    let q = p;
    let t = wq;
    let s = o[q];
    o[q] = a = f(s + ((a - s) * w[t]));
    s = o[(q += stride)];
    o[q] = b = f(s + ((b - s) * w[(t += wLine)]));
    s = o[(q += stride)];
    o[q] = c = f(s + ((c - s) * w[(t += wLine)]));
    s = o[(q += stride)];
    o[q] = d = f(s + ((d - s) * w[(t += wLine)]));
    s = o[(q += stride)];
    o[q] = e = f(s + ((e - s) * w[(t += wLine)]));
    s = o[(q += stride)];
    o[q] = g = f(s + ((g - s) * w[(t += wLine)]));
    s = o[(q += stride)];
    o[q] = h = f(s + ((h - s) * w[(t += wLine)]));
    s = o[(q += stride)];
    o[q] = k = f(s + ((k - s) * w[(t += wLine)]));
  }
}

/**
 * One RF sweep of four RGB lines whose weights come from KeyedWeights' table: from sample p of line 0 (and
 * p + k·stride of line k), `count` steps of dp; the key of line k's first step at keys[q + k·qLine], the next
 * ones dq apart (rows: qLine = W, dq = ±1; columns: qLine = 1, dq = ±W). Each sample's previous one is kept in a
 * local: reading it back from the array would put a store-to-load forwarding delay into each recursion's critical
 * path. Same arithmetic as a plain loop (the locals hold the very float32 values stored), RF_UPDATE's. Reading
 * table[key] here rather than a filled weight buffer saves a write and a read of every weight.
 */
function rgbSweep4(o: Float32Array, keys: Uint16Array, table: Float32Array, count: number, p: number, dp: number, stride: number, q: number, dq: number, qLine: number): void {
  const q2 = 2 * qLine, q3 = 3 * qLine;
  let a0 = o[p], a1 = o[p + 1], a2 = o[p + 2];
  let b0 = o[p + stride], b1 = o[p + stride + 1], b2 = o[p + stride + 2];
  let c0 = o[p + 2 * stride], c1 = o[p + 2 * stride + 1], c2 = o[p + 2 * stride + 2];
  let d0 = o[p + 3 * stride], d1 = o[p + 3 * stride + 1], d2 = o[p + 3 * stride + 2];
  for (let i = 0; i < count; i++, q += dq) {
    p += dp;
    let v = table[keys[q]];
    let r = p;
    let s = o[r];
    o[r] = a0 = f(s + (a0 - s) * v);
    s = o[r + 1];
    o[r + 1] = a1 = f(s + (a1 - s) * v);
    s = o[r + 2];
    o[r + 2] = a2 = f(s + (a2 - s) * v);
    v = table[keys[q + qLine]];
    r += stride;
    s = o[r];
    o[r] = b0 = f(s + (b0 - s) * v);
    s = o[r + 1];
    o[r + 1] = b1 = f(s + (b1 - s) * v);
    s = o[r + 2];
    o[r + 2] = b2 = f(s + (b2 - s) * v);
    v = table[keys[q + q2]];
    r += stride;
    s = o[r];
    o[r] = c0 = f(s + (c0 - s) * v);
    s = o[r + 1];
    o[r + 1] = c1 = f(s + (c1 - s) * v);
    s = o[r + 2];
    o[r + 2] = c2 = f(s + (c2 - s) * v);
    v = table[keys[q + q3]];
    r += stride;
    s = o[r];
    o[r] = d0 = f(s + (d0 - s) * v);
    s = o[r + 1];
    o[r + 1] = d1 = f(s + (d1 - s) * v);
    s = o[r + 2];
    o[r + 2] = d2 = f(s + (d2 - s) * v);
  }
}

/**
 * rgbLines4 whose causal sweep reads its samples as UNIT[px[i]] (8-bit input at the same index as o, the first pass
 * of smooth) and writes them to o: the unit values are never stored before they are filtered.
 */
function rgbLines4From(o: Float32Array, px: Uint8Array, keys: Uint16Array, table: Float32Array, n: number, base: number, step: number, stride: number, kBase: number, kLine: number, kStep: number): void {
  rgbSweep4From(o, px, keys, table, n - 1, base, step, stride, kBase + kStep, kStep, kLine);
  rgbSweep4(o, keys, table, n - 1, base + (n - 1) * step, -step, stride, kBase + (n - 1) * kStep, -kStep, kLine);
}

/**
 * rgbSweep4 reading each sample as UNIT[px[i]], the first ones included (which it writes to o as they are). Storing
 * the unit values in keysRgb cost ~2.2 ms of its ~6.9 at 1 MP; smooth's first step 12.2 → 11.0 and 11.8 → 11.3 ms
 * without them (medians; minima 11.7 → 10.7, 11.3 → 11.0; same-process A/B, 20 rounds, astronaut and coffee). A copy
 * of rgbSweep4 but for where a sample comes from, kept for that: converting each group of rows into o just before
 * the plain sweep (recursiveRows' loop for other weights) took the step from 11.2–11.3 to 14.4–15.0 ms (medians of
 * 11, five alternating process pairs on one vCPU, astronaut 1024², session 7).
 */
function rgbSweep4From(o: Float32Array, px: Uint8Array, keys: Uint16Array, table: Float32Array, count: number, p: number, dp: number, stride: number, q: number, dq: number, qLine: number): void {
  const u = UNIT;
  const q2 = 2 * qLine, q3 = 3 * qLine;
  for (let k = 0, r = p; k < 4; k++, r += stride) {
    o[r] = u[px[r]];
    o[r + 1] = u[px[r + 1]];
    o[r + 2] = u[px[r + 2]];
  }
  let a0 = o[p], a1 = o[p + 1], a2 = o[p + 2];
  let b0 = o[p + stride], b1 = o[p + stride + 1], b2 = o[p + stride + 2];
  let c0 = o[p + 2 * stride], c1 = o[p + 2 * stride + 1], c2 = o[p + 2 * stride + 2];
  let d0 = o[p + 3 * stride], d1 = o[p + 3 * stride + 1], d2 = o[p + 3 * stride + 2];
  for (let i = 0; i < count; i++, q += dq) {
    p += dp;
    let v = table[keys[q]];
    let r = p;
    let s = u[px[r]];
    o[r] = a0 = f(s + (a0 - s) * v);
    s = u[px[r + 1]];
    o[r + 1] = a1 = f(s + (a1 - s) * v);
    s = u[px[r + 2]];
    o[r + 2] = a2 = f(s + (a2 - s) * v);
    v = table[keys[q + qLine]];
    r += stride;
    s = u[px[r]];
    o[r] = b0 = f(s + (b0 - s) * v);
    s = u[px[r + 1]];
    o[r + 1] = b1 = f(s + (b1 - s) * v);
    s = u[px[r + 2]];
    o[r + 2] = b2 = f(s + (b2 - s) * v);
    v = table[keys[q + q2]];
    r += stride;
    s = u[px[r]];
    o[r] = c0 = f(s + (c0 - s) * v);
    s = u[px[r + 1]];
    o[r + 1] = c1 = f(s + (c1 - s) * v);
    s = u[px[r + 2]];
    o[r + 2] = c2 = f(s + (c2 - s) * v);
    v = table[keys[q + q3]];
    r += stride;
    s = u[px[r]];
    o[r] = d0 = f(s + (d0 - s) * v);
    s = u[px[r + 1]];
    o[r + 1] = d1 = f(s + (d1 - s) * v);
    s = u[px[r + 2]];
    o[r + 2] = d2 = f(s + (d2 - s) * v);
  }
}

/**
 * The RF sweeps of four RGB lines at once with keyed weights: sample x of line k at o[base + k·stride + x·step]
 * (rows: step 3, stride 3W; columns: step 3W, stride 3), its key at keys[kBase + k·kLine + x·kStep]. The causal
 * sweep uses the weight of each sample, the anticausal one that of the sample after it.
 */
function rgbLines4(o: Float32Array, keys: Uint16Array, table: Float32Array, n: number, base: number, step: number, stride: number, kBase: number, kLine: number, kStep: number): void {
  rgbSweep4(o, keys, table, n - 1, base, step, stride, kBase + kStep, kStep, kLine);
  rgbSweep4(o, keys, table, n - 1, base + (n - 1) * step, -step, stride, kBase + (n - 1) * kStep, -kStep, kLine);
}

/** The RF sweeps of one RGB line (see rgbLines4). */
function rgbLines1(o: Float32Array, w: Float32Array, n: number, base: number, step: number, wBase: number, wStep: number): void {
  rgbSweep1(o, w, n - 1, base, step, wBase + wStep, wStep);
  rgbSweep1(o, w, n - 1, base + (n - 1) * step, -step, wBase + (n - 1) * wStep, -wStep);
}

function rgbSweep1(o: Float32Array, w: Float32Array, count: number, p: number, dp: number, wq: number, dw: number): void {
  let a0 = o[p], a1 = o[p + 1], a2 = o[p + 2];
  for (let i = 0; i < count; i++, wq += dw) {
    p += dp;
    const v = w[wq];
    let s = o[p];
    o[p] = a0 = f(s + ((a0 - s) * v));
    s = o[p + 1];
    o[p + 1] = a1 = f(s + ((a1 - s) * v));
    s = o[p + 2];
    o[p + 2] = a2 = f(s + ((a2 - s) * v));
  }
}

/** The RF sweeps of columns [x, x + cols) of a grey image (`width` samples a row), row by row; their weights are w[y·RF_STRIP + j0 + j]. */
function greyColumns(o: Float32Array, w: Float32Array, width: number, height: number, x: number, cols: number, j0: number): void {
  for (let y = 1; y < height; y++) {
    for (let j = 0, p = y * width + x, t = y * RF_STRIP + j0; j < cols; j++, p++, t++) o[p] = f(o[p] + ((o[p - width] - o[p]) * w[t]));
  }
  for (let y = height - 2; y >= 0; y--) {
    for (let j = 0, p = y * width + x, t = (y + 1) * RF_STRIP + j0; j < cols; j++, p++, t++) o[p] = f(o[p] + ((o[p + width] - o[p]) * w[t]));
  }
}

/** Columns whose weights the vertical RF pass computes at once (64 measured as fast as 128, faster than 32). */
export const RF_STRIP = 64;

/**
 * Vertical RF pass over columns [x0, x1) (1 or 3 interleaved channels), in strips of RF_STRIP columns: the strip's
 * weights go to w (H·RF_STRIP floats, row by row), then its columns are swept down and up the image as lines,
 * four RGB or eight grey columns at a time with the previous samples in locals (rgbLines4, greyLines8): the
 * columns of a group share each cache line read, and their recursions overlap.
 */
export function recursiveColumns(o: Float32Array, ch: number, width: number, height: number, weights: Weights, w: Float32Array, x0: number, x1: number, pitch = width * ch, wPitch = width): void {
  if (ch === 3 && weights instanceof KeyedWeights) {
    // As in recursiveRows: four columns at a time read their weights from the keys; the rest go the general way.
    const { n: keys, table } = weights;
    for (; x0 + 4 <= x1; x0 += 4) rgbLines4(o, keys, table, height, x0 * 3, pitch, 3, x0, 1, wPitch);
  }
  if (ch === 1 && weights instanceof SquaringWeights) {
    // As in recursiveRows: full-size weights are read where they are, eight columns at a time.
    for (; x0 + 8 <= x1; x0 += 8) {
      weights.prepareStrided(x0, wPitch, height, 8);
      greyLines8(o, weights.w, height, x0, pitch, 1, x0, 1, wPitch);
    }
  }
  for (let xs = x0; xs < x1; xs += RF_STRIP) {
    const cols = Math.min(RF_STRIP, x1 - xs);
    for (let y = 1; y < height; y++) weights.fill(y * wPitch + xs, cols, w, y * RF_STRIP);
    let j = 0;
    if (ch === 3) {
      for (; j < cols; j++) rgbLines1(o, w, height, (xs + j) * 3, pitch, j, RF_STRIP);
    } else {
      for (; j + 8 <= cols; j += 8) greyLines8(o, w, height, xs + j, pitch, 1, j, 1, RF_STRIP);
      if (j < cols) greyColumns(o, w, pitch, height, xs + j, cols - j, j);
    }
  }
}

let sentinelRow = new Float32Array(0);

/**
 * For each sample j of a row, the window [lo[j], hi[j]) of samples k with ct[j] − r < ct[k] ≤ ct[j] + r.
 * ct is read at cBase + k·cStride and increases strictly, so two pointers that only move forward suffice. The row
 * is copied into `row` (n + SENTINELS floats) ending with +∞, which stops the upper pointer without a bounds test.
 * A pointer mostly moves by 0, 1 or 2 samples, in no predictable pattern: it first moves by the number of the
 * next three samples at or below its bound, branch-free and with the three loads independent of each other (ct
 * increases, so those samples are a prefix of the three), and then loops for the rest, which the branch
 * predictor gets right nearly always.
 */
export function windowBounds(ct: Float32Array, cBase: number, cStride: number, n: number, r: number, lo: Int32Array, hi: Int32Array, row?: Float32Array): void {
  if (!row) {
    if (sentinelRow.length < n + SENTINELS) sentinelRow = new Float32Array(n + SENTINELS);
    row = sentinelRow;
  }
  for (let j = 0, q = cBase; j < n; j++, q += cStride) row[j] = ct[q];
  row.fill(Infinity, n, n + SENTINELS);
  sentinelWindowBounds(row, n, r, lo, hi);
}

/** windowBounds of a line already in place: row[at..at + n) increasing, row[at + n..at + n + SENTINELS) = +∞. */
export function sentinelWindowBounds(row: Float32Array, n: number, r: number, lo: Int32Array, hi: Int32Array): void {
  let l = 0;
  let u = 0;
  for (let j = 0; j < n; j++) {
    const c = row[j];
    const low = f(c - r);
    const high = f(c + r);
    l += +(row[l] <= low) + +(row[l + 1] <= low) + +(row[l + 2] <= low);
    while (row[l] <= low) l++;
    u += +(row[u] <= high) + +(row[u + 1] <= high) + +(row[u + 2] <= high);
    while (row[u] <= high) u++;
    lo[j] = l;
    hi[j] = u;
  }
}

/**
 * Adds each window's size u − l (see windowBounds) of four lines to `sizes`: of line k (k < 4), ct[at[k]..at[k] + n)
 * followed by its sentinels, to sizes[to[k] + j·step]. Only the first `lines` are added: a caller with fewer lines
 * left repeats its last one in the other slots, whose sizes must not be added twice. Four lines at a time because
 * each line's pointers are a chain of loads and compares: the chains overlap (the pencil pass's row windows ~10%
 * faster than two lines at a time: same-process A/B at 1 MP, 20 rounds, minima 6.2 against 7.0 ms).
 */
function addWindowSizes4(ct: Float32Array, at: Int32Array, n_: number, r_: number, sizes: Float32Array, to: Int32Array, step_: number, lines: number): void {
  // Converted once (see boxLineQuad).
  const n = n_ | 0, step = step_ | 0;
  const a = at[0], b = at[1], c = at[2], d = at[3];
  const tb = +(lines > 1), tc = +(lines > 2), td = +(lines > 3);
  const r = Math.max(r_, 0);
  let l = a, u = a, l2 = b, u2 = b, l3 = c, u3 = c, l4 = d, u4 = d;
  for (let j = 0, i = to[0], i2 = to[1], i3 = to[2], i4 = to[3]; j < n; j++, i += step, i2 += step, i3 += step, i4 += step) {
    const v = ct[a + j], low = f(v - r), high = f(v + r);
    const v2 = ct[b + j], low2 = f(v2 - r), high2 = f(v2 + r);
    const v3 = ct[c + j], low3 = f(v3 - r), high3 = f(v3 + r);
    const v4 = ct[d + j], low4 = f(v4 - r), high4 = f(v4 + r);
    l += +(ct[l] <= low) + +(ct[l + 1] <= low) + +(ct[l + 2] <= low);
    u += +(ct[u] <= high) + +(ct[u + 1] <= high) + +(ct[u + 2] <= high);
    l2 += +(ct[l2] <= low2) + +(ct[l2 + 1] <= low2) + +(ct[l2 + 2] <= low2);
    u2 += +(ct[u2] <= high2) + +(ct[u2 + 1] <= high2) + +(ct[u2 + 2] <= high2);
    l3 += +(ct[l3] <= low3) + +(ct[l3 + 1] <= low3) + +(ct[l3 + 2] <= low3);
    u3 += +(ct[u3] <= high3) + +(ct[u3 + 1] <= high3) + +(ct[u3 + 2] <= high3);
    l4 += +(ct[l4] <= low4) + +(ct[l4 + 1] <= low4) + +(ct[l4 + 2] <= low4);
    u4 += +(ct[u4] <= high4) + +(ct[u4 + 1] <= high4) + +(ct[u4 + 2] <= high4);
    while (ct[l] <= low) l++;
    while (ct[u] <= high) u++;
    while (ct[l2] <= low2) l2++;
    while (ct[u2] <= high2) u2++;
    while (ct[l3] <= low3) l3++;
    while (ct[u3] <= high3) u3++;
    while (ct[l4] <= low4) l4++;
    while (ct[u4] <= high4) u4++;
    sizes[i] += u - l;
    sizes[i2] += (u2 - l2) * tb;
    sizes[i3] += (u3 - l3) * tc;
    sizes[i4] += (u4 - l4) * td;
  }
}

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

/**
 * NC scratch for one thread: the prefix sums of four lines. Float64, though every sum is a float32 value: the means
 * then read them without a float32 → float64 conversion each (six per sample), ~4% of a pass.
 */
export class BoxScratch {
  readonly s1: Float64Array;
  readonly s2: Float64Array;
  readonly s3: Float64Array;
  readonly s4: Float64Array;
  readonly recip: Float64Array;
  constructor(width: number, height: number) {
    const n = Math.max(width, height);
    this.s1 = new Float64Array((n + 1) * 3);
    this.s2 = new Float64Array((n + 1) * 3);
    this.s3 = new Float64Array((n + 1) * 3);
    this.s4 = new Float64Array((n + 1) * 3);
    this.recip = reciprocalTable(n);
  }
}
keepShape(new BoxScratch(1, 1));

/**
 * NC of four lines of n RGB samples in place (sample x of line a at o[a + x·step], and so for b, c, d), their
 * coordinates in ct[ca..ca + n), ct[cb..), ct[cc..), ct[cd..), each followed by the +∞ sentinels: each sample
 * becomes its window's mean. Four lines at a time because a line's work is chains (its running sums, its two
 * pointers): the four lines' chains overlap, and the loops' fixed costs are paid once for all. Against two lines
 * at a time, the six NC passes of stylization went from 73.7 to 68.6 ms on astronaut 1024² (coffee 71.3 → 67.7,
 * camera 72.4 → 67.0, horse 66.1 → 61.4; medians of 13 interleaved rounds, identical output); two lines had been
 * 11% faster than one. Computing the four lines' windows into arrays first and the means in a loop of their own
 * was 9–22% slower. Lines may repeat (the last group of a range): they then compute the same values, and
 * writing them twice is harmless. The pointer steps are addWindowSizes4's, written out again on purpose: a helper
 * shared by both would keep the eight pointers in memory between calls, as that slower variant did.
 *
 * The scalar parameters are converted to int32 and float64 once, before the loops (`| 0`, Math.max): used inside a
 * loop as they come, V8 checks and converts a tagged parameter again at every use (−7% alone, −17% with two lines).
 */
function boxLineQuad(o: Float32Array, a_: number, b_: number, c_: number, d_: number, step_: number, n_: number, ct: Float32Array, ca_: number, cb_: number, cc_: number, cd_: number, r_: number, s: BoxScratch): void {
  const a = a_ | 0, b = b_ | 0, c = c_ | 0, d = d_ | 0, step = step_ | 0, n = n_ | 0, ca = ca_ | 0, cb = cb_ | 0, cc = cc_ | 0, cd = cd_ | 0;
  const r = Math.max(r_, 0);
  const { s1, s2, s3, s4, recip } = s;
  s1[0] = s1[1] = s1[2] = 0;
  s2[0] = s2[1] = s2[2] = 0;
  s3[0] = s3[1] = s3[2] = 0;
  s4[0] = s4[1] = s4[2] = 0;
  // The running sums in locals: reading back the one just stored would wait on the store.
  let a0 = 0, a1 = 0, a2 = 0, b0 = 0, b1 = 0, b2 = 0, c0 = 0, c1 = 0, c2 = 0, d0 = 0, d1 = 0, d2 = 0;
  for (let i = 3, p = 0; i <= n * 3; i += 3, p += step) {
    s1[i] = a0 = f(a0 + o[a + p]);
    s1[i + 1] = a1 = f(a1 + o[a + p + 1]);
    s1[i + 2] = a2 = f(a2 + o[a + p + 2]);
    s2[i] = b0 = f(b0 + o[b + p]);
    s2[i + 1] = b1 = f(b1 + o[b + p + 1]);
    s2[i + 2] = b2 = f(b2 + o[b + p + 2]);
    s3[i] = c0 = f(c0 + o[c + p]);
    s3[i + 1] = c1 = f(c1 + o[c + p + 1]);
    s3[i + 2] = c2 = f(c2 + o[c + p + 2]);
    s4[i] = d0 = f(d0 + o[d + p]);
    s4[i + 1] = d1 = f(d1 + o[d + p + 1]);
    s4[i + 2] = d2 = f(d2 + o[d + p + 2]);
  }
  // The pointers as in windowBounds, inline (each indexes ct directly).
  let l1 = ca, u1 = ca, l2 = cb, u2 = cb, l3 = cc, u3 = cc, l4 = cd, u4 = cd;
  for (let x = 0, p = 0; x < n; x++, p += step) {
    const v1 = ct[ca + x], lo1 = f(v1 - r), hi1 = f(v1 + r);
    const v2 = ct[cb + x], lo2 = f(v2 - r), hi2 = f(v2 + r);
    const v3 = ct[cc + x], lo3 = f(v3 - r), hi3 = f(v3 + r);
    const v4 = ct[cd + x], lo4 = f(v4 - r), hi4 = f(v4 + r);
    l1 += +(ct[l1] <= lo1) + +(ct[l1 + 1] <= lo1) + +(ct[l1 + 2] <= lo1);
    u1 += +(ct[u1] <= hi1) + +(ct[u1 + 1] <= hi1) + +(ct[u1 + 2] <= hi1);
    l2 += +(ct[l2] <= lo2) + +(ct[l2 + 1] <= lo2) + +(ct[l2 + 2] <= lo2);
    u2 += +(ct[u2] <= hi2) + +(ct[u2 + 1] <= hi2) + +(ct[u2 + 2] <= hi2);
    l3 += +(ct[l3] <= lo3) + +(ct[l3 + 1] <= lo3) + +(ct[l3 + 2] <= lo3);
    u3 += +(ct[u3] <= hi3) + +(ct[u3 + 1] <= hi3) + +(ct[u3 + 2] <= hi3);
    l4 += +(ct[l4] <= lo4) + +(ct[l4 + 1] <= lo4) + +(ct[l4 + 2] <= lo4);
    u4 += +(ct[u4] <= hi4) + +(ct[u4 + 1] <= hi4) + +(ct[u4 + 2] <= hi4);
    while (ct[l1] <= lo1) l1++;
    while (ct[u1] <= hi1) u1++;
    while (ct[l2] <= lo2) l2++;
    while (ct[u2] <= hi2) u2++;
    while (ct[l3] <= lo3) l3++;
    while (ct[u3] <= hi3) u3++;
    while (ct[l4] <= lo4) l4++;
    while (ct[u4] <= hi4) u4++;
    let inv = recip[u1 - l1], sl = (l1 - ca) * 3, su = (u1 - ca) * 3, q = a + p;
    o[q] = f(f(s1[su] - s1[sl]) * inv);
    o[q + 1] = f(f(s1[su + 1] - s1[sl + 1]) * inv);
    o[q + 2] = f(f(s1[su + 2] - s1[sl + 2]) * inv);
    inv = recip[u2 - l2]; sl = (l2 - cb) * 3; su = (u2 - cb) * 3; q = b + p;
    o[q] = f(f(s2[su] - s2[sl]) * inv);
    o[q + 1] = f(f(s2[su + 1] - s2[sl + 1]) * inv);
    o[q + 2] = f(f(s2[su + 2] - s2[sl + 2]) * inv);
    inv = recip[u3 - l3]; sl = (l3 - cc) * 3; su = (u3 - cc) * 3; q = c + p;
    o[q] = f(f(s3[su] - s3[sl]) * inv);
    o[q + 1] = f(f(s3[su + 1] - s3[sl + 1]) * inv);
    o[q + 2] = f(f(s3[su + 2] - s3[sl + 2]) * inv);
    inv = recip[u4 - l4]; sl = (l4 - cd) * 3; su = (u4 - cd) * 3; q = d + p;
    o[q] = f(f(s4[su] - s4[sl]) * inv);
    o[q + 1] = f(f(s4[su + 1] - s4[sl + 1]) * inv);
    o[q + 2] = f(f(s4[su + 2] - s4[sl + 2]) * inv);
  }
}

/**
 * Horizontal NC pass over rows [y0, y1) of an RGB float image, in place, four rows at a time (see boxLineQuad):
 * each sample becomes its window's mean. ct holds the rows' coordinates as lines (see rowCoordinateLines).
 */
export function boxRows(o: Float32Array, width: number, ct: Float32Array, r: number, s: BoxScratch, y0: number, y1: number): void {
  const line = width + SENTINELS;
  for (let y = y0; y < y1; y += 4) {
    const y2 = Math.min(y + 1, y1 - 1), y3 = Math.min(y + 2, y1 - 1), y4 = Math.min(y + 3, y1 - 1);
    boxLineQuad(o, y * width * 3, y2 * width * 3, y3 * width * 3, y4 * width * 3, 3, width, ct, y * line, y2 * line, y3 * line, y4 * line, r, s);
  }
}

/**
 * Vertical NC pass over columns [x0, x1) of an RGB float image; ct holds the columns' coordinates as lines (see
 * columnCoordinateLines). Each column is filtered as a row is, four neighbours at a time walking down the image:
 * neighbouring columns then share the cache lines just read (measured faster, with two, than sweeping strips row
 * by row, and than copying strips out column-contiguous).
 */
export function boxColumns(o: Float32Array, width: number, height: number, ct: Float32Array, r: number, s: BoxScratch, x0: number, x1: number): void {
  const line = height + SENTINELS;
  for (let x = x0; x < x1; x += 4) {
    const x2 = Math.min(x + 1, x1 - 1), x3 = Math.min(x + 2, x1 - 1), x4 = Math.min(x + 3, x1 - 1);
    boxLineQuad(o, x * 3, x2 * 3, x3 * 3, x4 * 3, width * 3, height, ct, x * line, x2 * line, x3 * line, x4 * line, r, s);
  }
}

/** Rows of coordinates addRowWindowSizesRgb keeps at a time: its scratch is PEN_ROWS·(W + SENTINELS) floats. */
export const PEN_ROWS = 4;

/**
 * Adds each sample's window size along its row to `sizes`, rows [y0, y1) of an RGB image, four rows at a time: the
 * coordinates of the four go straight into `rows` (PEN_ROWS·(W + SENTINELS) floats of scratch), never to a
 * full-size buffer.
 */
export function addRowWindowSizesRgb(px: Uint8Array, width: number, k: number, r: number, sizes: Float32Array, rows: Float32Array, y0: number, y1: number): void {
  const line = width + SENTINELS;
  const at = new Int32Array(4), to = new Int32Array(4);
  for (let j = 0; j < 4; j++) {
    at[j] = j * line;
    rows.fill(Infinity, j * line + width, (j + 1) * line);
  }
  for (let y = y0; y < y1; y += 4) {
    // Rows past the range repeat its last one (not added: see addWindowSizes4).
    for (let j = 0; j < 4; j++) to[j] = Math.min(y + j, y1 - 1) * width;
    rowCoordinatePair(px, width, k, y, Math.min(y + 1, y1 - 1), rows, 0, line);
    rowCoordinatePair(px, width, k, Math.min(y + 2, y1 - 1), Math.min(y + 3, y1 - 1), rows, 2 * line, 3 * line);
    addWindowSizes4(rows, at, width, r, sizes, to, 1, y1 - y);
  }
}

/**
 * Adds each sample's window size down its column to `sizes`, columns [x0, x1) of an RGB image, in strips of STRIP
 * columns. A strip's coordinates go to `strip` (STRIP·(H + SENTINELS) floats of scratch, each column's contiguous
 * and followed by its sentinels) rather than a full-size buffer, and each column's windows are then found as a
 * row's are, four columns at a time.
 */
export function addColumnWindowSizesRgb(px: Uint8Array, width: number, height: number, k: number, r: number, sizes: Float32Array, strip: Float32Array, x0: number, x1: number): void {
  const line = height + SENTINELS;
  const at = new Int32Array(4), to = new Int32Array(4);
  for (let xs = x0; xs < x1; xs += STRIP) {
    const cols = Math.min(STRIP, x1 - xs);
    columnCoordinateLines(px, width, height, k, xs, xs + cols, strip, 0);
    for (let j = 0; j < cols; j += 4) {
      for (let i = 0; i < 4; i++) {
        const jj = Math.min(j + i, cols - 1);
        at[i] = jj * line;
        to[i] = xs + jj;
      }
      addWindowSizes4(strip, at, height, r, sizes, to, width, cols - j);
    }
  }
}
