/**
 * Float colour conversions the styles need, on values in [0, 1]. YCrCb gives OpenCV's float32 results (see
 * recolorRange); Lab is the textbook sRGB/D65 conversion in double, which lands within a
 * level or two of OpenCV's table-driven float Lab.
 */
const f = Math.fround;

const Y_R = f(0.299), Y_G = f(0.587), Y_B = f(0.114);
const CR = f(0.713), CB = f(0.564);
const R_CR = f(1.403), G_CR = f(-0.714), G_CB = f(-0.344), B_CB = f(1.773);

/**
 * Pixels [i0, i1) of 8-bit RGB with their luma replaced by shade·sizes[i] (float32 YCrCb round trip, on the unit
 * values unit[v] = v/255), sat_u8(round(255·…)) into out.
 *
 * Computed in double first, where the sixteen float32 roundings of the round trip were over half its cost. The
 * 8-bit result can differ from the float32 one only if the value ×255 lies near a half-integer (the one place where
 * sat_u8∘round jumps): a pixel with any channel within NEAR_TIE of one is redone in float32 (~0.5% of pixels).
 * The float32 chain's distance from the double one, for outputs in 0.5..254.5 (there the new luma y is below 1.9):
 * each of its roundings errs by ≤ 2^-24 of a value below 3; carried through the coefficients (≤ 1.8) they add up
 * to under 12·2^-24 before the ×255, i.e. < 2e-4 of a level, five times below NEAR_TIE. Outside 0.5..254.5 the
 * result saturates the same either way.
 */
export function recolorRange(rgb: Uint8Array, unit: Float32Array, sizes: Float32Array, shade: number, i0: number, i1: number, out: Uint8ClampedArray): void {
  const yR = Y_R, yG = Y_G, yB = Y_B, cr = CR, cb = CB, rCr = R_CR, gCr = G_CR, gCb = G_CB, bCb = B_CB;
  const s = f(shade);
  const near2 = NEAR_TIE * NEAR_TIE;
  for (let i = i0, o = i0 * 3; i < i1; i++, o += 3) {
    const y = s * sizes[i];
    const r = unit[rgb[o]], g = unit[rgb[o + 1]], b = unit[rgb[o + 2]];
    const luma = b * yB + g * yG + r * yR;
    const dr = (r - luma) * cr;
    const db = (b - luma) * cb;
    const vr = (dr * rCr + y) * 255;
    const vg = (dr * gCr + db * gCb + y) * 255;
    const vb = (db * bCb + y) * 255;
    const tr = vr - Math.floor(vr) - 0.5, tg = vg - Math.floor(vg) - 0.5, tb = vb - Math.floor(vb) - 0.5;
    if (tr * tr < near2 || tg * tg < near2 || tb * tb < near2) {
      recolorFloat32(rgb, unit, sizes, s, i, o, out);
    } else {
      out[o] = vr;
      out[o + 1] = vg;
      out[o + 2] = vb;
    }
  }
}

/** How close to a half-integer (in 8-bit levels) a double result must come for recolorRange to redo it in float32. */
const NEAR_TIE = 1e-3;

/**
 * Pixel i (its first sample at o) of recolorRange in OpenCV's float32 arithmetic: its coefficients are float32
 * constants and its vector code fuses multiply-adds, which `f(a * b + c)` reproduces (the double product of two
 * float32 values is exact).
 */
function recolorFloat32(rgb: Uint8Array, unit: Float32Array, sizes: Float32Array, s: number, i: number, o: number, out: Uint8ClampedArray): void {
  const y = f(s * sizes[i]);
  const r = unit[rgb[o]], g = unit[rgb[o + 1]], b = unit[rgb[o + 2]];
  const luma = f(b * Y_B + f(g * Y_G + f(r * Y_R)));
  const dr = f(f(f(r - luma) * CR + 0.5) - 0.5);
  const db = f(f(f(b - luma) * CB + 0.5) - 0.5);
  out[o] = f(f(dr * R_CR + y) * 255);
  out[o + 1] = f(f(dr * G_CR + f(db * G_CB + y)) * 255);
  out[o + 2] = f(f(db * B_CB + y) * 255);
}

