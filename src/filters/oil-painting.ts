/**
 * cv::xphoto::oilPainting: each pixel takes the mean colour of the pixels of the most frequent quantised
 * luminance in the (2·size+1)² window around it (cut at the image edge). Integer arithmetic throughout, so the
 * result is exact. The window's counts slide along each row (the column leaving is removed, the column entering
 * added); its colour sums come from per-column sums that slide down the image.
 */
import type { StyleParams } from './registry.js';
import { keepShape, type Step, type Workspace } from './workspace.js';

const f = Math.fround;

/** OpenCV's 8-bit BGR2GRAY: (3735·B + 19235·G + 9798·R + 16384) >> 15. */
export function luminance(r: number, g: number, b: number): number {
  return (3735 * b + 19235 * g + 9798 * r + 16384) >> 15;
}

/**
 * floor(s/c) for integers s ≥ 0, c > 0 (here s/c ≤ 255, c < 2^12): the division is correctly rounded, and a
 * quotient that is not an integer lies at least 1/c ≥ 2^-12 below the next one, far more than its rounding error
 * (≤ 2^-45), so the floor is exact.
 */
export function floorQuotient(s: number, c: number): number {
  return Math.floor(s / c);
}

/** 1.5·2^52: adding it to a double in [0, 2^51) leaves no fraction bits, so the sum is rounded to an integer. */
const ROUND_EVEN = 6755399441055744;

/**
 * Half-to-even rounding of the non-negative rational s/c (here s/c ≤ 255, c < 2^12). The division is correctly
 * rounded: a tie m + ½ is exact in double and comes out exactly, and any other quotient lies at least 1/(2c) ≥
 * 2^-13 from the nearest half, far more than the division's error (≤ 2^-45), so it stays on its side. Adding
 * ROUND_EVEN then rounds it as IEEE 754 does, to nearest with ties to even (cvRound's rule), and subtracting it
 * leaves that integer. The mean of 72% of the pixels goes through here on astronaut (three channels each): against
 * the multiply by a table of reciprocals and the exact-remainder check of ties it replaces, the histogram step went
 * from 90.5 to 84.0 ms on astronaut 1024² and 95.6 → 88.4 on coffee (medians of 15 interleaved rounds; minima
 * 88.9 → 81.7, 92.3 → 85.9).
 */
export function roundQuotient(s: number, c: number): number {
  return s / c + ROUND_EVEN - ROUND_EVEN;
}

/**
 * Columns painted per band: the column sums (256 levels × the band and its margins, 8 bytes each) stay about
 * half a MiB however wide the image, inside the core's L2 cache (bands of 256: histogram step ~4% faster than
 * 2048 at 1 MP and at 4 MP; 512 about the same).
 */
export const BAND = 256;

/**
 * Per-column histograms of colour sums, colSums[bin·stride + x − from] = Σ colours of column x's pixels of that
 * bin within the window's rows (columns [from, to) of a band), which move down one row at a time (one pixel
 * leaves and one enters per column: 2 updates per pixel instead of 30). The three colour sums are packed into one
 * double (R + G·F + B·F², exact while every sum is below F) when the window is small enough; for larger radii B
 * gets its own array.
 */
class ColumnSums {
  /** Per-column sums of the current band: bin·stride + (x − from). */
  readonly colSums: Float64Array;
  readonly colBlues: Float64Array | null;
  readonly field: number;
  readonly f2: number;
  readonly stride: number;
  /** Columns [from, to) of the current band's column sums. */
  from = 0;
  to = 0;

  constructor(readonly radius: number, readonly width: number) {
    const side = 2 * radius + 1;
    const need = Math.ceil(Math.log2(255 * side * side + 1));
    this.field = 2 ** need;
    const split = 3 * need > 53;
    this.f2 = split ? 0 : this.field * this.field;
    this.stride = Math.min(width, BAND + 2 * radius);
    this.colSums = new Float64Array(256 * this.stride);
    this.colBlues = split ? new Float64Array(256 * this.stride) : null;
  }

