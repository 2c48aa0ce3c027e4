/**
 * How the leak test decides. Retained memory (V8 heap + external, after forced full GCs) is examined against the
 * iteration count over the measured window, which starts at the first snapshot so that warm-up effects (JIT
 * code, caches that fill and stop) are behind it. After full GCs the heap is nearly deterministic, and what
 * separates a leak from the rest is regularity: a leak adds memory iteration after iteration, while a function
 * compiled late or a cache's last insertion is a handful of one-off steps. So a series grows when
 *  - a sign test on its first differences says rises outnumber falls beyond chance (p < TREND_P),
 *  - rises outnumber falls in each half of the window too (growth that stopped half-way is a plateau), and
 *  - the Theil–Sen slope is positive (it is also the reported bytes per iteration, with Sen's interval).
 * Heap and external are tested apart as well as summed: Buffer leaks live in external memory only.
 * The heap-snapshot evidence (objects born in the window that survive and whose count keeps growing) names the
 * suspects, and marks a leak by itself when the memory trend agrees (Sen's lower bound above zero, or a sign test
 * at p < 0.05): an object that leaks every few
 * iterations rises too rarely for the strict test but is unambiguous in the snapshots.
 */
import type { RetainedSample } from './leak-measure.js';
import { signTest, trendTest, type SignTest, type TrendTest } from './stats.js';

export interface LeakSuspect {
  name: string;
  countPerIteration: number;
  retainedBytesPerIteration: number;
  allocationSite: string | null;
  retainerPath: string[];
}

export interface TrendJudgement {
  /** Iterations the trend was computed over (inclusive). */
  fromIteration: number;
  toIteration: number;
  retained: TrendTest;
  heap: TrendTest;
  external: TrendTest;
  /** Sign tests on first differences of heap + external, of the heap and of external memory. */
  steps: { retained: SignTest; heap: SignTest; external: SignTest };
  /** True when retained memory grows beyond the noise. */
  growing: boolean;
}

export interface LeakReport {
  verdict: 'leak' | 'clean';
  bytesPerIteration: number;
  suspects: LeakSuspect[];
  /** Why: the statistics and the raw series, for reports and --verbose readers. */
  evidence: {
    trend: TrendJudgement;
    samples: RetainedSample[];
    snapshotIterations: number[];
    warmup: number;
    iterations: number;
    reason: string;
  };
}

/** Significance of the trend tests (one-sided) and confidence of Sen's slope interval. */
export const TREND_P = 0.001;
export const SLOPE_CONFIDENCE = 0.99;

export function judgeTrend(samples: RetainedSample[], fromIteration: number): TrendJudgement {
  const window = samples.filter((s) => s.iteration >= fromIteration);
  const x = window.map((s) => s.iteration);
  const series = {
    retained: window.map((s) => s.heapUsed + s.external),
    heap: window.map((s) => s.heapUsed),
    external: window.map((s) => s.external),
  };
  const retained = trendTest(x, series.retained, SLOPE_CONFIDENCE);
  const heap = trendTest(x, series.heap, SLOPE_CONFIDENCE);
  const external = trendTest(x, series.external, SLOPE_CONFIDENCE);
  const steps = { retained: signTest(series.retained), heap: signTest(series.heap), external: signTest(series.external) };
  const half = Math.floor(window.length / 2);
  const grows = (y: number[], t: TrendTest, st: SignTest): boolean => {
    if (st.pIncreasing >= TREND_P || t.slope <= 0) return false;
    const a = signTest(y.slice(0, half + 1)), b = signTest(y.slice(half));
    return a.up > a.down && b.up > b.down;
  };
  return {
    fromIteration: x[0] ?? fromIteration,
    toIteration: x[x.length - 1] ?? fromIteration,
    retained, heap, external, steps,
    growing: window.length >= 6 && (grows(series.retained, retained, steps.retained) || grows(series.heap, heap, steps.heap) || grows(series.external, external, steps.external)),
  };
}

/** Suspects are the snapshot's growing types; they alone mark a leak only with a consistent, non-negative trend. */
export function decide(trend: TrendJudgement, suspects: LeakSuspect[]): { verdict: 'leak' | 'clean'; reason: string } {
  const st = trend.steps.retained;
  const rises = `rose in ${st.up} of ${trend.toIteration - trend.fromIteration} iterations, fell in ${st.down}`;
  if (trend.growing) {
    return { verdict: 'leak', reason: `retained memory grows by ${Math.round(trend.retained.slope)} B/iteration (Sen 99% [${Math.round(trend.retained.slopeLow)}, ${Math.round(trend.retained.slopeHigh)}]); it ${rises} (sign test p=${st.pIncreasing.toExponential(1)})` };
  }
  const agrees = trend.retained.slope > 0 &&
    (trend.retained.slopeLow > 0 || Math.min(st.pIncreasing, trend.steps.heap.pIncreasing, trend.steps.external.pIncreasing) < 0.05);
  if (suspects.length > 0 && agrees) {
    return { verdict: 'leak', reason: `objects of ${suspects.map((s) => s.name).join(', ')} are born in every few iterations and survive, and retained memory trends up (it ${rises})` };
  }
  return { verdict: 'clean', reason: `no growth beyond noise: retained memory ${rises} (sign test p=${st.pIncreasing.toExponential(1)}), slope ${Math.round(trend.retained.slope)} B/iteration${suspects.length ? `; growing types without a memory trend: ${suspects.map((s) => s.name).join(', ')}` : ''}` };
}

/** The full report of a run: the trend over the window after the first snapshot, the suspects, the verdict. */
export function judgeRun(
  run: { samples: RetainedSample[]; snapshotIterations: number[] },
  suspects: LeakSuspect[],
  settings: { warmup: number; iterations: number },
): LeakReport {
  // Everything before the first snapshot is warm-up for both kinds of evidence.
  const trend = judgeTrend(run.samples, run.snapshotIterations[0] + 1);
  const { verdict, reason } = decide(trend, suspects);
  return {
    verdict,
    bytesPerIteration: Math.max(0, Math.round(trend.retained.slope)),
    suspects: verdict === 'leak' ? suspects : [],
    evidence: { trend, samples: run.samples, snapshotIterations: run.snapshotIterations, warmup: settings.warmup, iterations: settings.iterations, reason },
  };
}