// sRGB primaries with the D65 white, rows normalised by the white point so that white maps to (1, 1, 1).
const XN = 0.950456, ZN = 1.088754;
const T = 0.008856;

/** Samples of a function on [0, 1] (n intervals), read with linear interpolation (errors far below one 8-bit level). */
const CURVE_STEPS = 8192;
function sampleCurve(fn: (x: number) => number): Float64Array {
  const v = new Float64Array(CURVE_STEPS + 2);
  for (let i = 0; i <= CURVE_STEPS + 1; i++) v[i] = fn(Math.min(1, i / CURVE_STEPS));
  return v;
}

/** sRGB decoding of the 256 inputs (the styles start from 8-bit samples), exact. */
const LINEAR = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  const c = Math.fround(v * Math.fround(1 / 255));
  LINEAR[v] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}
const CBRT = sampleCurve(Math.cbrt);

/*
 * The two conversions below run once per pixel of `detail`, so they are loops over ranges with their tables and
 * constants in locals, rather than a call per pixel that writes its result into a scratch array (which, with
 * module-level bindings read in the loop, cost ~25% more on the Lab step). The arithmetic is the textbook
 * conversion in double.
 */

/**
 * 8-bit RGB of pixels [i0, i1) → Lab: L·lScale (L in 0..100) into lum[i], a and b into ab[2i], ab[2i + 1] (float32).
 */
export function rgbToLab(rgb: Uint8Array, i0: number, i1: number, lScale: number, lum: Float32Array, ab: Float32Array): void {
  const lin = LINEAR, cbrt = CBRT, steps = CURVE_STEPS, t = T;
  const m00 = 0.412453 / XN, m01 = 0.35758 / XN, m02 = 0.180423 / XN;
  const m10 = 0.212671, m11 = 0.71516, m12 = 0.072169;
  const m20 = 0.019334 / ZN, m21 = 0.119193 / ZN, m22 = 0.950227 / ZN;
  const s = f(lScale);
  for (let i = i0, o = i0 * 3; i < i1; i++, o += 3) {
    const R = lin[rgb[o]], G = lin[rgb[o + 1]], B = lin[rgb[o + 2]];
    const x = m00 * R + m01 * G + m02 * B;
    const y = m10 * R + m11 * G + m12 * B;
    const z = m20 * R + m21 * G + m22 * B;
    // f(t) = ∛t above T (from the sampled curve), 7.787·t + 16/116 below.
    let p = (x < 1 ? x : 1) * steps;
    let k = p | 0;
    const fx = x > t ? cbrt[k] + (cbrt[k + 1] - cbrt[k]) * (p - k) : 7.787 * x + 16 / 116;
    p = (y < 1 ? y : 1) * steps;
    k = p | 0;
    const fy = y > t ? cbrt[k] + (cbrt[k + 1] - cbrt[k]) * (p - k) : 7.787 * y + 16 / 116;
    p = (z < 1 ? z : 1) * steps;
    k = p | 0;
    const fz = z > t ? cbrt[k] + (cbrt[k + 1] - cbrt[k]) * (p - k) : 7.787 * z + 16 / 116;
    lum[i] = f(f(y > t ? 116 * fy - 16 : 903.3 * y) * s);
    ab[2 * i] = 500 * (fx - fy);
    ab[2 * i + 1] = 200 * (fy - fz);
  }
}

/** Rounds half to even and saturates what is stored in it (one value, reused: srgb8 runs ~18 000 times at load). */
const ROUND_U8 = new Uint8ClampedArray(1);

/** sat_u8(round(255·sRGB(c))) of a linear value c in [0, 1], the sRGB curve in double and the product in float32. */
export function srgb8(c: number): number {
  const v = c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
  ROUND_U8[0] = f(f(v) * 255);
  return ROUND_U8[0];
}

/**
 * srgb8 as two small tables: SRGB8_LEVEL[k] = srgb8(k/SRGB8_STEPS), and SRGB8_THRESHOLD[v] = the least linear value
 * whose output is v (bisection; +∞ past 255). The curve is steepest at 0, where one level spans 1/(255·12.92) ≈
 * 1/3295 of the range, so a bucket of 1/4096 holds at most one threshold: the output of c is the level at its
 * bucket's start, plus one if c reaches the next threshold. Two reads of 4 KiB and 2 KiB tables per value, where
 * sampling the curve and rounding cost several times more.
 */
