/**
 * cv::stylization: three NC iterations of the photo, then per channel the magnitude of a 3×3 Sobel gradient
 * (reflect-101 border); the result is res·(1 − Σ magnitudes), which clips to black along strong edges.
 */
import { columnCoordinateLines, rangeScale, rowCoordinateLines, SENTINELS } from './domain-transform.js';
import { normalizedConvolutionSteps } from './domain-filter.js';
import type { StyleParams } from './registry.js';
import { clamped, type Step, type Workspace } from './workspace.js';

const f = Math.fround;

/**
 * OpenCV's separable Sobel applies the row kernel first, so each source row's row-kernel results serve the three
 * output rows around it: `diff` = s[x+1] − s[x−1] (for gx) and `smooth` = (s[x−1] + s[x+1]) + 2·s[x] (for gy),
 * written into d and m (3·W values each). Multiplying a float32 by 2 is exact, so that product needs no rounding.
 * d and m are float32 values kept in Float64Arrays: the output loop reads fifteen of them per pixel, and would
 * otherwise convert each to double (Sobel and output ~6% faster in same-process A/B, 4 of 6 rounds).
 */
function sobelRowKernels(res: Float32Array, width_: number, y_: number, d: Float64Array, m: Float64Array): void {
  // Converted once: a parameter used in a loop as it comes is checked and converted at every use.
  const width = width_ | 0, y = y_ | 0;
  const base = y * width * 3;
  const n = width * 3;
  // Inside, the neighbours are ±3 samples away; at the borders they reflect (x − 1 → 1, x + 1 → W − 2).
  const first = width === 1 ? 0 : 3;
  const last = width === 1 ? 0 : (width - 2) * 3;
  for (let c = 0; c < Math.min(3, n); c++) {
    const a = res[base + first + c], b = res[base + (width === 1 ? c : 3 + c)];
    d[c] = f(b - a);
    m[c] = f(f(a + b) + res[base + c] * 2);
  }
  for (let c = 3; c < n - 3; c++) {
    const a = res[base + c - 3], b = res[base + c + 3];
    d[c] = f(b - a);
    m[c] = f(f(a + b) + res[base + c] * 2);
  }
  for (let c = Math.max(3, n - 3); c < n; c++) {
    const a = res[base + c - 3], b = res[base + last + c - (n - 3)];
    d[c] = f(b - a);
    m[c] = f(f(a + b) + res[base + c] * 2);
  }
}

/**
 * Writes output row y from the row kernels of rows y − 1, y, y + 1 (reflected): res·(1 − (m_B + m_G + m_R)) with
 * m = √(gx² + gy²) per channel. From the float32 row-kernel results on, this is computed in double and rounded
 * once, by the 8-bit store, where OpenCV rounds every step to float32: the 30 roundings per pixel (a conversion
 * pair each) were most of this step's cost (~21% faster without). The output differs from the all-float32 result
 * only where a value lies within float32 error of a rounding boundary: against OpenCV 4.6 on seven photos and two
 * parameter sets, 100% within ±1 and 0–18 values per photo off by one (≥ 99.999% exact; BENCHMARKS.md, filters,
 * session 3).
 *
 * The kernels of the row below, `dn`, are computed here, pixel by pixel as the row is painted (as sobelRowKernels
 * computes them), into dD and sD for the two output rows after this one: the paint then takes them from registers
 * rather than reading them back, and the step has one loop per row instead of two (the step ~1.1–2.4 ms, ~7%
 * faster at 1 MP in 6 of 9 same-process A/B runs of 30 rounds, even in the other three). When that row was computed
 * already (a reflected one: dD is then dU, or dM in a single row), it is recomputed into its own slot, the same
 * values written over themselves.
 */
