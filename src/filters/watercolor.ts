/**
 * cv::stylization: three NC iterations of the photo, then per channel the magnitude of a 3×3 Sobel gradient
 * (reflect-101 border); the result is res·(1 − Σ magnitudes), which clips to black along strong edges.
 */
import { columnCoordinateLines, rangeScale, rowCoordinateLines, SENTINELS } from './domain-transform.js';
import { normalizedConvolutionSteps } from './domain-filter.js';
import type { StyleParams } from './registry.js';
import { clamped, type Step, type Workspace } from './workspace.js';

const f = Math.fround;

/** reflect-101 neighbour index (OpenCV's BORDER_DEFAULT); a single sample reflects onto itself. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
}

/**
 * OpenCV's separable Sobel applies the row kernel first, so each source row's row-kernel results serve the three
 * output rows around it: `diff` = s[x+1] − s[x−1] (for gx) and `smooth` = (s[x−1] + s[x+1]) + 2·s[x] (for gy),
 * kept for three rows at a time.
 */
class SobelRows {
  private readonly diff: Float32Array[];
  private readonly smooth: Float32Array[];
  private readonly rowOf = [-1, -1, -1];

  constructor(private readonly res: Float32Array, private readonly width: number) {
    this.diff = [0, 1, 2].map(() => new Float32Array(width * 3));
    this.smooth = [0, 1, 2].map(() => new Float32Array(width * 3));
  }

  /** The slot holding source row `y`, computed into a slot not holding any of `keep` if needed. */
  slot(y: number, keep: readonly number[]): number {
    let k = this.rowOf.indexOf(y);
    if (k >= 0) return k;
    k = this.rowOf.findIndex((r) => !keep.includes(r));
    this.rowOf[k] = y;
    const { res, width } = this;
    const d = this.diff[k];
    const m = this.smooth[k];
    const base = y * width * 3;
    const last = (width - 1) * 3;
    // Multiplying a float32 by 2 is exact, so that product needs no rounding.
    for (let c = 0; c < width * 3; c++) {
      // Inside, the neighbours are ±3 samples away; at the borders they reflect (x − 1 → 1, x + 1 → W − 2).
      const l = base + (c >= 3 ? c - 3 : reflect(-1, width) * 3 + c);
      const r = base + (c < last ? c + 3 : reflect(width, width) * 3 + c - last);
      const a = res[l];
      const b = res[r];
      d[c] = f(b - a);
      m[c] = f(f(a + b) + res[base + c] * 2);
    }
    return k;
  }

  /**
   * Writes output row y: res·(1 − (m_B + m_G + m_R)) with m = √(gx² + gy²) per channel. From the float32 row-kernel
   * results on, this is computed in double and rounded once, by the 8-bit store, where OpenCV rounds every step to
   * float32: the 30 roundings per pixel (a conversion pair each) were most of this step's cost (~21% faster
   * without). The output differs from the all-float32 result only where a value lies within float32 error of a
   * rounding boundary: against OpenCV 4.6 on seven photos and two parameter sets, 100% within ±1 and 0–18
   * values per photo off by one (≥ 99.999% exact; BENCHMARKS.md, filters, session 3).
   */
  paint(y: number, height: number, out: Uint8ClampedArray): void {
    const rows = [reflect(y - 1, height), y, reflect(y + 1, height)];
    const [u, c, dn] = rows.map((r) => this.slot(r, rows));
    const dU = this.diff[u], dM = this.diff[c], dD = this.diff[dn];
    const sU = this.smooth[u], sD = this.smooth[dn];
    const { res } = this;
    const base = y * this.width * 3;
    // Channel order B, G, R for the float sum, as OpenCV adds them.
    for (let i = 0, p = base; i < this.width * 3; i += 3, p += 3) {
      const i1 = i + 1, i2 = i + 2;
      const gxB = dU[i2] + dD[i2] + dM[i2] * 2, gyB = sD[i2] - sU[i2];
      const gxG = dU[i1] + dD[i1] + dM[i1] * 2, gyG = sD[i1] - sU[i1];
      const gxR = dU[i] + dD[i] + dM[i] * 2, gyR = sD[i] - sU[i];
      const mB = Math.sqrt(gxB * gxB + gyB * gyB);
      const mG = Math.sqrt(gxG * gxG + gyG * gyG);
      const mR = Math.sqrt(gxR * gxR + gyR * gyR);
      const scale = (1 - (mB + mG + mR)) * 255;
      out[p] = res[p] * scale;
      out[p + 1] = res[p + 1] * scale;
      out[p + 2] = res[p + 2] * scale;
    }
  }
}

export function watercolorSteps(ws: Workspace, width: number, height: number, p: StyleParams): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const ctH = ws.get('ctH', 'f32', height * (width + SENTINELS));
  const ctV = ws.get('ctV', 'f32', width * (height + SENTINELS));
  const k = rangeScale(p.sigmaS, p.sigmaR);
  const res = ws.get('work', 'f32', n * 3);
  // I = rgb/255 goes to 'work' with the row coordinates (their loop reads those values anyway).
  const steps: Step[] = [
    { axis: 'rows', run: (y0, y1) => rowCoordinateLines(rgb, width, k, ctH, y0, y1, res) },
    { axis: 'cols', run: (x0, x1) => columnCoordinateLines(rgb, width, height, k, x0, x1, ctV, x0 * (height + SENTINELS)) },
  ];
  const out = clamped(ws.get('out', 'u8', n * 3));
  return [
    ...steps,
    ...normalizedConvolutionSteps(res, width, height, ctH, ctV, p.sigmaS),
    {
      axis: 'rows',
      run(y0, y1) {
        const sobel = new SobelRows(res, width);
        for (let y = y0; y < y1; y++) sobel.paint(y, height, out);
      },
    },
  ];
}