export const SRGB8_STEPS = 4096;
const SRGB8_LEVEL = new Uint8Array(SRGB8_STEPS + 1);
export const SRGB8_THRESHOLD = new Float64Array(257).fill(Infinity);
for (let k = 0; k <= SRGB8_STEPS; k++) SRGB8_LEVEL[k] = srgb8(k / SRGB8_STEPS);
for (let v = 1; v < 256; v++) {
  // Down to adjacent doubles: hi is then the least value of level v.
  let lo = 0, hi = 1;
  for (let mid = 0.5; mid !== lo && mid !== hi; mid = (lo + hi) / 2) {
    if (srgb8(mid) >= v) hi = mid;
    else lo = mid;
  }
  SRGB8_THRESHOLD[v] = hi;
}

/**
 * srgb8 of c (any real: clipped to [0, 1]) through the tables (see SRGB8_LEVEL), passed in so a loop holds them in
 * locals. The step to the next level is added as a 0 or 1, not branched on: near a threshold the branch was a coin
 * toss (detail's output step 16.4 → 13.4 ms at 1 MP).
 */
function tableSrgb8(c: number, level: Uint8Array, threshold: Float64Array): number {
  const x = c < 0 ? 0 : c > 1 ? 1 : c;
  const v = level[(x * SRGB8_STEPS) | 0];
  return v + +(x >= threshold[v + 1]);
}

/** srgb8 through the tables, for the tests. */
export function fastSrgb8(c: number): number {
  return tableSrgb8(c, SRGB8_LEVEL, SRGB8_THRESHOLD);
}

/**
 * Lab → 8-bit RGB of `count` pixels: L (0..100) from L[lAt + j], a and b from ab[2(at + j)..], the result
 * sat_u8(round(255·sRGB)) (linear values clipped to [0, 1] before the sRGB curve) into out[3(at + j)..]. With
 * `grey`, a = b = 0 and the three channels all take the green one (a neutral colour stays exactly neutral).
 */
export function labToRgb(L: Float32Array, lAt: number, ab: Float32Array, at: number, count: number, out: Uint8Array, grey: boolean): void {
  const level = SRGB8_LEVEL, threshold = SRGB8_THRESHOLD;
  const i00 = 3.240479 * XN, i01 = -1.53715, i02 = -0.498535 * ZN;
  const i10 = -0.969256 * XN, i11 = 1.875991, i12 = 0.041556 * ZN;
  const i20 = 0.055648 * XN, i21 = -0.204043, i22 = 1.057311 * ZN;
  // Grey: a and b scaled by 0 (fx = fz = fy exactly), and green copied over red and blue after the loop, so
  // that the loop itself tests nothing per pixel (detail's output step 18.7–19.0 → 17.4–17.5 ms at 1 MP, same process).
  const sa = grey ? 0 : 0.002, sb = grey ? 0 : 0.005;
  for (let j = 0, i = at, q = at * 3; j < count; j++, i++, q += 3) {
    const l = L[lAt + j];
    let y: number, fy: number;
    if (l <= 8) {
      y = l * (1 / 903.3);
      fy = 7.787 * y + 16 / 116;
    } else {
      fy = (l + 16) * (1 / 116);
      y = fy * fy * fy;
    }
    const fx = ab[2 * i] * sa + fy;
    const fz = fy - ab[2 * i + 1] * sb;
    const x = fx > 0.206893 ? fx * fx * fx : (fx - 16 / 116) * (1 / 7.787);
    const z = fz > 0.206893 ? fz * fz * fz : (fz - 16 / 116) * (1 / 7.787);
    out[q] = tableSrgb8(i00 * x + i01 * y + i02 * z, level, threshold);
    out[q + 1] = tableSrgb8(i10 * x + i11 * y + i12 * z, level, threshold);
    out[q + 2] = tableSrgb8(i20 * x + i21 * y + i22 * z, level, threshold);
  }
  if (grey) for (let q = at * 3, e = q + count * 3; q < e; q += 3) out[q] = out[q + 2] = out[q + 1];
}
