// The fast kernels against the slow reference implementations of test/filters/reference-filters.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderStyles } from '../../src/filters/render.js';
import {
  UNIT, PEN_ROWS, addColumnWindowSizesRgb, addRowWindowSizesRgb, boxRadius, columnCoordinateLines, columnWeightsGrey, keysRgb, iterationSigma, rangeScale, rowCoordinateLines,
  rowWeightsGrey, SENTINELS, STRIP, windowBounds, greyPitch,
} from '../../src/filters/domain-transform.js';
import { firstIterationPowers, iterationFeedback, keyedWeights, normalizedConvolutionSteps, recursiveFilterSteps, squaringWeights } from '../../src/filters/domain-filter.js';
import { MapWorkspace, runSteps } from '../../src/filters/workspace.js';
import { watercolorSteps } from '../../src/filters/watercolor.js';
import { STAGES } from '../../src/filters/stages.js';
import { resolveParams } from '../../src/filters/registry.js';
import { BAND, floorQuotient, roundQuotient } from '../../src/filters/oil-painting.js';
import { fastSrgb8, recolorRange, srgb8, SRGB8_STEPS, SRGB8_THRESHOLD } from '../../src/filters/color-space.js';
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

test('the RF passes with squared float32 weights equal the straightforward recursive filter (one rounding per update) bit for bit, RGB and grey, split or whole', () => {
  for (const [w, h, sigmaS, sigmaR] of [[37, 23, 60, 0.4], [16, 40, 5, 0.1], [1, 9, 60, 0.4], [70, 2, 10, 0.15], [75, 19, 10, 0.15]] as const) {
    const img = sample(w, h, w * h);
    const rgb = ref.toUnit(img.data, w, h);
    // Grey: the green channel alone (detail filters one channel).
    for (const I of [rgb, rgb.map((row) => row.map((px) => [px[1]]))]) {
      const ch = I[0][0].length;
      const steps = ref.domainSteps(I, f(f(sigmaS) / f(sigmaR)));
      const want = ref.recursiveFilter(I, steps, sigmaS, true, true).flat(2);
      const spec = ref.recursiveFilter(I, steps, sigmaS).flat(2);
      const a0 = iterationFeedback(sigmaS, 0);
      for (const split of [false, true]) {
        const o = Float32Array.from(I.flat(2));
        const wH = Float32Array.from(steps.hz.flat(), (d) => Math.pow(a0, d));
        const wV = Float32Array.from(steps.vt.flat(), (d) => Math.pow(a0, d));
        const cut = (n: number) => (split ? [[0, n >> 1], [n >> 1, n]] : [[0, n]]);
        for (const step of recursiveFilterSteps(o, ch, w, h, squaringWeights(wH, wV))) {
          for (const [a, b] of cut(step.axis === 'rows' ? h : w)) step.run(a, b);
        }
        assert.deepEqual(Array.from(o), want, `${w}×${h}×${ch} split ${split}`);
        // The spec rounds each update three times and takes a fresh power per iteration: a few float32 ulps apart.
        let worst = 0;
        for (let i = 0; i < o.length; i++) worst = Math.max(worst, Math.abs(o[i] - spec[i]));
        assert.ok(worst <= 2 ** -20, `${w}×${h}×${ch}: ${worst} from the float32 recursive filter`);
      }
    }
  }
});