  /** Starts the column sums of columns [from, to) over rows [top, bottom]. */
  startBand(rgb: Uint8Array, q: Uint8Array, from: number, to: number, top: number, bottom: number): void {
    this.from = from;
    this.to = to;
    this.colSums.fill(0);
    this.colBlues?.fill(0);
    for (let y = top; y <= bottom; y++) this.moveRow(rgb, q, y, 1);
  }

  /** Adds (sign 1) or removes (sign −1) row y's pixels to the column sums. */
  moveRow(rgb: Uint8Array, q: Uint8Array, y: number, sign: number): void {
    const { colSums, colBlues, width, field, f2, stride, from } = this;
    for (let x = from, i = y * width + x, o = i * 3; x < this.to; x++, i++, o += 3) {
      const at = q[i] * stride + x - from;
      colSums[at] += sign * (rgb[o] + rgb[o + 1] * field + rgb[o + 2] * f2);
      if (colBlues) colBlues[at] += sign * rgb[o + 2];
    }
  }

  /**
   * Moves the column sums down a row: row `gone` leaves, row `enter` enters (one loop, to overlap the two). A loop
   * per layout, with the column counted from 0 and the colour offsets stepped by 3, rather than a test of colBlues
   * and products inside one: histogram step (which includes this) 85.7 → 84.6 ms on camera 1024², astronaut 83.4
   * → 82.4, coffee 88.3 → 86.9, horse 43.6 → 40.9 (minima of 19 interleaved rounds; medians 1–4% lower as well).
   */
  slideRow(rgb: Uint8Array, q: Uint8Array, gone: number, enter: number): void {
    const { colSums, colBlues, width, field, f2, stride, from, to } = this;
    if (colBlues) {
      for (let x = from, i = gone * width + x, j = enter * width + x; x < to; x++, i++, j++) {
        const a = q[i] * stride + x - from;
        const b = q[j] * stride + x - from;
        colSums[a] -= rgb[i * 3] + rgb[i * 3 + 1] * field;
        colSums[b] += rgb[j * 3] + rgb[j * 3 + 1] * field;
        colBlues[a] -= rgb[i * 3 + 2];
        colBlues[b] += rgb[j * 3 + 2];
      }
      return;
    }
    for (let c = 0, e = to - from, i = gone * width + from, j = enter * width + from, o = i * 3, p = j * 3; c < e; c++, i++, j++, o += 3, p += 3) {
      colSums[q[i] * stride + c] -= rgb[o] + rgb[o + 1] * field + rgb[o + 2] * f2;
      colSums[q[j] * stride + c] += rgb[p] + rgb[p + 1] * field + rgb[p + 2] * f2;
    }
  }
}
keepShape(new ColumnSums(7, 16));

/**
 * The histogram of one window. Along a row only the counts slide (a column leaves, a column enters): a count is
 * one integer per pixel update, where a colour sum would be a second read-modify-write on the critical path. The
 * colour sums come from per-column histograms of sums (ColumnSums). The mode's sum is the sum of colSums over the
 * window's 2·radius + 1 columns, updated by the column entering and the one leaving while the mode level stays
 * the same.
 *
 * The mode is tracked incrementally as a key max·256 + bin. Bins are numbered 255 − level (quantise), so that on
 * equal counts the larger key is the lower level, the one OpenCV's scan keeps, without a subtraction per pixel
 * update (~2 ms of the step at 1 MP). Along a row each step removes a column and adds one; an add can only make
 * its own bin the mode, and max never falls during a step, so it bounds every count. Only when the mode bin ends
 * the step with fewer pixels than that bound must the bins be searched again, and then only between the lowest
 * and highest bins present, several counts per 32-bit word.
 *
 * Two classes with the same paintRow but for the width of a count: 16 bits (two counts per word searched) for
 * any window, 8 bits (four per word) when the window holds at most 255 pixels, radius ≤ 7, the default. Halving
 * the words searched took the histogram step from 112.4 to 104.9 ms (astronaut 1024², minimum of 12 interleaved
 * rounds; coffee 115.0 → 107.4). One paintRow over either array would see two element kinds: once a process
 * has painted both, V8's polymorphic code made the step ~30% slower (147 → 184 ms), hence the two copies.
 *
 * WordHistogram: counts of 16 bits, for any window up to radius 20 (41² pixels).
 */
