/**
 * cv::pencilSketch: the "pen" is shade·(nx + ny), where nx and ny count the samples in the first NC iteration's
 * window along the row and down the column. The image itself is never filtered. OpenCV loops three times and
 * keeps only the first iteration; we run it once. Both sketches read the same pen buffer.
 */
import { addColumnWindowSizesRgb, addRowWindowSizesRgb, boxRadius, iterationSigma, PEN_ROWS, rangeScale, SENTINELS, STRIP, UNIT } from './domain-transform.js';
import { recolorRange } from './color-space.js';
import type { StyleParams } from './registry.js';
import { clamped, type Step, type Workspace } from './workspace.js';

const f = Math.fround;

/**
 * The name of the buffer of window sizes nx + ny for these parameters (exact integers in float32; the pen is
 * shade times it). Sketches with the same σs and σr share it.
 */
export function penName(p: StyleParams): string {
  return `pen(${p.sigmaS},${p.sigmaR})`;
}

export function penSteps(ws: Workspace, width: number, height: number, p: StyleParams): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const sizes = ws.get(penName(p), 'f32', n);
  const k = rangeScale(p.sigmaS, p.sigmaR);
  const r = boxRadius(iterationSigma(p.sigmaS, 0));
  let rows: Float32Array | null = null;
  let strip: Float32Array | null = null;
  return [
    {
      axis: 'rows',
      run(y0, y1) {
        rows ??= new Float32Array(PEN_ROWS * (width + SENTINELS));
        addRowWindowSizesRgb(rgb, width, k, r, sizes, rows, y0, y1);
      },
    },
    {
      axis: 'cols',
      run(x0, x1) {
        strip ??= new Float32Array((height + SENTINELS) * STRIP);
        addColumnWindowSizesRgb(rgb, width, height, k, r, sizes, strip, x0, x1);
      },
    },
  ];
}

/** Grey sketch: 255·pen, one channel. */
export function sketchSteps(ws: Workspace, width: number, height: number, p: StyleParams): Step[] {
  const n = width * height;
  const sizes = ws.get(penName(p), 'f32', n);
  const out = ws.get('out', 'u8', n, 'overwritten');
  const levels = penLevels(f(p.shade), width + height);
  return [{ axis: 'rows', run: (y0, y1) => greyPen(sizes, levels, y0 * width, y1 * width, out) }];
}

/**
 * sat_u8(round(255·shade·n)) for every window size n a pen can hold (nx ≤ W, ny ≤ H): a table read per pixel
 * where computing it took two float32 products and a rounding (the grey output step 2.5 → 1.9 ms at 1 MP).
 */
function penLevels(shade: number, maxSize: number): Uint8ClampedArray {
  const levels = new Uint8ClampedArray(maxSize + 1);
  for (let n = 0; n <= maxSize; n++) levels[n] = f(f(shade * n) * 255);
  return levels;
}

/** out[i] = levels[sizes[i]] for i in [from, to) (a module function: see absTimes255 in smooth.ts). */
function greyPen(sizes: Float32Array, levels: Uint8ClampedArray, from: number, to: number, out: Uint8Array): void {
  for (let i = from; i < to; i++) out[i] = levels[sizes[i] | 0];
}

/** Colour sketch: the photo's Cr, Cb with the pen as luma. */
export function colorSketchSteps(ws: Workspace, width: number, height: number, p: StyleParams): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const sizes = ws.get(penName(p), 'f32', n);
  const out = clamped(ws.get('out', 'u8', n * 3, 'overwritten'));
  const shade = f(p.shade);
  return [{ axis: 'rows', run: (y0, y1) => recolorRange(rgb, UNIT, sizes, shade, y0 * width, y1 * width, out) }];
}