test('the RF passes over rows (and weights) a padded pitch apart equal the passes over packed rows, grey and RGB, split or whole', () => {
  for (const [w, h, pad] of [[37, 23, 5], [16, 40, 16], [1, 9, 7], [70, 2, 1], [24, 17, 8]] as const) {
    const img = sample(w, h, 7 * w + h);
    const rgb = ref.toUnit(img.data, w, h);
    for (const I of [rgb, rgb.map((row) => row.map((px) => [px[1]]))]) {
      const ch = I[0][0].length;
      const steps = ref.domainSteps(I, rangeScale(10, 0.15));
      const a0 = iterationFeedback(10, 0);
      const weights = () => squaringWeights(Float32Array.from(steps.hz.flat(), (d) => Math.pow(a0, d)), Float32Array.from(steps.vt.flat(), (d) => Math.pow(a0, d)));
      const packed = Float32Array.from(I.flat(2));
      for (const step of recursiveFilterSteps(packed, ch, w, h, weights())) step.run(0, step.axis === 'rows' ? h : w);
      // The weights' rows padded too (wPitch = W + pad), their padding NaN as well.
      const padded = (a: Float32Array) => {
        const b = new Float32Array((w + pad) * h).fill(NaN);
        for (let y = 0; y < h; y++) b.set(a.subarray(y * w, (y + 1) * w), y * (w + pad));
        return b;
      };
      const paddedWeights = () => squaringWeights(padded(Float32Array.from(steps.hz.flat(), (d) => Math.pow(a0, d))), padded(Float32Array.from(steps.vt.flat(), (d) => Math.pow(a0, d))));
      for (const [split, wPad] of [[false, false], [true, false], [false, true], [true, true]]) {
        const pitch = w * ch + pad;
        // The padding holds NaN: a pass that read it would spread it.
        const o = new Float32Array(pitch * h).fill(NaN);
        for (let y = 0; y < h; y++) o.set(I[y].flat(), y * pitch);
        const cut = (n: number) => (split ? [[0, n >> 1], [n >> 1, n]] : [[0, n]]);
        const ws = wPad ? paddedWeights() : weights();
        for (const step of recursiveFilterSteps(o, ch, w, h, ws, {}, pitch, wPad ? w + pad : w)) for (const [a, b] of cut(step.axis === 'rows' ? h : w)) step.run(a, b);
        for (let y = 0; y < h; y++) {
          assert.deepEqual(Array.from(o.subarray(y * pitch, y * pitch + w * ch)), Array.from(packed.subarray(y * w * ch, (y + 1) * w * ch)), `${w}×${h}×${ch} pad ${pad} weights padded ${wPad} row ${y}`);
          assert.ok(o.subarray(y * pitch + w * ch, (y + 1) * pitch).every((v) => Number.isNaN(v)), `${w}×${h}×${ch} pad ${pad}: padding written`);
        }
      }
    }
  }
});

test('greyPitch keeps the width unless rows up to 8 apart come within 32 bytes of a multiple of 4 KiB', () => {
  const clear = (p: number) => [1, 2, 3, 4, 5, 6, 7, 8].every((k) => { const d = (k * p * 4) % 4096; return d >= 32 && d <= 4064; });
  for (let w = 1; w <= 5000; w++) {
    const p = greyPitch(w);
    assert.ok(p >= w && clear(p), `width ${w}: pitch ${p}`);
    for (let q = w; q < p; q++) assert.ok(!clear(q), `width ${w}: ${q} would do`);
  }
  assert.equal(greyPitch(1000), 1000);
  assert.equal(greyPitch(1024), 1032);
});

