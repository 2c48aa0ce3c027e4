// The multi-core path must give exactly the single-thread result.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { renderStyles } from '../../src/filters/render.js';
import { STYLE_IDS } from '../../src/filters/registry.js';
import { renderStylesParallel, closeFilterThreads, splitRange } from '../../src/parallel/index.js';
import { decode, FIXTURES, image, photoRgb } from './helpers.js';

after(() => closeFilterThreads());

const ALL = STYLE_IDS.map((style) => ({ style }));

test('ranges cover [0, n) exactly once', () => {
  for (const [n, k] of [[10, 3], [1, 2], [0, 2], [1024, 2], [7, 7]]) {
    const r = splitRange(n, k);
    assert.equal(r.length, k);
    assert.equal(r[0][0], 0);
    assert.equal(r[k - 1][1], n);
    for (let i = 1; i < k; i++) assert.equal(r[i][0], r[i - 1][1]);
  }
});

test('two and three threads give bit-identical results to one, for every style', async () => {
  const photo = await photoRgb('astronaut');
  // An odd size, so rows and columns split unevenly; cropped from a real photo for real edges.
  const w = 301, h = 217;
  const img = image(w, h, 3, (x, y, c) => photo.data[((y + 150) * photo.width + x + 100) * 3 + c]);
  const single = renderStyles(img, ALL);
  for (const threads of [2, 3]) {
    const multi = await renderStylesParallel(img, ALL, { threads });
    for (const style of STYLE_IDS) {
      const a = single.get(style)!, b = multi.get(style)!;
      assert.equal(b.channels, a.channels, style);
      assert.ok(Buffer.from(a.data).equals(Buffer.from(b.data)), `${style} with ${threads} threads differs`);
    }
  }
});

test('RGBA and grey inputs and non-default parameters go through the parallel path unchanged', async () => {
  const horse = await decode(`${FIXTURES}photos/horse.png`);
  const grey = image(120, 90, 1, (x, y) => (x * 7 + y * 3) % 256 ^ (x > 60 ? 255 : 0));
  const req = [{ style: 'oil' as const, params: { size: 3, dynRatio: 2 } }, { style: 'sketch' as const, params: { sigmaS: 20, sigmaR: 0.1, shade: 0.05 } }, { style: 'color-sketch' as const }, { style: 'detail' as const }];
  for (const img of [horse, grey]) {
    const a = renderStyles(img, req);
    const b = await renderStylesParallel(img, req, { threads: 2 });
    for (const { style } of req) assert.ok(Buffer.from(a.get(style)!.data).equals(Buffer.from(b.get(style)!.data)), `${style} ${img.channels} channels`);
  }
});

test('detail at a width whose rows it pads (see greyPitch) gives the single-thread result on two and three threads', async () => {
  const photo = await photoRgb('astronaut');
  // 256 and 1024 wide: rows of 1 and 4 KiB, padded to 260 and 1032 samples.
  for (const [w, h] of [[256, 61], [1024, 9]] as const) {
    const img = image(w, h, 3, (x, y, c) => photo.data[((y * 3) % photo.height * photo.width + (x % photo.width)) * 3 + c]);
    const req = [{ style: 'detail' as const }, { style: 'detail' as const, params: { sigmaS: 60, sigmaR: 0.5 } }];
    for (const threads of [2, 3]) {
      for (const r of req) {
        const a = renderStyles(img, [r]).get('detail')!;
        const b = (await renderStylesParallel(img, [r], { threads })).get('detail')!;
        assert.ok(Buffer.from(a.data).equals(Buffer.from(b.data)), `${w}×${h} ${JSON.stringify(r.params ?? {})} with ${threads} threads differs`);
      }
    }
  }
});

test('a bad thread count is refused with a clear message', async () => {
  await assert.rejects(renderStylesParallel(image(2, 2, 3, () => 0), ALL, { threads: 0 }), /threads must be an integer from 1 to 64/);
});
