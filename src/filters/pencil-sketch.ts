/**
 * cv::pencilSketch: the "pen" is shade·(nx + ny), where nx and ny count the samples in the first NC iteration's
 * window along the row and down the column. The image itself is never filtered. OpenCV loops three times and
 * keeps only the first iteration; we run it once. Both sketches read the same pen buffer.
 */
import { accumulateColumns, accumulateRows, boxRadius, columnStepsRgb, iterationSigma, rangeScale, rowStepsRgb, UNIT, windowBounds } from './domain-transform.js';
import { chroma, fromYCrCb } from './color-space.js';
import type { StyleParams } from './registry.js';
import { clamped, type Step, type Workspace } from './workspace.js';

const f = Math.fround;

/** The name of the pen buffer for these parameters: equal parameters share one pen. */
export function penName(p: StyleParams): string {
  return `pen(${p.sigmaS},${p.sigmaR},${p.shade})`;
}

export function penSteps(ws: Workspace, width: number, height: number, p: StyleParams): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const ctH = ws.get('ctH', 'f32', n);
  const ctV = ws.get('ctV', 'f32', n);
  const pen = ws.get(penName(p), 'f32', n);
  const k = rangeScale(p.sigmaS, p.sigmaR);
  const r = boxRadius(iterationSigma(p.sigmaS, 0));
  const shade = f(p.shade);
  const len = Math.max(width, height);
  let lo: Int32Array | null = null;
  let hi: Int32Array | null = null;
  const bounds = () => {
    lo ??= new Int32Array(len);
    hi ??= new Int32Array(len);
    return [lo, hi] as const;
  };
  return [
    {
      axis: 'rows',
      run(y0, y1) {
        const [l, u] = bounds();
        rowStepsRgb(rgb, width, k, ctH, y0, y1);
        accumulateRows(ctH, width, y0, y1);
        for (let y = y0; y < y1; y++) {
          windowBounds(ctH, y * width, 1, width, r, l, u);
          for (let x = 0, i = y * width; x < width; x++, i++) pen[i] = u[x] - l[x];
        }
      },
    },
    {
      axis: 'cols',
      run(x0, x1) {
        const [l, u] = bounds();
        columnStepsRgb(rgb, width, height, k, ctV, x0, x1);
        accumulateColumns(ctV, width, height, x0, x1);
        for (let x = x0; x < x1; x++) {
          windowBounds(ctV, x, width, height, r, l, u);
          for (let y = 0, i = x; y < height; y++, i += width) pen[i] = f(shade * (pen[i] + u[y] - l[y]));
        }
      },
    },
  ];
}

/** Grey sketch: 255·pen, one channel. */
export function sketchSteps(ws: Workspace, width: number, height: number, p: StyleParams): Step[] {
  const n = width * height;
  const pen = ws.get(penName(p), 'f32', n);
  const out = clamped(ws.get('out', 'u8', n));
  return [
    {
      axis: 'rows',
      run(y0, y1) {
        for (let i = y0 * width; i < y1 * width; i++) out[i] = f(pen[i] * 255);
      },
    },
  ];
}

/** Colour sketch: the photo's Cr, Cb with the pen as luma. */
export function colorSketchSteps(ws: Workspace, width: number, height: number, p: StyleParams): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const pen = ws.get(penName(p), 'f32', n);
  const out = clamped(ws.get('out', 'u8', n * 3));
  const px = new Float32Array(3);
  return [
    {
      axis: 'rows',
      run(y0, y1) {
        for (let i = y0 * width, o = i * 3; i < y1 * width; i++, o += 3) {
          const [cr, cb] = chroma(UNIT[rgb[o]], UNIT[rgb[o + 1]], UNIT[rgb[o + 2]]);
          fromYCrCb(pen[i], cr, cb, px, 0);
          out[o] = f(px[0] * 255);
          out[o + 1] = f(px[1] * 255);
          out[o + 2] = f(px[2] * 255);
        }
      },
    },
  ];
}
