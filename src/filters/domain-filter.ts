/**
 * The three-iteration domain-transform filters (H, V, H, V, H, V) as steps: recursive (RF) and normalised
 * convolution (NC). The kernels are in domain-transform.ts; this file only orders them and owns the scratch.
 */
import { boxLine, boxRadius, feedback, iterationSigma, recursiveLine, weights } from './domain-transform.js';
import type { Step } from './workspace.js';

export const ITERATIONS = 3;

/**
 * RF on `o` (ch interleaved channels): dH/dV are the horizontal/vertical domain steps, w is scratch of W·H floats
 * that holds the weights a^d of the pass being run.
 */
export function recursiveFilterSteps(
  o: Float32Array, ch: number, width: number, height: number,
  dH: Float32Array, dV: Float32Array, w: Float32Array, sigmaS: number,
): Step[] {
  const steps: Step[] = [];
  for (let i = 0; i < ITERATIONS; i++) {
    const a = feedback(iterationSigma(sigmaS, i));
    steps.push({
      axis: 'rows',
      run(y0, y1) {
        weights(dH, a, w, y0 * width, y1 * width);
        for (let y = y0; y < y1; y++) recursiveLine(o, ch, y * width * ch, ch, width, w, y * width, 1);
      },
    });
    steps.push({
      axis: 'cols',
      run(x0, x1) {
        for (let y = 0; y < height; y++) weights(dV, a, w, y * width + x0, y * width + x1);
        for (let x = x0; x < x1; x++) recursiveLine(o, ch, x * ch, width * ch, height, w, x, width);
      },
    });
  }
  return steps;
}

/** NC on `o`: ctH/ctV are the transformed coordinates along rows and down columns. */
export function normalizedConvolutionSteps(
  o: Float32Array, ch: number, width: number, height: number,
  ctH: Float32Array, ctV: Float32Array, sigmaS: number,
): Step[] {
  const steps: Step[] = [];
  const n = Math.max(width, height);
  let sums: Float32Array | null = null;
  let lo: Int32Array | null = null;
  let hi: Int32Array | null = null;
  const scratch = () => {
    if (!sums) {
      sums = new Float32Array((n + 1) * ch);
      lo = new Int32Array(n);
      hi = new Int32Array(n);
    }
    return { sums, lo: lo!, hi: hi! };
  };
  for (let i = 0; i < ITERATIONS; i++) {
    const r = boxRadius(iterationSigma(sigmaS, i));
    steps.push({
      axis: 'rows',
      run(y0, y1) {
        const s = scratch();
        for (let y = y0; y < y1; y++) boxLine(o, ch, y * width * ch, ch, width, ctH, y * width, 1, r, s.sums, s.lo, s.hi);
      },
    });
    steps.push({
      axis: 'cols',
      run(x0, x1) {
        const s = scratch();
        for (let x = x0; x < x1; x++) boxLine(o, ch, x * ch, width * ch, height, ctV, x, width, r, s.sums, s.lo, s.hi);
      },
    });
  }
  return steps;
}
