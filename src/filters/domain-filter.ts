/**
 * The three-iteration domain-transform filters (H, V, H, V, H, V) as steps: recursive (RF) and normalised
 * convolution (NC). The kernels are in domain-transform.ts; this file only orders them and owns the scratch.
 */
import { BoxScratch, boxColumns, boxRadius, boxRows, feedback, iterationSigma, PowerTable, recursiveColumns, recursiveRows } from './domain-transform.js';
import type { Step } from './workspace.js';

export const ITERATIONS = 3;

/**
 * RF on `o` (ch interleaved channels): dH/dV are the horizontal/vertical domain steps; w is W·H floats of
 * scratch for the vertical weights.
 */
export function recursiveFilterSteps(
  o: Float32Array, ch: number, width: number, height: number,
  dH: Float32Array, dV: Float32Array, w: Float32Array, sigmaS: number,
): Step[] {
  const steps: Step[] = [];
  let row: Float32Array | null = null;
  for (let i = 0; i < ITERATIONS; i++) {
    const table = new PowerTable(feedback(iterationSigma(sigmaS, i)));
    steps.push({
      axis: 'rows',
      run(y0, y1) {
        row ??= new Float32Array(width);
        recursiveRows(o, ch, width, dH, table, row, y0, y1);
      },
    });
    steps.push({ axis: 'cols', run: (x0, x1) => recursiveColumns(o, ch, width, height, dV, table, w, x0, x1) });
  }
  return steps;
}

/** NC on `o` (RGB): ctH/ctV are the transformed coordinates along rows and down columns. */
export function normalizedConvolutionSteps(
  o: Float32Array, width: number, height: number,
  ctH: Float32Array, ctV: Float32Array, sigmaS: number,
): Step[] {
  const steps: Step[] = [];
  let scratch: BoxScratch | null = null;
  for (let i = 0; i < ITERATIONS; i++) {
    const r = boxRadius(iterationSigma(sigmaS, i));
    steps.push({
      axis: 'rows',
      run(y0, y1) {
        scratch ??= new BoxScratch(width, height);
        boxRows(o, width, ctH, r, scratch, y0, y1);
      },
    });
    steps.push({
      axis: 'cols',
      run(x0, x1) {
        scratch ??= new BoxScratch(width, height);
        boxColumns(o, width, height, ctV, r, scratch, x0, x1);
      },
    });
  }
  return steps;
}
