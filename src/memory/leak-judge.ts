/**
 * How the leak test decides. Retained memory (V8 heap + external, after forced full GCs) is tested for a trend
 * against the iteration count over the measured window, which starts at the first snapshot so that warm-up
 * effects (JIT code, caches that fill and stop) are behind it. A leak needs a Mann–Kendall trend that is
 * significant AND a Theil–Sen slope whose lower confidence bound is above zero: a few steps (a function
 * compiled, a cache's last insertion) move the median slope not at all, a steady loss moves it every iteration.
 * The heap-snapshot evidence (objects born in the window that survive and keep growing in number) names the
 * suspects, and on its own marks a leak when it is unambiguous and the trend agrees in sign.
 */
import type { RetainedSample } from './leak-measure.js';
import { trendTest, type TrendTest } from './stats.js';

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
  const retained = trendTest(x, window.map((s) => s.heapUsed + s.external), SLOPE_CONFIDENCE);
  const heap = trendTest(x, window.map((s) => s.heapUsed), SLOPE_CONFIDENCE);
  const external = trendTest(x, window.map((s) => s.external), SLOPE_CONFIDENCE);
  // Heap and external are tested apart too: a leak of Buffers grows external while heap noise could mask it in
  // the sum, and the reverse. Each must pass the same two-part test.
  const passes = (t: TrendTest) => t.pIncreasing < TREND_P && t.slopeLow > 0;
  return {
    fromIteration: x[0] ?? fromIteration,
    toIteration: x[x.length - 1] ?? fromIteration,
    retained, heap, external,
    growing: window.length >= 6 && (passes(retained) || passes(heap) || passes(external)),
  };
}

/** Suspects are the snapshot's growing types; they alone mark a leak only with a consistent, non-negative trend. */
export function decide(trend: TrendJudgement, suspects: LeakSuspect[]): { verdict: 'leak' | 'clean'; reason: string } {
  if (trend.growing) {
    return { verdict: 'leak', reason: `retained memory grows by ${Math.round(trend.retained.slope)} B/iteration (Sen 99% lower bound ${Math.round(trend.retained.slopeLow)} B, Mann–Kendall p=${trend.retained.pIncreasing.toExponential(1)})` };
  }
  const strong = suspects.filter((s) => s.countPerIteration >= 0.5);
  if (strong.length > 0 && trend.retained.slope > 0 && trend.retained.pIncreasing < 0.05) {
    return { verdict: 'leak', reason: `objects of ${strong.map((s) => s.name).join(', ')} are born every iteration and survive, and retained memory trends up (p=${trend.retained.pIncreasing.toExponential(1)})` };
  }
  return { verdict: 'clean', reason: `no growth beyond noise (slope ${Math.round(trend.retained.slope)} B/iteration, Sen 99% interval [${Math.round(trend.retained.slopeLow)}, ${Math.round(trend.retained.slopeHigh)}], p=${trend.retained.pIncreasing.toExponential(1)})` };
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
