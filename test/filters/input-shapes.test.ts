// RGBA keeps its alpha, grey gives grey where natural, and the two sketches share one pen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { renderStyles } from '../../src/filters/render.js';
import { AtelierError } from '../../src/errors.js';
import { STYLE_IDS } from '../../src/filters/registry.js';
import { STYLE_RUNNERS } from '../../src/filters/style-runners.js';
import { decode, FIXTURES, image, photoRgb } from './helpers.js';

const ALL = STYLE_IDS.map((style) => ({ style }));

test('RGBA: the RGB is filtered as if alone and alpha comes back untouched', async () => {
  const rgba = await decode(`${FIXTURES}photos/horse.png`);
  assert.equal(rgba.channels, 4);
  const rgb = image(rgba.width, rgba.height, 3, (x, y, c) => rgba.data[(y * rgba.width + x) * 4 + c]);
  const a = renderStyles(rgba, ALL);
  const b = renderStyles(rgb, ALL);
  for (const style of STYLE_IDS) {
    const o = a.get(style)!;
    const r = b.get(style)!;
    assert.equal(o.channels, 4, style);
    for (let i = 0; i < rgba.width * rgba.height; i++) {
      assert.equal(o.data[i * 4 + 3], rgba.data[i * 4 + 3], `${style} alpha ${i}`);
      for (let c = 0; c < 3; c++) assert.equal(o.data[i * 4 + c], r.data[i * r.channels + (r.channels === 1 ? 0 : c)], `${style} ${i}.${c}`);
    }
  }
});

test('grey: three equal channels in, a grey image out where the style is grey by nature', async () => {
  const { data, info } = await sharp(`${FIXTURES}photos/camera.png`).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  const camera = { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
  assert.equal(camera.channels, 1);
  const small = image(128, 96, 1, (x, y) => camera.data[(y * 4) * camera.width + x * 4]);
  const out = renderStyles(small, ALL);
  const asRgb = renderStyles(image(128, 96, 3, (x, y) => small.data[y * 128 + x]), ALL);
  for (const style of ['sketch', 'oil', 'watercolor', 'smooth', 'detail'] as const) {
    const o = out.get(style)!;
    assert.equal(o.channels, 1, style);
    if (style === 'oil') continue; // grey input truncates the mean, as OpenCV does for one-channel input
    const r = asRgb.get(style)!;
    // detail on RGB takes a and b from float Lab, a hair off zero, so a level may differ there.
    const tol = style === 'detail' ? 1 : 0;
    for (let i = 0; i < 128 * 96; i++) assert.ok(Math.abs(o.data[i] - r.data[r.channels === 1 ? i : i * 3 + 1]) <= tol, `${style} ${i}`);
  }
  // Oil on grey truncates where RGB rounds: never more than one level apart, and lower or equal.
  const oilGrey = out.get('oil')!.data, oilRgb = asRgb.get('oil')!.data;
  for (let i = 0; i < 128 * 96; i++) assert.ok(oilRgb[i * 3] - oilGrey[i] === 0 || oilRgb[i * 3] - oilGrey[i] === 1, `oil ${i}`);
});

test('the two sketches share one pen pass', async () => {
  const rgb = await photoRgb('coffee');
  const shared = new Map<string, unknown>();
  const grey = STYLE_RUNNERS.sketch(rgb, { sigmaS: 60, sigmaR: 0.07, shade: 0.02 }, shared);
  const pens = [...shared.values()].filter((v) => v instanceof Float32Array);
  assert.equal(pens.length, 1);
  // Poison the shared pen: the colour sketch must read it rather than compute its own.
  (pens[0] as Float32Array).fill(0);
  const colour = STYLE_RUNNERS['color-sketch'](rgb, { sigmaS: 60, sigmaR: 0.07, shade: 0.02 }, shared);
  assert.ok(grey.data.some((v) => v > 0));
  for (let i = 0; i < 1000; i++) assert.ok(colour.data[i * 3] + colour.data[i * 3 + 1] + colour.data[i * 3 + 2] < 3 * 255);
  // Other parameters make another pen.
  STYLE_RUNNERS.sketch(rgb, { sigmaS: 30, sigmaR: 0.07, shade: 0.02 }, shared);
  assert.equal([...shared.values()].filter((v) => v instanceof Float32Array).length, 2);
});

test('an image whose fields do not describe its data is refused with a clear message', () => {
  const bad: [unknown, RegExp][] = [
    [{ data: new Uint8Array(5), width: 2, height: 1, channels: 3 }, /data has 5 bytes, 2×1×3 needs 6/],
    [{ data: new Uint8Array(0), width: 0, height: 0, channels: 3 }, /width must be a positive integer/],
    [{ data: new Uint8Array(4), width: 2, height: 1, channels: 2 }, /channels must be 1, 3 or 4/],
    [{ data: [1, 2, 3], width: 1, height: 1, channels: 3 }, /data must be a Uint8Array/],
  ];
  for (const [img, msg] of bad) assert.throws(() => renderStyles(img as never, ALL), (e: unknown) => e instanceof AtelierError && e.code === 'INVALID_ARGUMENT' && msg.test(e.message));
});
