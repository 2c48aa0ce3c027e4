/**
 * The three-iteration domain-transform filters (H, V, H, V, H, V) as steps: recursive (RF) and normalised
 * convolution (NC). The kernels are in domain-transform.ts; this file only orders them and owns the scratch.
 */
import { ROW_GROUP, RF_STRIP, BoxScratch, type LineHook, boxColumns, boxRadius, boxRows, feedback, iterationSigma, KeyedWeights, StepPowers, recursiveColumns, SquaringWeights, recursiveRows, type Weights } from './domain-transform.js';
import type { Axis, Step } from './workspace.js';

export const ITERATIONS = 3;

/** The feedback coefficient a of iteration i. */
export function iterationFeedback(sigmaS: number, i: number): number {
  return feedback(iterationSigma(sigmaS, i));
}

/**
 * The StepPowers of iteration 0's feedback coefficient, whose weights SquaringWeights squares for the others, for
 * images whose steps are at most maxStep.
 */
export function firstIterationPowers(sigmaS: number, k: number, maxStep: number): StepPowers {
  return StepPowers.of(iterationFeedback(sigmaS, 0), k, maxStep);
}

/**
 * Weights of any image from iteration 0's along rows (wH) and down columns (wV), which the later iterations
 * square in place (see SquaringWeights): wH and wV serve one run of the steps.
 */
export function squaringWeights(wH: Float32Array, wV: Float32Array): (i: number, axis: Axis) => Weights {
  return (i, axis) => new SquaringWeights(axis === 'rows' ? wH : wV, i > 0);
}

/** Weights of 8-bit RGB keyed by Σ|Δ| (see KeyedWeights). */
export function keyedWeights(nH: Uint16Array, nV: Uint16Array, sigmaS: number, k: number): (i: number, axis: Axis) => Weights {
  return (i, axis) => new KeyedWeights(axis === 'rows' ? nH : nV, iterationFeedback(sigmaS, i), k);
}

/** Work fused into the RF passes. */
export interface RecursiveFilterHooks {
  /** Makes the input of rows [from, to) as the first horizontal pass reaches them (see LineHook). */
  firstRows?: LineHook;
  /** RGB, 8-bit, packed rows: the first horizontal pass takes UNIT[input[i]] as its input rather than o's contents. */
  input?: Uint8Array;
}

/**
 * RF on `o` (ch interleaved channels, rows `pitch` values apart); weights(i, 'rows' | 'cols') gives the weights of
 * iteration i's horizontal or vertical passes, indexed y·wPitch + x.
 */
export function recursiveFilterSteps(o: Float32Array, ch: number, width: number, height: number, weights: (i: number, axis: Axis) => Weights, hooks: RecursiveFilterHooks = {}, pitch = width * ch, wPitch = width): Step[] {
  const steps: Step[] = [];
  let row: Float32Array | null = null;
  let strip: Float32Array | null = null;
  for (let i = 0; i < ITERATIONS; i++) {
    const wH = weights(i, 'rows');
    const wV = weights(i, 'cols');
    const before = i === 0 ? hooks.firstRows : undefined;
    const input = i === 0 ? hooks.input : undefined;
    steps.push({
      axis: 'rows',
      run(y0, y1) {
        row ??= new Float32Array(width * ROW_GROUP);
        recursiveRows(o, ch, width, wH, row, y0, y1, before, pitch, wPitch, input);
      },
    });
    steps.push({
      axis: 'cols',
      run(x0, x1) {
        strip ??= new Float32Array(height * RF_STRIP);
        recursiveColumns(o, ch, width, height, wV, strip, x0, x1, pitch, wPitch);
      },
    });
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