test('the grey RF weights are the float32 power a0^d of the grey domain steps, up to the rounding of d, along rows and down columns, split or whole', () => {
  const rnd = random(5);
  for (const [w, h, sigmaS, sigmaR] of [[41, 29, 10, 0.15], [7, 50, 60, 0.01], [50, 3, 1, 1], [1, 8, 200, 0.5]] as const) {
    // Lightness-like values: smooth runs, steps and noise.
    const img = Float32Array.from({ length: w * h }, (_, i) => f(((i % w > w / 2 ? 0.6 : 0.1) + rnd() * (rnd() < 0.2 ? 0.3 : 0.003))));
    const k = rangeScale(sigmaS, sigmaR);
    const a0 = iterationFeedback(sigmaS, 0);
    const powers = () => firstIterationPowers(sigmaS, k, 1);
    const step = (i: number, j: number) => (j < 0 ? 1 : f(1 + f(k * Math.abs(f(img[i] - img[j])))));
    const want = (i: number, j: number) => f(Math.pow(a0, step(i, j)));
    for (const split of [false, true]) {
      const wH = new Float32Array(w * h), wV = new Float32Array(w * h);
      const cut = (n: number) => (split ? [[0, n >> 1], [n >> 1, n]] : [[0, n]]);
      for (const [y0, y1] of cut(h)) rowWeightsGrey(img, w, powers(), wH, y0, y1);
      for (const [x0, x1] of cut(w)) columnWeightsGrey(img, w, h, powers(), wV, x0, x1);
      // Into rows 3 samples longer: the same weights, the padding untouched.
      const pH = new Float32Array((w + 3) * h).fill(-1), pV = new Float32Array((w + 3) * h).fill(-1);
      for (const [y0, y1] of cut(h)) rowWeightsGrey(img, w, powers(), pH, y0, y1, w + 3);
      for (const [x0, x1] of cut(w)) columnWeightsGrey(img, w, h, powers(), pV, x0, x1, w + 3);
      for (let y = 0; y < h; y++) {
        assert.deepEqual([Array.from(pH.subarray(y * (w + 3), y * (w + 3) + w)), Array.from(pV.subarray(y * (w + 3), y * (w + 3) + w))], [Array.from(wH.subarray(y * w, (y + 1) * w)), Array.from(wV.subarray(y * w, (y + 1) * w))]);
        assert.deepEqual([Array.from(pH.subarray(y * (w + 3) + w, (y + 1) * (w + 3))), Array.from(pV.subarray(y * (w + 3) + w, (y + 1) * (w + 3)))], [[-1, -1, -1], [-1, -1, -1]]);
      }
      // The kernels keep k·|Δ| in double where OpenCV rounds d = 1 + k·|Δ| to float32 (moving a^d by up to
      // |ln a|·d·2^-24 of itself), and interpolate a^d to within half an ulp; with the final rounding, 2 ulps more.
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        const i = y * w + x;
        for (const [got, j] of [[wH[i], x > 0 ? i - 1 : -1], [wV[i], y > 0 ? i - w : -1]]) {
          const exp = want(i, j);
          const bound = (Math.abs(Math.log(a0)) * step(i, j) + 2) * 2 ** -23 * exp;
          assert.ok(Math.abs(got - exp) <= bound, `${w}×${h} at ${x},${y}: ${got} vs ${exp}`);
        }
      }
    }
  }
});

test('StepPowers: steps past maxStep take the weight at the table\'s end, and powers below float32\'s range are 0', () => {
  const k = rangeScale(10, 0.15), a0 = iterationFeedback(10, 0);
  const t = firstIterationPowers(10, k, 0.4);
  assert.equal(t.weight(0.7), t.weight(0.9));
  assert.ok(t.weight(0.7) > 0 && t.weight(0.7) <= t.weight(0.4));
  assert.equal(t.weight(-0.25), t.weight(0.25));
  assert.ok(Math.abs(t.weight(0.3) - f(Math.pow(a0, f(1 + f(k * f(0.3)))))) <= 2 ** -20 * t.weight(0.3));
  // σs 200, σr 0.01: a^(1 + k) ≈ e^-162, and the table stops where e^x leaves float32 (x < −104).
  const kk = rangeScale(200, 0.01), a = iterationFeedback(200, 0);
  const big = firstIterationPowers(200, kk, 1);
  assert.equal(big.weight(1), 0);
  assert.equal(big.weight(0.7), 0);
  const x = 100 / (kk * -Math.log(a)); // a^(1 + k·x) ≈ e^-100: small, not 0
  assert.ok(big.weight(x) > 0 && Math.abs(big.weight(x) - f(Math.pow(a, 1 + kk * x))) <= 1e-5 * big.weight(x));
  assert.ok(big.table.length <= Math.ceil(104 * 2 ** 11) + 3, `table of ${big.table.length}`);
});

