/**
 * cv::stylization: three NC iterations of the photo, then per channel the magnitude of a 3×3 Sobel gradient
 * (reflect-101 border); the result is res·(1 − Σ magnitudes), which clips to black along strong edges.
 */
import { accumulateColumns, accumulateRows, columnStepsRgb, rangeScale, rowStepsRgb, UNIT } from './domain-transform.js';
import { normalizedConvolutionSteps } from './domain-filter.js';
import type { StyleParams } from './registry.js';
import { clamped, type Step, type Workspace } from './workspace.js';

const f = Math.fround;

/** reflect-101 neighbour index (OpenCV's BORDER_DEFAULT); a single sample reflects onto itself. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
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
        rowStepsRgb(rgb, width, k, ctH, y0, y1);
        accumulateRows(ctH, width, y0, y1);
        for (let i = y0 * row; i < y1 * row; i++) res[i] = UNIT[rgb[i]];
      },
    },
    {
      axis: 'cols',
      run(x0, x1) {
        columnStepsRgb(rgb, width, height, k, ctV, x0, x1);
        accumulateColumns(ctV, width, height, x0, x1);
      },
    },
    ...normalizedConvolutionSteps(res, 3, width, height, ctH, ctV, p.sigmaS),
    {
      axis: 'rows',
      run(y0, y1) {
        for (let y = y0; y < y1; y++) {
          const up = reflect(y - 1, height) * row;
          const mid = y * row;
          const down = reflect(y + 1, height) * row;
          for (let x = 0; x < width; x++) {
            const l = reflect(x - 1, width) * 3;
            const r = reflect(x + 1, width) * 3;
            const c = x * 3;
            let sum = 0;
            for (let ch = 2; ch >= 0; ch--) {
              // Sobel as OpenCV separates it: the row kernel first, then the column kernel.
              const gx = f(f(f(res[up + r + ch] - res[up + l + ch]) + f(res[down + r + ch] - res[down + l + ch])) + f(f(res[mid + r + ch] - res[mid + l + ch]) * 2));
              const su = f(f(res[up + l + ch] + res[up + r + ch]) + f(res[up + c + ch] * 2));
              const sd = f(f(res[down + l + ch] + res[down + r + ch]) + f(res[down + c + ch] * 2));
              const gy = f(sd - su);
              const m = f(Math.sqrt(f(f(gx * gx) + f(gy * gy))));
              sum = ch === 2 ? m : f(sum + m);
            }
            const scale = f(1 - sum);
            for (let ch = 0; ch < 3; ch++) out[mid + c + ch] = f(f(res[mid + c + ch] * scale) * 255);
          }
        }
      },
    },
  ];
}