function sobelPaintRow(res: Float32Array, width_: number, y_: number, dn_: number, dU: Float64Array, dM: Float64Array, dD: Float64Array, sU: Float64Array, sD: Float64Array, out: Uint8ClampedArray): void {
  const width = width_ | 0, y = y_ | 0, dn = dn_ | 0;
  const n = width * 3;
  const below = dn * n;
  // The left neighbour of x = 0 and the right one of x = W − 1 reflect to x = 1 and x = W − 2 (or onto x = 0).
  const firstLeft = width === 1 ? 0 : 3, lastRight = width === 1 ? 0 : n - 6;
  // Channel order B, G, R for the float sum, as OpenCV adds them.
  for (let i = 0, p = y * n; i < n; i += 3, p += 3) {
    const il = below + (i === 0 ? firstLeft : i - 3), ir = below + (i === n - 3 ? lastRight : i + 3), ic = below + i;
    const i1 = i + 1, i2 = i + 2;
    let a = res[il], b = res[ir];
    const ddR = (dD[i] = f(b - a)), sdR = (sD[i] = f(f(a + b) + res[ic] * 2));
    a = res[il + 1];
    b = res[ir + 1];
    const ddG = (dD[i1] = f(b - a)), sdG = (sD[i1] = f(f(a + b) + res[ic + 1] * 2));
    a = res[il + 2];
    b = res[ir + 2];
    const ddB = (dD[i2] = f(b - a)), sdB = (sD[i2] = f(f(a + b) + res[ic + 2] * 2));
    const gxB = dU[i2] + ddB + dM[i2] * 2, gyB = sdB - sU[i2];
    const gxG = dU[i1] + ddG + dM[i1] * 2, gyG = sdG - sU[i1];
    const gxR = dU[i] + ddR + dM[i] * 2, gyR = sdR - sU[i];
    const mB = Math.sqrt(gxB * gxB + gyB * gyB);
    const mG = Math.sqrt(gxG * gxG + gyG * gyG);
    const mR = Math.sqrt(gxR * gxR + gyR * gyR);
    const scale = (1 - (mB + mG + mR)) * 255;
    out[p] = res[p] * scale;
    out[p + 1] = res[p + 1] * scale;
    out[p + 2] = res[p + 2] * scale;
  }
}

/** reflect-101 neighbour row (OpenCV's BORDER_DEFAULT); a single row reflects onto itself. */
function reflectRow(y: number, height: number): number {
  if (height === 1) return 0;
  return y < 0 ? -y : y >= height ? 2 * height - 2 - y : y;
}

/**
 * Sobel and output of rows [y0, y1). Each source row's kernels are computed once, into slot r mod 3: the rows an
 * output row reads (y − 1, y, y + 1, or y ± 1 reflected onto one row) are then always in distinct slots. Driven
 * arithmetically: slot bookkeeping through closures and array searches per row cost ~3% of the step (same-process
 * A/B at 1 MP, 30 interleaved rounds: minima 19.0 against 19.7 ms, medians 19.3 against 19.9).
 */
function sobelRows(res: Float32Array, width: number, height: number, y0: number, y1: number, out: Uint8ClampedArray): void {
  if (y0 >= y1) return;
  const d = [new Float64Array(width * 3), new Float64Array(width * 3), new Float64Array(width * 3)];
  const m = [new Float64Array(width * 3), new Float64Array(width * 3), new Float64Array(width * 3)];
  let up = reflectRow(y0 - 1, height);
  sobelRowKernels(res, width, y0, d[y0 % 3], m[y0 % 3]);
  if (up !== y0) sobelRowKernels(res, width, up, d[up % 3], m[up % 3]);
  for (let y = y0; y < y1; y++) {
    // The kernels of row y + 1 (reflected: row y − 1, or y itself in a single row) are computed by the paint.
    const dn = reflectRow(y + 1, height);
    sobelPaintRow(res, width, y, dn, d[up % 3], d[y % 3], d[dn % 3], m[up % 3], m[dn % 3], out);
    up = y;
  }
}

export function watercolorSteps(ws: Workspace, width: number, height: number, p: StyleParams): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const ctH = ws.get('ctH', 'f32', height * (width + SENTINELS), 'overwritten');
  const ctV = ws.get('ctV', 'f32', width * (height + SENTINELS), 'overwritten');
  const k = rangeScale(p.sigmaS, p.sigmaR);
  const res = ws.get('work', 'f32', n * 3, 'overwritten');
  // I = rgb/255 goes to 'work' with the row coordinates (their loop reads those values anyway).
  const steps: Step[] = [
    { axis: 'rows', run: (y0, y1) => rowCoordinateLines(rgb, width, k, ctH, y0, y1, res) },
    { axis: 'cols', run: (x0, x1) => columnCoordinateLines(rgb, width, height, k, x0, x1, ctV, x0 * (height + SENTINELS)) },
  ];
  const out = clamped(ws.get('out', 'u8', n * 3, 'overwritten'));
  return [
    ...steps,
    ...normalizedConvolutionSteps(res, width, height, ctH, ctV, p.sigmaS),
    {
      axis: 'rows',
      run: (y0, y1) => sobelRows(res, width, height, y0, y1, out),
    },
  ];
}