test('the RF sweeps that read keyed weights from the keys equal the general sweeps over filled weights bit for bit, split or whole', () => {
  for (const [w, h, sigmaS, sigmaR] of [[37, 23, 60, 0.4], [16, 40, 5, 0.1], [1, 9, 60, 0.4], [70, 2, 10, 0.15], [9, 17, 200, 0.01]] as const) {
    const img = sample(w, h, w + 3 * h);
    const nH = new Uint16Array(w * h), nV = new Uint16Array(w * h);
    const unit = Float32Array.from(img.data, (v) => UNIT[v]);
    keysRgb(img.data, w, nH, nV, 0, h);
    const d = img.data;
    const sad = (i: number, j: number) => Math.abs(d[i] - d[j]) + Math.abs(d[i + 1] - d[j + 1]) + Math.abs(d[i + 2] - d[j + 2]);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
      const i = y * w + x;
      assert.deepEqual([nH[i], nV[i]], [x > 0 ? sad(i * 3, i * 3 - 3) : 0, y > 0 ? sad(i * 3, (i - w) * 3) : 0], `keys at ${x},${y}`);
    }
    // Keys of two ranges of rows (as the parallel renderer cuts them) are the keys of the whole.
    const nH2 = new Uint16Array(w * h), nV2 = new Uint16Array(w * h);
    for (const [y0, y1] of [[0, h >> 1], [h >> 1, h]]) keysRgb(img.data, w, nH2, nV2, y0, y1);
    assert.deepEqual([nH2, nV2], [nH, nV]);
    const keyed = keyedWeights(nH, nV, sigmaS, rangeScale(sigmaS, sigmaR));
    // The same weights behind a plain Weights object: the kernels then take the general path (weights filled first).
    const plain = (i: number, axis: 'rows' | 'cols') => {
      const inner = keyed(i, axis);
      return { fill: (first: number, count: number, out: Float32Array, at: number) => inner.fill(first, count, out, at) };
    };
    const run = (weights: typeof keyed, split: boolean) => {
      const o = Float32Array.from(unit);
      const cut = (n: number) => (split ? [[0, n >> 1], [n >> 1, n]] : [[0, n]]);
      for (const step of recursiveFilterSteps(o, 3, w, h, weights)) {
        for (const [a, b] of cut(step.axis === 'rows' ? h : w)) step.run(a, b);
      }
      return Array.from(o);
    };
    const want = run(plain, false);
    for (const split of [false, true]) assert.deepEqual(run(keyed, split), want, `${w}×${h} split ${split}`);
  }
});

