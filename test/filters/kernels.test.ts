// The fast kernels against the slow reference implementations of test/filters/reference-filters.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderStyles } from '../../src/filters/render.js';
import { windowBounds } from '../../src/filters/domain-transform.js';
import { powerWeights, recursiveFilterSteps } from '../../src/filters/domain-filter.js';
import { runSteps } from '../../src/filters/workspace.js';
import { random, image } from './helpers.js';
import * as ref from './reference-filters.js';

const f = Math.fround;

/** A small image with edges, gradients and noise, so windows collapse in places and span far in others. */
function sample(w: number, h: number, seed: number) {
  const rnd = random(seed);
  return image(w, h, 3, (x, y, c) => ((x > w / 2) !== (y > h / 3) ? 200 : 40) + Math.round(rnd() * 20) + c * 5 + (x + y) % 7);
}

test('window bounds equal the brute-force windows, including rows that fit in one window', () => {
  const rnd = random(1);
  for (let trial = 0; trial < 200; trial++) {
    const n = 1 + Math.floor(rnd() * 40);
    const d = Array.from({ length: n }, (_, i) => (i === 0 ? 1 : f(1 + (rnd() < 0.5 ? 0 : rnd() * 30))));
    const ct = ref.cumulative(d);
    const r = f(rnd() * 60 + 0.5);
    const lo = new Int32Array(n), hi = new Int32Array(n);
    windowBounds(Float32Array.from(ct), 0, 1, n, r, lo, hi);
    const want = ref.windows(ct, r);
    for (let j = 0; j < n; j++) assert.deepEqual([lo[j], hi[j]], want[j], `trial ${trial}, sample ${j}`);
  }
});

test('the RF passes with float32 weights equal the straightforward recursive filter bit for bit', () => {
  for (const [w, h, sigmaS, sigmaR] of [[37, 23, 60, 0.4], [16, 40, 5, 0.1], [1, 9, 60, 0.4], [70, 2, 10, 0.15]] as const) {
    const img = sample(w, h, w * h);
    const I = ref.toUnit(img.data, w, h);
    const steps = ref.domainSteps(I, f(f(sigmaS) / f(sigmaR)));
    const want = ref.recursiveFilter(I, steps, sigmaS);
    const o = Float32Array.from(I.flat(2));
    const dH = Float32Array.from(steps.hz.flat()), dV = Float32Array.from(steps.vt.flat());
    runSteps(recursiveFilterSteps(o, 3, w, h, powerWeights(dH, dV, sigmaS), sigmaS), w, h);
    assert.deepEqual(Array.from(o), want.flat(2), `${w}×${h}`);
  }
});

test('smooth (weights keyed by Σ|Δ|) stays within one level of the exact recursive filter', () => {
  for (const [w, h, sigmaS, sigmaR] of [[37, 23, 60, 0.4], [16, 40, 5, 0.1], [1, 9, 60, 0.4]] as const) {
    const img = sample(w, h, w * h);
    const I = ref.toUnit(img.data, w, h);
    const O = ref.recursiveFilter(I, ref.domainSteps(I, f(f(sigmaS) / f(sigmaR))), sigmaS);
    const got = renderStyles(img, [{ style: 'smooth', params: { sigmaS, sigmaR } }]).get('smooth')!;
    let off = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) {
      const d = Math.abs(got.data[(y * w + x) * 3 + c] - ref.toU8(Math.abs(f(O[y][x][c] * 255))));
      assert.ok(d <= 1, `${w}×${h} at ${x},${y},${c}`);
      off += d;
    }
    assert.ok(off <= w * h * 3 * 0.01, `${off} values off by one`);
  }
});

test('watercolor equals the straightforward normalised convolution + Sobel', () => {
  for (const [w, h, sigmaS, sigmaR] of [[37, 23, 60, 0.45], [30, 12, 8, 0.2], [64, 3, 60, 0.45]] as const) {
    const img = sample(w, h, w + h);
    const want = ref.watercolor(img.data, w, h, sigmaS, sigmaR);
    const got = renderStyles(img, [{ style: 'watercolor', params: { sigmaS, sigmaR } }]).get('watercolor')!;
    let mismatches = 0;
    for (let i = 0; i < want.length; i++) {
      const d = Math.abs(got.data[i] - want[i]);
      assert.ok(d <= 1, `${w}×${h} at value ${i}: ${got.data[i]} vs ${want[i]}`);
      if (d) mismatches++;
    }
    // The Sobel here is in double, so a value may land on the other side of a .5 now and then, not often.
    assert.ok(mismatches <= w * h * 3 * 0.01, `${mismatches} values off by one`);
  }
});

test('oil equals the brute-force histogram mode, for several radii, dynRatios and both roundings', () => {
  const rnd = random(7);
  for (const [w, h, size, dynRatio] of [[23, 17, 7, 1], [9, 31, 2, 3], [40, 5, 20, 1], [12, 12, 1, 127], [5, 4, 3, 2]] as const) {
    // Few distinct levels, so ties between bins are common.
    const img = image(w, h, 3, () => Math.floor(rnd() * 4) * 60 + Math.floor(rnd() * 3));
    for (const grey of [false, true]) {
      const input = grey ? image(w, h, 1, (x, y) => img.data[(y * w + x) * 3]) : img;
      const rgb = grey ? image(w, h, 3, (x, y) => img.data[(y * w + x) * 3]) : img;
      const want = ref.oil(rgb.data, w, h, size, dynRatio, grey);
      const got = renderStyles(input, [{ style: 'oil', params: { size, dynRatio } }]).get('oil')!;
      const gotRgb = got.channels === 1 ? image(w, h, 3, (x, y) => got.data[y * w + x]).data : got.data;
      assert.deepEqual(Array.from(gotRgb), Array.from(want), `${w}×${h} size ${size} dynRatio ${dynRatio} grey ${grey}`);
    }
  }
});