class WordHistogram {
  readonly count = new Uint16Array(256);
  /** The counts two by two, for the search of the mode. */
  readonly pairs = new Uint32Array(this.count.buffer);

  constructor(readonly radius: number, readonly width: number) {}

  /** Paints pixels [xa, xb) of row y; the column sums hold columns [max(0, xa − radius), min(W, xb + radius)). */
  paintRow(sums: ColumnSums, q: Uint8Array, height: number, y: number, xa: number, xb: number, truncate: boolean, out: Uint8Array): void {
    const { count, pairs, radius, width } = this;
    const { colSums, colBlues, field, f2, stride, from, to } = sums;
    const inv1 = 1 / field;
    const inv2 = colBlues ? 0 : 1 / f2;
    const top = Math.max(0, y - radius);
    const bottom = Math.min(height - 1, y + radius);
    const span = (bottom - top) * width;
    count.fill(0);
    // The mode as one key, max·256 + best: a larger count wins, then a higher bin (a lower level).
    let key = 0;
    // From x = probe on, steps take the flat-stretch loop.
    let probe = 0;
    let lo = 256;
    let hi = -1;
    // The mode bin of the previous pixel and its colour sum(s) over the previous window's columns.
    let prevBest = -1;
    let s = 0;
    let sb = 0;
    // The last mean painted, reused while the mode bin's count and sum stay the same (flat areas).
    let lastN = -1;
    let lastS = -1;
    let r0 = 0, g0 = 0, b0 = 0;
    // From the x whose window's last column is the band's first, so that the steps before xa add its columns.
    for (let x = from - radius; x < xb; x++) {
      // Slide: the column x − radius − 1 leaves, x + radius enters. In the middle of the row both go in one loop
      // (the CPU overlaps their updates). Adds and removes may interleave: max only grows on an add past it, so
      // it bounds every count, and a mode that loses a pixel is caught below.
      const gone = x - radius - 1;
      const enter = x + radius;
      if (gone >= from && enter < to && x >= probe) {
        // A flat stretch: a leaving pixel that equals the entering one of its row changes no count, so such pairs
        // are skipped. A branch per pair only pays where nearly all pairs are equal, so this loop runs until a step
        // changes more than 2 of them, then again from 64 steps on (one probe step). At 1 MP, radius 7, it took the
        // histogram step from 86.8 to 53.9 ms on horse (87% of steps all equal), 106.2 → 100.9 on astronaut (7%),
        // 107.5 → 105.9 on coffee (none) (medians of 15 interleaved rounds). Always branching: horse 48 ms, but
        // astronaut +3 and coffee +7.
        let changed = 0;
        for (let i = top * width + gone, e = i + span, reach = radius + radius + 1; i <= e; i += width) {
          const a = q[i];
          const b = q[i + reach];
          if (a !== b) {
            changed++;
            count[a]--;
            const k = (++count[b] << 8) | b;
            key += (k - key) & -(+(k > key));
            if (b < lo) lo = b;
            if (b > hi) hi = b;
          }
        }
        if (changed > 2) probe = x + 64;
      } else if (gone >= from && enter < to) {
        // Two rows per iteration with a key each, so that the two branch-free maxima do not wait on each other.
        let key2 = key;
        let i = top * width + gone;
        const e = i + span;
        for (const reach = radius + radius + 1; i < e; i += 2 * width) {
          count[q[i]]--;
          const b = q[i + reach];
          const k = (++count[b] << 8) | b;
          key += (k - key) & -(+(k > key));
          count[q[i + width]]--;
          const b2 = q[i + width + reach];
          const k2 = (++count[b2] << 8) | b2;
          key2 += (k2 - key2) & -(+(k2 > key2));
          if (b < lo) lo = b;
          if (b > hi) hi = b;
          if (b2 < lo) lo = b2;
          if (b2 > hi) hi = b2;
        }
        if (i === e) {
          count[q[i]]--;
          const b = q[i + radius + radius + 1];
          const k = (++count[b] << 8) | b;
          key += (k - key) & -(+(k > key));
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
        key += (key2 - key) & -(+(key2 > key));
      } else if (gone >= from) {
        for (let i = top * width + gone, e = i + span; i <= e; i += width) count[q[i]]--;
      } else if (enter < to) {
        for (let i = top * width + enter, e = i + span; i <= e; i += width) {
          const b = q[i];
          const c = ++count[b];
          const k = (c << 8) | b;
          key += (k - key) & -(+(k > key));
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
      }
      if (x < xa) continue;
      let best = key & 255;
      let max = key >> 8;
      if (count[best] < max) {
        // The mode lost pixels: search again, in the range of the levels present, narrowed a word at a time.
        let wl = lo >> 1;
        let wh = hi >> 1;
        while (pairs[wl] === 0) wl++;
        while (pairs[wh] === 0) wh--;
        lo = wl << 1;
        hi = (wh << 1) + 1;
        // Two 16-bit counts per 32-bit word (little-endian: the lower bin in the low half); adding 0x8000 − t to
        // each half sets its top bit exactly when that count is ≥ t (counts stay below 0x8000, so no half carries
        // into the next). Only the pairs that hold such a count are looked at closely. The bias is made by Math.imul
        // (see ByteHistogram).
        let t = count[best];
        let bias = Math.imul(0x8000 - t, 0x10001);
        for (let w = wl; w <= wh; w++) {
          if (((pairs[w] + bias) & 0x80008000) === 0) continue;
          const b = w << 1;
          const c0 = count[b];
          if (c0 > t || (c0 === t && b > best)) {
            best = b;
            t = c0;
          }
          const c1 = count[b + 1];
          if (c1 > t || (c1 === t && b + 1 > best)) {
            best = b + 1;
            t = c1;
          }
          bias = Math.imul(0x8000 - t, 0x10001);
        }
        max = t;
        key = (t << 8) | best;
      }
      // The mode's colour sum over the window's columns: two column sums change while the mode level stays.
      const row = best * stride - from;
      if (best === prevBest) {
        if (enter < to) {
          s += colSums[row + enter];
          if (colBlues) sb += colBlues[row + enter];
        }
        if (gone >= from) {
          s -= colSums[row + gone];
          if (colBlues) sb -= colBlues[row + gone];
        }
      } else {
        prevBest = best;
        s = 0;
        sb = 0;
        const first = row + Math.max(from, gone + 1);
        const end = row + Math.min(to - 1, enter);
        for (let i = first; i <= end; i++) s += colSums[i];
        if (colBlues) for (let i = first; i <= end; i++) sb += colBlues[i];
      }
      const n = max;
      const o = (y * width + x) * 3;
      if (n !== lastN || s !== lastS || colBlues) {
        lastN = n;
        lastS = s;
        // Exact integer arithmetic in doubles: the field sizes are powers of two, so the unpacking is exact.
        let blue: number;
        let rest = s;
        if (colBlues) {
          blue = sb;
        } else {
          blue = Math.floor(s * inv2);
          rest -= blue * f2;
        }
        const green = Math.floor(rest * inv1);
        const red = rest - green * field;
        r0 = truncate ? floorQuotient(red, n) : roundQuotient(red, n);
        g0 = truncate ? floorQuotient(green, n) : roundQuotient(green, n);
        b0 = truncate ? floorQuotient(blue, n) : roundQuotient(blue, n);
      }
      out[o] = r0;
      out[o + 1] = g0;
      out[o + 2] = b0;
    }
  }
}
keepShape(new WordHistogram(8, 16));

/**
 * Counts of 8 bits, for windows of at most 255 pixels (radius ≤ 7): paintRow is WordHistogram's but for the search
 * and for the full windows of radius 7, the default, whose steps are unrolled.
 */
class ByteHistogram {
  readonly count = new Uint8Array(256);
  /** The counts four by four, for the search of the mode. */
  readonly quads = new Uint32Array(this.count.buffer);

  constructor(readonly radius: number, readonly width: number) {}

  /** Paints pixels [xa, xb) of row y; the column sums hold columns [max(0, xa − radius), min(W, xb + radius)). */
  paintRow(sums: ColumnSums, q: Uint8Array, height: number, y: number, xa: number, xb: number, truncate: boolean, out: Uint8Array): void {
    const { count, quads, radius, width } = this;
    const { colSums, colBlues, field, f2, stride, from, to } = sums;
    const inv1 = 1 / field;
    const inv2 = colBlues ? 0 : 1 / f2;
    const top = Math.max(0, y - radius);
    const bottom = Math.min(height - 1, y + radius);
    const span = (bottom - top) * width;
    // A full window of the default radius 7: its steps take the unrolled code below.
    const full15 = bottom - top === 14;
    count.fill(0);
    // The mode as one key, max·256 + best: a larger count wins, then a higher bin (a lower level).
    let key = 0;
    // From x = probe on, steps take the flat-stretch loop.
    let probe = 0;
    let lo = 256;
    let hi = -1;
    // The mode bin of the previous pixel and its colour sum(s) over the previous window's columns.
    let prevBest = -1;
    let s = 0;
    let sb = 0;
    // The last mean painted, reused while the mode bin's count and sum stay the same (flat areas).
    let lastN = -1;
    let lastS = -1;
    let r0 = 0, g0 = 0, b0 = 0;
    // From the x whose window's last column is the band's first, so that the steps before xa add its columns.
    for (let x = from - radius; x < xb; x++) {
      // Slide: the column x − radius − 1 leaves, x + radius enters. In the middle of the row both go in one loop
      // (the CPU overlaps their updates). Adds and removes may interleave: max only grows on an add past it, so
      // it bounds every count, and a mode that loses a pixel is caught below.
      const gone = x - radius - 1;
      const enter = x + radius;
      if (gone >= from && enter < to && x >= probe) {
        // A flat stretch: pairs of equal leaving and entering pixels change no count (see WordHistogram).
        let changed = 0;
        if (full15) {
          // Radius 7 unrolled, as in the step below.
          let i = top * width + gone, a = 0, b = 0, k = 0;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
          a = q[i]; b = q[i + 15]; if (a !== b) { changed++; count[a]--; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; } i += width;
        } else {
          for (let i = top * width + gone, e = i + span, reach = radius + radius + 1; i <= e; i += width) {
            const a = q[i];
            const b = q[i + reach];
            if (a !== b) {
              changed++;
              count[a]--;
              const k = (++count[b] << 8) | b;
              key += (k - key) & -(+(k > key));
              if (b < lo) lo = b;
              if (b > hi) hi = b;
            }
          }
        }
        if (changed > 2) probe = x + 64;
      } else if (gone >= from && enter < to && full15) {
        // The default radius 7, its 15 rows written out: a loop's every iteration reloads and checks the typed arrays
        // q and count (their fields do not survive the loop's stack check) and spills the keys and bounds. Unrolled,
        // the histogram step went from 99.2 to 96.6 ms on astronaut 1024² and 105.1 → 103.7 on coffee (medians of
        // 15 interleaved rounds; minima 97.1 → 93.8, 102.1 → 98.3); with the flat stretch unrolled too, horse 55.7 →
        // 48.1. A switch falling through from case rows − 1 to case 0, which would serve every radius, ran 6% slower
        // than the loop; four rows per iteration and a remainder loop, no better than two.
        let key2 = key;
        let i = top * width + gone, b = 0, k = 0;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key2 += (k - key2) & -(+(k > key2)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key2 += (k - key2) & -(+(k > key2)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key2 += (k - key2) & -(+(k > key2)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key2 += (k - key2) & -(+(k > key2)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key2 += (k - key2) & -(+(k > key2)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key2 += (k - key2) & -(+(k > key2)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key2 += (k - key2) & -(+(k > key2)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        count[q[i]]--; b = q[i + 15]; k = (++count[b] << 8) | b; key += (k - key) & -(+(k > key)); if (b < lo) lo = b; if (b > hi) hi = b; i += width;
        key += (key2 - key) & -(+(key2 > key));
      } else if (gone >= from && enter < to) {
        // Two rows per iteration with a key each, so that the two branch-free maxima do not wait on each other.
        let key2 = key;
        let i = top * width + gone;
        const e = i + span;
        for (const reach = radius + radius + 1; i < e; i += 2 * width) {
          count[q[i]]--;
          const b = q[i + reach];
          const k = (++count[b] << 8) | b;
          key += (k - key) & -(+(k > key));
          count[q[i + width]]--;
          const b2 = q[i + width + reach];
          const k2 = (++count[b2] << 8) | b2;
          key2 += (k2 - key2) & -(+(k2 > key2));
          if (b < lo) lo = b;
          if (b > hi) hi = b;
          if (b2 < lo) lo = b2;
          if (b2 > hi) hi = b2;
        }
        if (i === e) {
          count[q[i]]--;
          const b = q[i + radius + radius + 1];
          const k = (++count[b] << 8) | b;
          key += (k - key) & -(+(k > key));
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
        key += (key2 - key) & -(+(key2 > key));
      } else if (gone >= from) {
        for (let i = top * width + gone, e = i + span; i <= e; i += width) count[q[i]]--;
      } else if (enter < to) {
        for (let i = top * width + enter, e = i + span; i <= e; i += width) {
          const b = q[i];
          const c = ++count[b];
          const k = (c << 8) | b;
          key += (k - key) & -(+(k > key));
          if (b < lo) lo = b;
          if (b > hi) hi = b;
        }
      }
      if (x < xa) continue;
      let best = key & 255;
      let max = key >> 8;
      if (count[best] < max) {
        // The mode lost pixels: search again, in the range of the levels present, narrowed a word at a time (a bin
        // at a time took 3.8 steps a search on astronaut, and two hard-to-predict loop exits).
        let wl = lo >> 2;
        let wh = hi >> 2;
        while (quads[wl] === 0) wl++;
        while (quads[wh] === 0) wh--;
        lo = wl << 2;
        hi = (wh << 2) + 3;
        // Four 8-bit counts per 32-bit word (the lower bin in the lower byte); adding 128 − t to each byte sets its
        // top bit exactly when that count is ≥ t, and no byte carries into the next: every count is ≤ max, and t ≥
        // max − (2·radius + 1) = max − 15 at most (best had max pixels when the key was last set, at the end of the
        // previous step or by an add in this one, and has lost at most the leaving column's pixels since), so a
        // byte plus 128 − t stays ≤ 143. Once t > 128 the bias is 0 and the test passes the words holding a count
        // ≥ 128, a superset of those holding one ≥ t. (No search runs before the first painted pixel, but the steps
        // there only add columns, so the key is exact when it is reached.)
        // The bias by Math.imul, a wrapping int32 product: for t = 0 it is 0x80808080, past int32, and as a plain
        // product that overflowed the int32 V8 had assumed from the warm-up. paintRow was then deoptimised in the
        // middle of the studio's load and compiled again, once per worker in a 100-upload run (`--trace-deopt`:
        // "reason: overflow"; each recompile 100–170 ms of compiler time; test/filters/warm-up.test.ts fails so).
        // As an int32 (−0x7f7f7f80) it is the same modulo 2^32, and `&` reads only the sum's low 32 bits.
        let t = count[best];
        let bias = t <= 128 ? Math.imul(128 - t, 0x01010101) : 0;
        for (let w = wl; w <= wh; w++) {
          if (((quads[w] + bias) & 0x80808080) === 0) continue;
          const b = w << 2;
          const c0 = count[b];
          if (c0 > t || (c0 === t && b > best)) {
            best = b;
            t = c0;
          }
          const c1 = count[b + 1];
          if (c1 > t || (c1 === t && b + 1 > best)) {
            best = b + 1;
            t = c1;
          }
          const c2 = count[b + 2];
          if (c2 > t || (c2 === t && b + 2 > best)) {
            best = b + 2;
            t = c2;
          }
          const c3 = count[b + 3];
          if (c3 > t || (c3 === t && b + 3 > best)) {
            best = b + 3;
            t = c3;
          }
          bias = t <= 128 ? Math.imul(128 - t, 0x01010101) : 0;
        }
        max = t;
        key = (t << 8) | best;
      }
      // The mode's colour sum over the window's columns: two column sums change while the mode level stays.
      const row = best * stride - from;
      if (best === prevBest) {
        if (enter < to) {
          s += colSums[row + enter];
          if (colBlues) sb += colBlues[row + enter];
        }
        if (gone >= from) {
          s -= colSums[row + gone];
          if (colBlues) sb -= colBlues[row + gone];
        }
      } else {
        prevBest = best;
        s = 0;
        sb = 0;
        const first = row + Math.max(from, gone + 1);
        const end = row + Math.min(to - 1, enter);
        for (let i = first; i <= end; i++) s += colSums[i];
        if (colBlues) for (let i = first; i <= end; i++) sb += colBlues[i];
      }
      const n = max;
      const o = (y * width + x) * 3;
      if (n !== lastN || s !== lastS || colBlues) {
        lastN = n;
        lastS = s;
        // Exact integer arithmetic in doubles: the field sizes are powers of two, so the unpacking is exact.
        let blue: number;
        let rest = s;
        if (colBlues) {
          blue = sb;
        } else {
          blue = Math.floor(s * inv2);
          rest -= blue * f2;
        }
        const green = Math.floor(rest * inv1);
        const red = rest - green * field;
        r0 = truncate ? floorQuotient(red, n) : roundQuotient(red, n);
        g0 = truncate ? floorQuotient(green, n) : roundQuotient(green, n);
        b0 = truncate ? floorQuotient(blue, n) : roundQuotient(blue, n);
      }
      out[o] = r0;
      out[o + 1] = g0;
      out[o + 2] = b0;
    }
  }
}
keepShape(new ByteHistogram(7, 16));

/**
 * q[i] = bin[luminance of pixel i] for pixels [from, to). A module function over its arrays: a step closure is new
 * for every image, and a long loop in its single call runs on-stack-replaced code.
 */
function quantise(rgb: Uint8Array, bin: Uint8Array, from: number, to: number, q: Uint8Array): void {
  for (let i = from, o = from * 3; i < to; i++, o += 3) q[i] = bin[luminance(rgb[o], rgb[o + 1], rgb[o + 2])];
}

export interface OilOptions {
  /** The photo was grey (one channel): OpenCV truncates the mean instead of rounding it. */
  greyInput?: boolean;
}

export function oilSteps(ws: Workspace, width: number, height: number, p: StyleParams, opts: OilOptions = {}): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const q = ws.get('levels', 'u8', n, 'overwritten');
  const out = ws.get('out', 'u8', n * 3, 'overwritten');
  // As a small integer: a parameter that arrives as a heap number (parsed, or from an object whose other fields
  // are fractional) would make V8 keep every index derived from it in doubles (−14% on the histogram step).
  const radius = p.size | 0;
  const inv = f(1 / p.dynRatio);
  // The bin of each luminance, 255 − its quantised level (see WordHistogram): the level is float32 lum/dynRatio
  // rounded half to even, as cvRound does.
  const bin = new Uint8Array(256);
  for (let lum = 0; lum < 256; lum++) {
    const v = f(lum * inv);
    const r = Math.round(v);
    bin[lum] = 255 - (r - v === 0.5 && (r & 1) === 1 ? r - 1 : r > 255 ? 255 : r);
  }
  const truncate = opts.greyInput === true;
  return [
    {
      axis: 'rows',
      run: (y0, y1) => quantise(rgb, bin, y0 * width, y1 * width, q),
    },
    {
      axis: 'rows',
      run(y0, y1) {
        if (y0 >= y1) return;
        const sums = new ColumnSums(radius, width);
        const side = 2 * radius + 1;
        const hist = side * side <= 255 ? new ByteHistogram(radius, width) : new WordHistogram(radius, width);
        for (let xa = 0; xa < width; xa += BAND) {
          const xb = Math.min(width, xa + BAND);
          sums.startBand(rgb, q, Math.max(0, xa - radius), Math.min(width, xb + radius), Math.max(0, y0 - radius), Math.min(height - 1, y0 + radius));
          for (let y = y0; y < y1; y++) {
            if (y > y0) {
              const gone = y - radius - 1;
              const enter = y + radius;
              if (gone >= 0 && enter < height) sums.slideRow(rgb, q, gone, enter);
              else if (gone >= 0) sums.moveRow(rgb, q, gone, -1);
              else if (enter < height) sums.moveRow(rgb, q, enter, 1);
            }
            hist.paintRow(sums, q, height, y, xa, xb, truncate, out);
          }
        }
      },
    },
  ];
}