test("smooth's fused steps (keys made as the first pass reaches their rows, which reads the 8-bit input itself) equal the plain sequence, split or whole", () => {
  // Heights that are and are not multiples of the row groups, and ranges cut anywhere.
  for (const [w, h, sigmaS, sigmaR] of [[37, 23, 60, 0.4], [16, 40, 5, 0.1], [1, 9, 60, 0.4], [70, 2, 10, 0.15], [9, 17, 200, 0.01], [8, 1, 60, 0.4]] as const) {
    const img = sample(w, h, 5 * w + h);
    const k = rangeScale(sigmaS, sigmaR);
    // The plain sequence: every key and unit value first, then the six passes, then |O·255| rounded and saturated.
    const nH = new Uint16Array(w * h), nV = new Uint16Array(w * h);
    const o = new Float32Array(w * h * 3);
    keysRgb(img.data, w, nH, nV, 0, h);
    o.set(Array.from(img.data, (v) => UNIT[v]));
    for (const step of recursiveFilterSteps(o, 3, w, h, keyedWeights(nH, nV, sigmaS, k))) step.run(0, step.axis === 'rows' ? h : w);
    const want = Array.from(Uint8ClampedArray.from(o, (v) => Math.abs(f(v * 255))));
    for (const split of [false, true]) {
      const ws = new MapWorkspace();
      ws.put('rgb', 'u8', img.data);
      const cut = (n: number) => (split ? [[0, n >> 1], [n >> 1, n]] : [[0, n]]);
      const steps = STAGES.smooth(ws, w, h, resolveParams('smooth', { sigmaS, sigmaR }), { greyInput: false });
      for (const step of steps) for (const [a, b] of cut(step.axis === 'rows' ? h : w)) step.run(a, b);
      assert.deepEqual(Array.from(ws.get('out', 'u8', w * h * 3)), want, `${w}×${h} split ${split}`);
    }
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

test("watercolor's Sobel step gives the same rows over any cut of the rows, down to one and two pixels a side", () => {
  // The step computes each row's kernels once, the row below's as it paints (reflected at the borders): a range
  // starting or ending anywhere must find the rows it needs, and the bottom row's reflection must not disturb them.
  for (const [w, h] of [[1, 1], [1, 5], [5, 1], [2, 2], [2, 7], [7, 2], [3, 3], [19, 11]] as const) {
    const img = sample(w, h, 3 * w + h);
    const run = (cuts: [number, number][]) => {
      const ws = new MapWorkspace();
      ws.put('rgb', 'u8', img.data);
      const steps = watercolorSteps(ws, w, h, resolveParams('watercolor', {}));
      for (const s of steps.slice(0, -1)) s.run(0, s.axis === 'rows' ? h : w);
      for (const [y0, y1] of cuts) steps[steps.length - 1].run(y0, y1);
      return Array.from(ws.get('out', 'u8', w * h * 3));
    };
    const whole = run([[0, h]]);
    const rowByRow = Array.from({ length: h }, (_, y): [number, number] => [y, y + 1]).reverse();
    assert.deepEqual(run(rowByRow), whole, `${w}×${h} row by row, bottom up`);
    assert.deepEqual(run([[0, h >> 1], [h >> 1, h]]), whole, `${w}×${h} in halves`);
    assert.deepEqual(whole, Array.from(renderStyles(img, [{ style: 'watercolor' }]).get('watercolor')!.data), `${w}×${h} as rendered`);
  }
});

test('oil equals the brute-force histogram mode, for several radii, dynRatios and both roundings, across column bands', () => {
  const rnd = random(7);
  for (const [w, h, size, dynRatio] of [[23, 17, 7, 1], [9, 31, 2, 3], [40, 5, 20, 1], [12, 12, 1, 127], [5, 4, 3, 2], [BAND + 45, 9, 7, 1], [2 * BAND + 3, 5, 20, 2]] as const) {
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

test('oil with 8-bit counts (windows of ≤ 255 pixels) equals the brute force where a level holds ≥ 128 of a window and where levels tie', () => {
  // Levels 99..104 share 32-bit words of counts, so a dominant count (≥ 128 of 225, where the word test runs with no
  // bias) sits beside small ones in the same word; checkered regions make counts of 112 and 113 that tie or swap.
  // Each level has two colours, so the mean depends on the pixels counted, not only on the level.
  const rnd = random(11);
  const w = 64, h = 40;
  const level = (x: number, y: number) => {
    const r = rnd();
    if (x < 16) return r < 0.9 ? 100 : 101 + Math.floor(r * 30) % 4; // 100 dominant (≈ 200 of 225)
    if (x < 32) return (x + y) % 2 ? 101 : 103; // ties between 101 and 103
    if (x < 48) return r < 0.6 ? 104 : r < 0.95 ? 99 : 102; // 104 near 135, 99 near 80
    return r < 0.5 ? 99 : 104; // the two swap back and forth near 112
  };
  const img = image(w, h, 3, (x, y) => level(x, y) * 3 + (((x * 7 + y) % 3) === 0 ? 1 : 0));
  const grey = (v: number, c: number) => Math.floor(v / 3) + (v % 3 ? c - 1 : 0);
  const rgb = image(w, h, 3, (x, y, c) => grey(img.data[(y * w + x) * 3], c));
  for (const size of [7, 8, 5]) {
    const want = ref.oil(rgb.data, w, h, size, 1, false);
    const got = renderStyles(rgb, [{ style: 'oil', params: { size, dynRatio: 1 } }]).get('oil')!;
    assert.deepEqual(Array.from(got.data), Array.from(want), `size ${size}`);
  }
});

test('oil equals the brute force where new levels take over a flat area through steps that each change ≤ 2 pixels', () => {
  // A flat grey whose upper rows turn light (levels 200 and 201 on alternate rows, so the mode flips between them),
  // one more row every `run` columns (at least half the window's width), then one fewer: each step of a window
  // swaps at most 2 pixels, so the flat-stretch loop runs throughout; the new levels must widen the searched range
  // there, or the searches as they recede miss them.
  for (const [w, h, size, run] of [[260, 15, 7, 8], [300, 17, 8, 9], [150, 9, 3, 4]] as const) {
    const rows = (x: number) => Math.max(0, Math.floor(Math.min(x - 20, w - 20 - x) / run));
    const img = image(w, h, 3, (x, y) => (y < rows(x) ? 201 - (y & 1) : 100));
    const want = ref.oil(img.data, w, h, size, 1, false);
    const got = renderStyles(img, [{ style: 'oil', params: { size, dynRatio: 1 } }]).get('oil')!;
    assert.deepEqual(Array.from(got.data), Array.from(want), `size ${size}`);
  }
});

test('oil with the blue sums apart (radius ≥ 11) equals the brute force where the column sums slide down the image', () => {
  // From radius 11 (sums of 2^18 and more) R and G are packed and B has column sums of its own; the images are
  // taller than the window, so the sums slide (a row leaves, a row enters), not only grow and shrink at the edges.
  const rnd = random(31);
  for (const [w, h, size] of [[21, 45, 16], [30, 50, 20]] as const) {
    const img = image(w, h, 3, (x, y, c) => Math.floor(rnd() * 3) * 70 + ((x + 2 * y + c) % 4));
    const want = ref.oil(img.data, w, h, size, 1, false);
    const got = renderStyles(img, [{ style: 'oil', params: { size, dynRatio: 1 } }]).get('oil')!;
    assert.deepEqual(Array.from(got.data), Array.from(want), `size ${size}`);
  }
});

test('the mean quotients (one division, ties to even by adding 1.5·2^52) equal exact integer rounding for every sum of every window', () => {
  // Every numerator 0..255·c for the window sizes of 8-bit counts (c ≤ 225, where ties at odd and even quotients
  // abound), then every 7th size up to radius 20's 1681 pixels; the reference rounds by the integer remainder alone.
  const check = (c: number, s: number) => {
    const q = (s - (s % c)) / c;
    const twice = 2 * (s % c);
    const even = twice < c ? q : twice > c ? q + 1 : q + (q & 1);
    if (roundQuotient(s, c) !== even) assert.fail(`round ${s}/${c}: ${roundQuotient(s, c)}, want ${even}`);
    if (floorQuotient(s, c) !== q) assert.fail(`floor ${s}/${c}: ${floorQuotient(s, c)}, want ${q}`);
  };
  for (let c = 1; c <= 1681; c += c < 225 ? 1 : 7) for (let s = 0; s <= 255 * c; s += c <= 225 ? 1 : 3) check(c, s);
  for (const c of [1680, 1681]) for (let s = 255 * c - 2 * c; s <= 255 * c; s++) check(c, s);
});

test('oil at the default radius 7 (its unrolled full-window steps) equals the brute force in busy and flat areas, across bands', () => {
  // Tall enough that most rows have the full 15-row window, wide enough for two bands. Columns < 120 are busy (every
  // step changes many pixels: the dense unrolled step); beyond, a flat grey with sparse blobs and rows of two
  // alternating levels (steps changing ≤ 2 pixels: the unrolled flat stretch), so both paths add, remove and tie.
  const rnd = random(23);
  const w = BAND + 40, h = 40;
  const img = image(w, h, 3, (x, y, c) => {
    if (x < 120) return Math.floor(rnd() * 5) * 40 + c;
    if ((x * 13 + y * 7) % 97 < 3) return 30 + ((x + y) % 5) * 20;
    return y % 9 < 2 && x % 50 > 20 ? 180 + (y & 1) : 90 + (c === 1 && x % 3 === 0 ? 1 : 0);
  });
  for (const dynRatio of [1, 4]) {
    const want = ref.oil(img.data, w, h, 7, dynRatio, false);
    const got = renderStyles(img, [{ style: 'oil', params: { size: 7, dynRatio } }]).get('oil')!;
    assert.deepEqual(Array.from(got.data), Array.from(want), `dynRatio ${dynRatio}`);
  }
});

/**
 * Images on which the window pointers meet their edge cases: flat (every row and column fits in one window, so the
 * upper pointer runs into the sentinels), one pixel wide or high, a single pixel, steps so large that every window
 * is one sample (coordinates in the hundreds of thousands, where float32 spacing is coarse), and a flat band beside
 * an edge. [w, h, σs, σr, pixel]
 */
const POINTER_CASES: [number, number, number, number, (x: number, y: number, c: number) => number][] = [
  [23, 5, 60, 0.45, () => 128],
  [1, 17, 60, 0.45, (x, y, c) => (y * 37 + c * 11) % 256],
  [17, 1, 5, 0.1, (x, y, c) => (x * 53 + c * 7) % 256],
  [1, 1, 60, 0.45, () => 77],
  [2, 2, 200, 0.01, (x, y, c) => ((x + y) % 2 ? 255 : 0) + c - c],
  [40, 9, 200, 0.01, (x, y, c) => ((x + y) % 2 ? 250 : 3) + c],
  [37, 6, 60, 0.07, (x, y, c) => (x < 20 ? 90 : x < 24 ? 90 + (x - 19) * 40 : 240) - c * 3 + (y === 3 && x > 30 ? 9 : 0)],
];

test('the production NC passes equal the straightforward normalised convolution on pointer edge cases, split or whole', () => {
  for (const [w, h, sigmaS, sigmaR, pixel] of POINTER_CASES) {
    const img = image(w, h, 3, pixel);
    const I = ref.toUnit(img.data, w, h);
    const k = rangeScale(sigmaS, sigmaR);
    const want = ref.normalizedConvolution(I, ref.domainSteps(I, k), sigmaS).flat(2);
    // Whole ranges, and ranges cut in two as the parallel renderer cuts them.
    for (const split of [false, true]) {
      const ctH = new Float32Array(h * (w + SENTINELS));
      const ctV = new Float32Array(w * (h + SENTINELS));
      const o = new Float32Array(w * h * 3);
      const cut = (n: number) => (split ? [[0, n >> 1], [n >> 1, n]] : [[0, n]]);
      for (const [y0, y1] of cut(h)) rowCoordinateLines(img.data, w, k, ctH, y0, y1, o);
      for (const [x0, x1] of cut(w)) columnCoordinateLines(img.data, w, h, k, x0, x1, ctV, x0 * (h + SENTINELS));
      for (const step of normalizedConvolutionSteps(o, w, h, ctH, ctV, sigmaS)) {
        for (const [a, b] of cut(step.axis === 'rows' ? h : w)) step.run(a, b);
      }
      assert.deepEqual(Array.from(o), want, `${w}×${h} σs ${sigmaS} σr ${sigmaR} split ${split}`);
    }
  }
});

test('the production pencil window sizes equal the brute-force windows on pointer edge cases, split or whole', () => {
  for (const [w, h, sigmaS, sigmaR, pixel] of POINTER_CASES) {
    const img = image(w, h, 3, pixel);
    const d = ref.domainSteps(ref.toUnit(img.data, w, h), rangeScale(sigmaS, sigmaR));
    const r = boxRadius(iterationSigma(sigmaS, 0));
    const want = new Array<number>(w * h).fill(0);
    for (let y = 0; y < h; y++) ref.windows(ref.cumulative(d.hz[y]), r).forEach(([L, U], x) => (want[y * w + x] += U - L));
    for (let x = 0; x < w; x++) ref.windows(ref.cumulative(d.vt.map((row) => row[x])), r).forEach(([L, U], y) => (want[y * w + x] += U - L));
    for (const split of [false, true]) {
      const sizes = new Float32Array(w * h);
      const cut = (n: number) => (split ? [[0, n >> 1], [n >> 1, n]] : [[0, n]]);
      for (const [y0, y1] of cut(h)) addRowWindowSizesRgb(img.data, w, rangeScale(sigmaS, sigmaR), r, sizes, new Float32Array(PEN_ROWS * (w + SENTINELS)), y0, y1);
      for (const [x0, x1] of cut(w)) {
        addColumnWindowSizesRgb(img.data, w, h, rangeScale(sigmaS, sigmaR), r, sizes, new Float32Array(STRIP * (h + SENTINELS)), x0, x1);
      }
      assert.deepEqual(Array.from(sizes), want, `${w}×${h} σs ${sigmaS} σr ${sigmaR} split ${split}`);
    }
  }
});

test('the table-driven 8-bit sRGB encoding equals the direct one, at random values and on both sides of every level', () => {
  const rnd = random(11);
  const values = [0, 1, -0.5, 2, NaN, 0.0031308, ...Array.from({ length: 20000 }, () => rnd()), ...Array.from({ length: 2000 }, () => rnd() * 0.01)];
  // Around each level's first value as the tables have it: a threshold off the true boundary fails on one side.
  for (let v = 1; v < 256; v++) for (let e = -4; e <= 4; e++) values.push(SRGB8_THRESHOLD[v] * (1 + e * 2 ** -52));
  // The tables' premise: no bucket of the level table holds two thresholds.
  for (let v = 1; v < 255; v++) assert.ok(Math.floor(SRGB8_THRESHOLD[v] * SRGB8_STEPS) < Math.floor(SRGB8_THRESHOLD[v + 1] * SRGB8_STEPS), `levels ${v}, ${v + 1}`);
  for (const c of values) assert.equal(fastSrgb8(c), srgb8(Math.min(1, Math.max(0, c || 0))), `at ${c}`);
});

/** The colour sketch's YCrCb round trip in float32 throughout, as the spec gives it (fused multiply-adds rounded once). */
function recolorFloat32(rgb: Uint8Array, sizes: Float32Array, shade: number, out: Uint8ClampedArray): void {
  const s = f(shade);
  for (let i = 0, o = 0; i < sizes.length; i++, o += 3) {
    const y = f(s * sizes[i]);
    const r = UNIT[rgb[o]], g = UNIT[rgb[o + 1]], b = UNIT[rgb[o + 2]];
    const luma = f(b * f(0.114) + f(g * f(0.587) + f(r * f(0.299))));
    const dr = f(f(f(r - luma) * f(0.713) + 0.5) - 0.5);
    const db = f(f(f(b - luma) * f(0.564) + 0.5) - 0.5);
    out[o] = f(f(dr * f(1.403) + y) * 255);
    out[o + 1] = f(f(dr * f(-0.714) + f(db * f(-0.344) + y)) * 255);
    out[o + 2] = f(f(db * f(1.773) + y) * 255);
  }
}

test('recolorRange (double, float32 near rounding jumps) gives the float32 round trip bit for bit', () => {
  const rnd = random(41);
  const n = 120_000;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = Math.floor(rnd() * 256);
  for (const [shade, maxSize] of [[0.02, 60], [0.1, 30], [0.0013, 900], [0.07, 3000], [0, 10]] as const) {
    const sizes = new Float32Array(n);
    for (let i = 0; i < n; i++) sizes[i] = 1 + Math.floor(rnd() * maxSize);
    const want = new Uint8ClampedArray(n * 3);
    const got = new Uint8ClampedArray(n * 3);
    recolorFloat32(rgb, sizes, shade, want);
    // In three ranges, as the steps call it.
    for (const [a, b] of [[0, 1000], [1000, 77_777], [77_777, n]]) recolorRange(rgb, UNIT, sizes, shade, a, b, got);
    let differ = 0;
    for (let i = 0; i < got.length; i++) if (got[i] !== want[i]) differ++;
    assert.equal(differ, 0, `shade ${shade}, sizes up to ${maxSize}`);
  }
});
