// Spec §1: where OpenCV 4.6 is wrong (0/0 windows on flat rows, float32 indices past 2^24) we must be right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderStyles } from '../../src/filters/render.js';
import { STYLE_IDS } from '../../src/filters/registry.js';
import type { PixelImage } from '../../src/filters/image.js';
import { image, photoRgb, random } from './helpers.js';
import * as ref from './reference-filters.js';

const ALL = STYLE_IDS.map((style) => ({ style }));

function channelAt(img: PixelImage, x: number, y: number, c: number): number {
  return img.data[(y * img.width + x) * img.channels + (img.channels === 1 ? 0 : c)];
}

test('a flat image comes out as itself (and white for the sketches), not black', () => {
  const flat = image(40, 40, 3, (_x, _y, c) => [180, 120, 60][c]);
  const out = renderStyles(flat, ALL);
  for (const style of ['oil', 'watercolor', 'smooth'] as const) assert.deepEqual(out.get(style)!.data, flat.data, style);
  const detail = out.get('detail')!;
  for (let i = 0; i < flat.data.length; i++) assert.ok(Math.abs(detail.data[i] - flat.data[i]) <= 2, `detail ${i}`);
  // The window spans the whole image: pen = 0.02·(40 + 40) > 1, white.
  assert.ok(out.get('sketch')!.data.every((v) => v === 255));
  assert.ok(out.get('color-sketch')!.data.every((v) => v >= 250));
});

test('a nearly flat image is smoothed to about its mean, not black', () => {
  const rnd = random(3);
  const noisy = image(40, 40, 3, (_x, _y, c) => [150, 100, 90][c] + (rnd() < 0.5 ? 0 : 1));
  const out = renderStyles(noisy, ALL);
  for (const style of ['watercolor', 'smooth', 'oil', 'detail'] as const) {
    const o = out.get(style)!;
    for (let i = 0; i < o.data.length; i++) assert.ok(Math.abs(o.data[i] - [150, 100, 90][i % 3]) <= 3, `${style} value ${i} = ${o.data[i]}`);
  }
  // σr = 0.07 makes one level of noise an edge, so the pen darkens a little, but nowhere near black.
  assert.ok(out.get('sketch')!.data.every((v) => v > 100), `sketch min ${Math.min(...out.get('sketch')!.data)}`);
});

test('a 64-px-wide photo with a flat band is properly smoothed, not black, in every style', async () => {
  const photo = await photoRgb('astronaut');
  const w = 64, h = 120, band = [40, 80];
  const img = image(w, h, 3, (x, y, c) => (y >= band[0] && y < band[1] ? [200, 170, 90][c] : photo.data[((y + 100) * photo.width + x + 200) * 3 + c]));
  const out = renderStyles(img, ALL);
  // The properly smoothed result is the spec's arithmetic with the correct window; the reference computes
  // windows by brute force (its Sobel is in double, hence ±1 on rare values).
  const want = ref.watercolor(img.data, w, h, 60, 0.45);
  const got = out.get('watercolor')!;
  let off = 0;
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got.data[i] - want[i]) <= 1, `watercolor value ${i}: ${got.data[i]} vs ${want[i]}`);
    if (got.data[i] !== want[i]) off++;
  }
  assert.ok(off <= want.length * 0.01, `${off} values off by one`);
  // And nothing inside the band is black in any style (OpenCV blackens it); its two edge rows carry outlines.
  for (const style of STYLE_IDS) {
    const o = out.get(style)!;
    for (let y = band[0] + 2; y < band[1] - 2; y++) {
      for (let x = 0; x < w; x++) {
        const v = channelAt(o, x, y, 0);
        assert.ok(v > 100, `${style} at ${x},${y}: ${v}`);
      }
    }
  }
});

test('tiny images (1×1, 2×2, 1×N, N×1) render in every style', () => {
  for (const [w, h] of [[1, 1], [2, 2], [1, 7], [7, 1], [2, 1], [1, 2]]) {
    const flat = image(w, h, 3, (_x, _y, c) => [10, 128, 250][c]);
    const out = renderStyles(flat, ALL);
    for (const style of STYLE_IDS) {
      const o = out.get(style)!;
      assert.equal(o.width, w);
      assert.equal(o.height, h);
      assert.equal(o.data.length, w * h * o.channels, style);
    }
    for (const style of ['oil', 'watercolor', 'smooth'] as const) assert.deepEqual(out.get(style)!.data, flat.data, `${style} ${w}×${h}`);
    // pen = 0.02·(w + h): dark but exact for tiny sizes.
    const pen = Math.round(Math.fround(Math.fround(0.02) * (w + h)) * 255);
    assert.ok(out.get('sketch')!.data.every((v) => Math.abs(v - pen) <= 1), `sketch ${w}×${h}`);
    const edgy = image(w, h, 3, (x, y, c) => ((x + y) % 2 ? 255 : 0) ^ (c * 40));
    const out2 = renderStyles(edgy, ALL);
    for (const style of STYLE_IDS) assert.equal(out2.get(style)!.data.length, w * h * (style === 'sketch' ? 1 : 3));
  }
});

// 3000×2000 = 6 MP: 3·W·H > 2^24, where OpenCV's float32 indices read neighbouring rows. With every row the
// same (structure along x only), any row that differs from the others is a streak; with every column the same, a
// column that differs is one. Values may differ by one level where float sums round differently at different
// depths, never more.
test('images above 5.6 MP have no streaks', () => {
  const w = 3000, h = 2000;
  const rnd = random(11);
  const profile = Array.from({ length: Math.max(w, h) }, (_, i) => [0, 1, 2].map((c) => Math.floor(128 + 100 * Math.sin(i / (17 + 5 * c)) + rnd() * 20)));
  const styles = [{ style: 'smooth' as const }, { style: 'watercolor' as const }, { style: 'sketch' as const }];
  for (const along of ['x', 'y'] as const) {
    const img = image(w, h, 3, (x, y, c) => profile[along === 'x' ? x : y][c]);
    const out = renderStyles(img, styles);
    for (const { style } of styles) {
      const o = out.get(style)!;
      const ch = o.channels;
      let worst = 0;
      if (along === 'x') {
        const mid = (h >> 1) * w * ch;
        // Sketch counts depend on the distance to the top and bottom edges; compare rows well inside.
        const [y0, y1] = style === 'sketch' ? [200, h - 200] : [0, h];
        for (let y = y0; y < y1; y++) for (let i = 0; i < w * ch; i++) worst = Math.max(worst, Math.abs(o.data[y * w * ch + i] - o.data[mid + i]));
      } else {
        const [x0, x1] = style === 'sketch' ? [200, w - 200] : [0, w];
        for (let y = 0; y < h; y++) {
          const ref = (y * w + (w >> 1)) * ch;
          for (let x = x0; x < x1; x++) for (let c = 0; c < ch; c++) worst = Math.max(worst, Math.abs(o.data[(y * w + x) * ch + c] - o.data[ref + c]));
        }
      }
      assert.ok(worst <= 1, `${style}, structure along ${along}: a line differs by ${worst}`);
    }
  }
});
