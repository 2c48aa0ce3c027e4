import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  binomialUpperTail, leastSquares, normalCdf, signTest, trendTest,
} from '../../src/memory/stats.js';
import { formatBytes, parseDuration, parsePositiveInt, parseSize } from '../../src/memory/units.js';
import { judgeTrend, decide } from '../../src/memory/leak-judge.js';
import { renderTable } from '../../src/memory/table.js';

test('durations and sizes parse with clear errors', () => {
  assert.equal(parseDuration('100ms', '--interval'), 100);
  assert.equal(parseDuration('0.5s', '--interval'), 500);
  assert.equal(parseDuration('2m', '--interval'), 120_000);
  assert.equal(parseDuration('250', '--interval'), 250);
  assert.throws(() => parseDuration('fast', '--interval'), /--interval must be a duration/);
  assert.throws(() => parseDuration('0ms', '--interval'), /between/);
  assert.throws(() => parseDuration('-5ms', '--interval'), /--interval/);
  assert.equal(parseSize('32k', '--s'), 32768);
  assert.equal(parseSize('1MiB', '--s'), 1 << 20);
  assert.throws(() => parseSize('12 parsecs', '--s'), /size like/);
  assert.equal(parsePositiveInt('60', '--iterations'), 60);
  assert.throws(() => parsePositiveInt('6.5', '--iterations'), /integer/);
  assert.throws(() => parsePositiveInt('abc', '--iterations'), /integer/);
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(-2048), '-2.0 KiB');
});

test('least squares recovers a known line', () => {
  const x = [0, 1, 2, 3, 4], y = x.map((v) => 3 * v + 7);
  const f = leastSquares(x, y);
  assert.ok(Math.abs(f.slope - 3) < 1e-12 && Math.abs(f.intercept - 7) < 1e-12 && Math.abs(f.r2 - 1) < 1e-12);
});

test('normal CDF and binomial tail are right at known points', () => {
  assert.ok(Math.abs(normalCdf(0) - 0.5) < 1e-7);
  assert.ok(Math.abs(normalCdf(1.959964) - 0.975) < 1e-6);
  assert.ok(Math.abs(binomialUpperTail(3, 3) - 0.125) < 1e-12);
  assert.equal(binomialUpperTail(0, 10), 1);
  assert.ok(Math.abs(binomialUpperTail(8, 10) - 56 / 1024) < 1e-12);
});

// A deterministic pseudo-random generator so the noise is the same on every run.
function noise(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5);
}

test('the slope\'s standard error matches white noise and widens for correlated noise', () => {
  const rnd = noise(11);
  const n = 2000;
  const x = Array.from({ length: n }, (_, i) => i / 100);
  const sxx = x.reduce((s, v) => s + (v - 9.995) ** 2, 0);
  // Uniform noise of width 12: standard deviation √12 ≈ 3.46.
  const white = leastSquares(x, x.map((v) => 2 * v + 12 * rnd()));
  const expected = Math.sqrt(12) / Math.sqrt(sxx);
  assert.ok(Math.abs(white.slope - 2) < 4 * expected, `slope ${white.slope}`);
  assert.ok(Math.abs(white.slopeError / expected - 1) < 0.15, `white: ${white.slopeError} vs ${expected}`);
  // AR(1) noise with ρ = 0.9: the same number of points carries (1 − ρ)/(1 + ρ) of the information.
  let e = 0;
  const ar = x.map((v) => 2 * v + (e = 0.9 * e + 12 * rnd()));
  const corr = leastSquares(x, ar);
  const sd = Math.sqrt(144 / 12 / (1 - 0.81));
  const naive = sd / Math.sqrt(sxx);
  const ratio = corr.slopeError / naive;
  assert.ok(ratio > 3 && ratio < 6, `AR(1) error ${corr.slopeError} is ${ratio}× the naive ${naive} (expected ≈ √19 ≈ 4.4)`);
  assert.ok(Number.isNaN(leastSquares([1, 2], [3, 4]).slopeError));
});

