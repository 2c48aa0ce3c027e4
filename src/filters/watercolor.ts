/**
 * cv::stylization: three NC iterations of the photo, then per channel the magnitude of a 3×3 Sobel gradient
 * (reflect-101 border); the result is res·(1 − Σ magnitudes), which clips to black along strong edges.
 */
import { columnCoordinatesRgb, rangeScale, rowCoordinatesRgb, UNIT } from './domain-transform.js';
import { normalizedConvolutionSteps } from './domain-filter.js';
import type { StyleParams } from './registry.js';
import { clamped, type Step, type Workspace } from './workspace.js';

const f = Math.fround;

/** reflect-101 neighbour index (OpenCV's BORDER_DEFAULT); a single sample reflects onto itself. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
}

/** One Sobel magnitude of channel `ch`: the row kernel first, then the column kernel, as OpenCV separates it. */
function magnitude(res: Float32Array, up: number, mid: number, down: number, l: number, c: number, r: number): number {
  const gx = f(f(f(res[up + r] - res[up + l]) + f(res[down + r] - res[down + l])) + f(f(res[mid + r] - res[mid + l]) * 2));
  const gy = f(f(f(res[down + l] + res[down + r]) + f(res[down + c] * 2)) - f(f(res[up + l] + res[up + r]) + f(res[up + c] * 2)));
  return f(Math.sqrt(f(f(gx * gx) + f(gy * gy))));
}

/** The output pixel at sample offset c of row `mid`: res·(1 − (m_B + m_G + m_R)); l, r are the neighbours' offsets. */
function outline(res: Float32Array, out: Uint8ClampedArray, up: number, mid: number, down: number, c: number, l: number, r: number): void {
  const sum = f(f(magnitude(res, up + 2, mid + 2, down + 2, l, c, r) + magnitude(res, up + 1, mid + 1, down + 1, l, c, r)) + magnitude(res, up, mid, down, l, c, r));
  const scale = f(1 - sum);
  const p = mid + c;
  out[p] = f(f(res[p] * scale) * 255);
  out[p + 1] = f(f(res[p + 1] * scale) * 255);
  out[p + 2] = f(f(res[p + 2] * scale) * 255);
}

export function watercolorSteps(ws: Workspace, width: number, height: number, p: StyleParams): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const ctH = ws.get('ctH', 'f32', n);
  const ctV = ws.get('ctV', 'f32', n);
  const res = ws.get('work', 'f32', n * 3);
  const out = clamped(ws.get('out', 'u8', n * 3));
  const k = rangeScale(p.sigmaS, p.sigmaR);
  const row = width * 3;
  return [
    {
      axis: 'rows',
      run(y0, y1) {
        rowCoordinatesRgb(rgb, width, k, ctH, y0, y1);
        for (let i = y0 * row; i < y1 * row; i++) res[i] = UNIT[rgb[i]];
      },
    },
    {
      axis: 'cols',
      run: (x0, x1) => columnCoordinatesRgb(rgb, width, height, k, ctV, x0, x1),
    },
    ...normalizedConvolutionSteps(res, width, height, ctH, ctV, p.sigmaS),
    {
      axis: 'rows',
      run(y0, y1) {
        for (let y = y0; y < y1; y++) {
          const up = reflect(y - 1, height) * row;
          const mid = y * row;
          const down = reflect(y + 1, height) * row;
          // Borders reflect (x − 1 → 1, x + 1 → W − 2); inside, the neighbours are ±3 samples away.
          outline(res, out, up, mid, down, 0, reflect(-1, width) * 3, reflect(1, width) * 3);
          for (let c = 3; c < row - 3; c += 3) outline(res, out, up, mid, down, c, c - 3, c + 3);
          if (width > 1) outline(res, out, up, mid, down, row - 3, reflect(width - 2, width) * 3, reflect(width, width) * 3);
        }
      },
    },
  ];
}
