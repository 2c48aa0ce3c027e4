/**
 * Float colour conversions the styles need, on values in [0, 1]. YCrCb follows OpenCV's float32 arithmetic (its
 * coefficients are float32 constants and its vector code fuses multiply-adds, which `f(a * b + c)` reproduces:
 * the double product of two float32 values is exact); Lab is the textbook sRGB/D65 conversion in double, which lands within a
 * level or two of OpenCV's table-driven float Lab.
 */
const f = Math.fround;

const Y_R = f(0.299), Y_G = f(0.587), Y_B = f(0.114);
const CR = f(0.713), CB = f(0.564);
const R_CR = f(1.403), G_CR = f(-0.714), G_CB = f(-0.344), B_CB = f(1.773);

/** RGB with its luma replaced by y (float32 YCrCb round trip), written into out[0..2]. */
export function recolor(y: number, r: number, g: number, b: number, out: Float32Array): void {
  const luma = f(b * Y_B + f(g * Y_G + f(r * Y_R)));
  const dr = f(f(f(r - luma) * CR + 0.5) - 0.5);
  const db = f(f(f(b - luma) * CB + 0.5) - 0.5);
  out[0] = f(dr * R_CR + y);
  out[1] = f(dr * G_CR + f(db * G_CB + y));
  out[2] = f(db * B_CB + y);
}

// sRGB primaries with the D65 white, rows normalised by the white point so that white maps to (1, 1, 1).
// Written as named constants (not nested arrays): these run twice per pixel of `detail`.
const XN = 0.950456, ZN = 1.088754;
const M00 = 0.412453 / XN, M01 = 0.35758 / XN, M02 = 0.180423 / XN;
const M10 = 0.212671, M11 = 0.71516, M12 = 0.072169;
const M20 = 0.019334 / ZN, M21 = 0.119193 / ZN, M22 = 0.950227 / ZN;
const I00 = 3.240479 * XN, I01 = -1.53715, I02 = -0.498535 * ZN;
const I10 = -0.969256 * XN, I11 = 1.875991, I12 = 0.041556 * ZN;
const I20 = 0.055648 * XN, I21 = -0.204043, I22 = 1.057311 * ZN;
const T = 0.008856;
const fi = (t: number) => (t > 0.206893 ? t * t * t : (t - 16 / 116) / 7.787);

/** Samples of a function on [0, 1] (n intervals), read by `curveAt` with linear interpolation (errors far below one 8-bit level). */
const CURVE_STEPS = 8192;
function sampleCurve(fn: (x: number) => number): Float64Array {
  const v = new Float64Array(CURVE_STEPS + 2);
  for (let i = 0; i <= CURVE_STEPS + 1; i++) v[i] = fn(Math.min(1, i / CURVE_STEPS));
  return v;
}
function curveAt(v: Float64Array, x: number): number {
  const p = (x < 0 ? 0 : x > 1 ? 1 : x) * CURVE_STEPS;
  const i = p | 0;
  return v[i] + (v[i + 1] - v[i]) * (p - i);
}

/** sRGB decoding of the 256 inputs (the styles start from 8-bit samples), exact. */
const LINEAR = new Float64Array(256);
for (let v = 0; v < 256; v++) {
  const c = Math.fround(v * Math.fround(1 / 255));
  LINEAR[v] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}
const GAMMA = sampleCurve((c) => (c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055));
const CBRT = sampleCurve(Math.cbrt);
const fw = (t: number) => (t > T ? curveAt(CBRT, t) : 7.787 * t + 16 / 116);

/** 8-bit RGB → L (0..100), a, b; written into out[o..o+2]. */
export function toLab(r: number, g: number, b: number, out: Float32Array, o: number): void {
  const R = LINEAR[r], G = LINEAR[g], B = LINEAR[b];
  const x = M00 * R + M01 * G + M02 * B;
  const y = M10 * R + M11 * G + M12 * B;
  const z = M20 * R + M21 * G + M22 * B;
  const fx = fw(x), fy = fw(y), fz = fw(z);
  out[o] = y > T ? 116 * fy - 16 : 903.3 * y;
  out[o + 1] = 500 * (fx - fy);
  out[o + 2] = 200 * (fy - fz);
}

/** L, a, b → RGB in [0,1] (clipped before the sRGB curve), written into out[o..o+2]. */
export function fromLab(L: number, a: number, b: number, out: Float32Array, o: number): void {
  let y: number, fy: number;
  if (L <= 8) {
    y = L / 903.3;
    fy = 7.787 * y + 16 / 116;
  } else {
    fy = (L + 16) / 116;
    y = fy * fy * fy;
  }
  const x = fi(a / 500 + fy);
  const z = fi(fy - b / 200);
  out[o] = curveAt(GAMMA, I00 * x + I01 * y + I02 * z);
  out[o + 1] = curveAt(GAMMA, I10 * x + I11 * y + I12 * z);
  out[o + 2] = curveAt(GAMMA, I20 * x + I21 * y + I22 * z);
}