test('Theil–Sen slope resists outliers; Mann–Kendall sees a trend in noise', () => {
  const rnd = noise(7);
  const x = Array.from({ length: 40 }, (_, i) => i);
  const y = x.map((i) => 100 * i + 300 * rnd());
  y[10] += 1e6; // one wild outlier
  const t = trendTest(x, y);
  assert.ok(t.slope > 80 && t.slope < 120, `slope ${t.slope}`);
  assert.ok(t.slopeLow > 0 && t.slopeLow <= t.slope && t.slopeHigh >= t.slope);
  assert.ok(t.pIncreasing < 1e-6);
  const flat = trendTest(x, x.map(() => 1000 * rnd()));
  assert.ok(flat.pIncreasing > 0.001);
  assert.ok(flat.slopeLow <= 0 && flat.slopeHigh >= 0);
});

const samples = (ys: number[], ext: number[] = ys.map(() => 0)) => ys.map((h, i) => ({ iteration: i + 1, heapUsed: h, external: ext[i], arrayBuffers: ext[i], rss: 0 }));

test('judgement: steady growth is a leak; steps, plateaus and noise are not', () => {
  const rnd = noise(3);
  const n = 60;
  const base = 5_000_000;
  const leak = Array.from({ length: n }, (_, i) => base + 40 * i);
  assert.equal(judgeTrend(samples(leak), 21).growing, true);
  // A few one-off steps (a function compiled late, a cache's last entry) are not growth.
  const steps = Array.from({ length: n }, (_, i) => base + (i > 28 ? 240 : 0) + (i > 40 ? 96 : 0) + (i > 50 ? 64 : 0));
  assert.equal(judgeTrend(samples(steps), 21).growing, false);
  // A cache that fills and plateaus within the window.
  const plateau = Array.from({ length: n }, (_, i) => base + Math.min(i, 35) * 500);
  assert.equal(judgeTrend(samples(plateau), 21).growing, false);
  // Noise of ±2 KiB around a flat line.
  const noisy = Array.from({ length: n }, () => base + 4096 * rnd());
  assert.equal(judgeTrend(samples(noisy), 21).growing, false);
  // A leak of external memory only, under heap noise.
  const ext = Array.from({ length: n }, (_, i) => 1_000_000 + 262_144 * i);
  assert.equal(judgeTrend(samples(noisy, ext), 21).growing, true);
  // A small leak under noise larger than the leak per iteration.
  const slow = Array.from({ length: n }, (_, i) => base + 200 * i + 300 * rnd());
  assert.equal(judgeTrend(samples(slow), 21).growing, true);
});

test('judgement: growing types alone need the memory trend to agree', () => {
  const suspect = { name: 'Session', countPerIteration: 1, retainedBytesPerIteration: 64, allocationSite: null, retainerPath: [] };
  const flat = judgeTrend(samples(Array.from({ length: 60 }, () => 5_000_000)), 21);
  assert.equal(decide(flat, [suspect]).verdict, 'clean');
  // One object every 8 iterations: five rises in the window, too few for the trend test alone.
  const rare = judgeTrend(samples(Array.from({ length: 60 }, (_, i) => 5_000_000 + 64 * Math.floor(i / 8))), 21);
  assert.equal(decide(rare, []).verdict, 'clean');
  assert.equal(decide(rare, [suspect]).verdict, 'leak');
});

test('sign test counts rises and falls, ignoring ties', () => {
  assert.deepEqual({ ...signTest([1, 2, 2, 3, 1]), pIncreasing: undefined }, { up: 2, down: 1, pIncreasing: undefined });
});

test('tables align numbers right', () => {
  const t = renderTable(['name', 'size'], [['a', '1 KiB'], ['bb', '100 KiB']]);
  const lines = t.trimEnd().split('\n');
  assert.match(lines[2], /^a\s+1 KiB$/);
  assert.match(lines[3], /^bb\s+100 KiB$/);
  assert.equal(lines[2].length, lines[3].length);
});
