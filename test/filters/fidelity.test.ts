// Our styles against OpenCV 4.6's output on the fixture photos (references made by scripts/make-references.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderStyles } from '../../src/filters/render.js';
import { STYLE_IDS, type StyleId } from '../../src/filters/registry.js';
import { decode, FIXTURES, photoRgb, withinTolerance } from './helpers.js';

const TOLERANCE: Record<StyleId, number> = { sketch: 1, 'color-sketch': 1, oil: 1, watercolor: 1, smooth: 1, detail: 2 };

for (const photo of ['astronaut', 'coffee']) {
  test(`${photo}: every style matches OpenCV 4.6 on ≥ 99.5% of channel values`, async () => {
    const rgb = await photoRgb(photo);
    const out = renderStyles(rgb, STYLE_IDS.map((style) => ({ style })));
    for (const style of STYLE_IDS) {
      // OpenCV wrote BGR; sharp decodes the PNG to RGB, the same order as ours.
      const ref = await decode(`${FIXTURES}opencv-4.6/${photo}.${style}.png`);
      const mine = out.get(style)!;
      const tol = TOLERANCE[style];
      const { share, maxDiff } = withinTolerance(mine, ref, tol);
      const exact = withinTolerance(mine, ref, 0).share;
      console.log(`  ${photo} ${style}: ${(share * 100).toFixed(3)}% within ±${tol}, ${(exact * 100).toFixed(3)}% exact, max diff ${maxDiff}`);
      assert.ok(share >= 0.995, `${photo} ${style}: only ${(share * 100).toFixed(3)}% within ±${tol}`);
    }
  });
}
