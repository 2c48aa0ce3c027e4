/**
 * cv::detailEnhance: the Lab lightness (scaled to L/255) is smoothed by three RF iterations into a base layer,
 * the detail L − base is tripled and put back, and the image returns to RGB with its original a, b.
 */
import { columnWeightsGrey, greyPitch, rangeScale, rowWeightsGrey } from './domain-transform.js';
import { firstIterationPowers, recursiveFilterSteps, squaringWeights } from './domain-filter.js';
import { labToRgb, rgbToLab } from './color-space.js';
import type { StyleParams } from './registry.js';
import type { Step, Workspace } from './workspace.js';

const f = Math.fround;
const INV255 = f(1 / 255);
const FACTOR = 3;

/** L'' = (base + 3·(L' − base))·255 of `count` pixels (from bAt in base, from at in lum), in float32, into row[0..count). */
function enhancedLightness(base: Float32Array, bAt: number, lum: Float32Array, at: number, count: number, row: Float32Array): void {
  for (let j = 0, i = at; j < count; j++, i++) {
    const b = base[bAt + j];
    row[j] = f(f(b + f(f(lum[i] - b) * FACTOR)) * 255);
  }
}

export function detailSteps(ws: Workspace, width: number, height: number, p: StyleParams, opts: { greyInput?: boolean } = {}): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  // The base layer's and the weights' rows are `pitch` samples apart (see greyPitch): the others keep W. The
  // weights padded too, for the column sweeps' reads of them and the squaring in place: vertical passes at 1024²
  // 3.0/3.9/3.8 → 2.6/3.4/3.5 ms and 2.9/3.8/3.7 → 2.5/3.5/3.5 ms (medians, same-process A/B, 15 rounds,
  // astronaut and coffee), against the base layer alone padded.
  const pitch = greyPitch(width);
  const ab = ws.get('ab', 'f32', n * 2, 'overwritten');
  const lum = ws.get('lum', 'f32', n, 'overwritten');
  const base = ws.get('work', 'f32', pitch * height, 'overwritten');
  const wH = ws.get('wH', 'f32', pitch * height, 'overwritten');
  const wV = ws.get('wV', 'f32', pitch * height, 'overwritten');
  const out = ws.get('out', 'u8', n * 3, 'overwritten');
  const k = rangeScale(p.sigmaS, p.sigmaR);
  // L ≤ 100, so L/255 steps by at most 100/255 (0.4 leaves room for the rounding).
  const powers = firstIterationPowers(p.sigmaS, k, 0.4);
  const grey = opts.greyInput === true;
  return [
    {
      axis: 'rows',
      run(y0, y1) {
        rgbToLab(rgb, y0 * width, y1 * width, INV255, lum, ab);
        for (let y = y0; y < y1; y++) base.set(lum.subarray(y * width, (y + 1) * width), y * pitch);
        rowWeightsGrey(lum, width, powers, wH, y0, y1, pitch);
      },
    },
    { axis: 'cols', run: (x0, x1) => columnWeightsGrey(lum, width, height, powers, wV, x0, x1, pitch) },
    ...recursiveFilterSteps(base, 1, width, height, squaringWeights(wH, wV), {}, pitch, pitch),
    {
      axis: 'rows',
      run(y0, y1) {
        const row = new Float32Array(width);
        for (let y = y0; y < y1; y++) {
          enhancedLightness(base, y * pitch, lum, y * width, width, row);
          labToRgb(row, 0, ab, y * width, width, out, grey);
        }
      },
    },
  ];
}
