/**
 * cv::detailEnhance: the Lab lightness (scaled to L/255) is smoothed by three RF iterations into a base layer,
 * the detail L − base is tripled and put back, and the image returns to RGB with its original a, b.
 */
import { columnStepsGrey, rangeScale, rowStepsGrey } from './domain-transform.js';
import { powerWeights, recursiveFilterSteps } from './domain-filter.js';
import { fromLab, toLab } from './color-space.js';
import type { StyleParams } from './registry.js';
import { clamped, type Step, type Workspace } from './workspace.js';

const f = Math.fround;
const INV255 = f(1 / 255);
const FACTOR = 3;

export function detailSteps(ws: Workspace, width: number, height: number, p: StyleParams, opts: { greyInput?: boolean } = {}): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const lab = new Float32Array(3);
  const ab = ws.get('ab', 'f32', n * 2);
  const lum = ws.get('lum', 'f32', n);
  const base = ws.get('work', 'f32', n);
  const dH = ws.get('dH', 'f32', n);
  const dV = ws.get('dV', 'f32', n);
  const out = clamped(ws.get('out', 'u8', n * 3));
  const k = rangeScale(p.sigmaS, p.sigmaR);
  const grey = opts.greyInput === true;
  return [
    {
      axis: 'rows',
      run(y0, y1) {
        for (let i = y0 * width, o = i * 3; i < y1 * width; i++, o += 3) {
          toLab(rgb[o], rgb[o + 1], rgb[o + 2], lab, 0);
          base[i] = lum[i] = f(lab[0] * INV255);
          ab[2 * i] = lab[1];
          ab[2 * i + 1] = lab[2];
        }
        rowStepsGrey(lum, width, k, dH, y0, y1);
      },
    },
    { axis: 'cols', run: (x0, x1) => columnStepsGrey(lum, width, height, k, dV, x0, x1) },
    ...recursiveFilterSteps(base, 1, width, height, powerWeights(dH, dV, p.sigmaS), p.sigmaS),
    {
      axis: 'rows',
      run(y0, y1) {
        const px = new Float32Array(3);
        for (let i = y0 * width, o = i * 3; i < y1 * width; i++, o += 3) {
          const b = base[i];
          const L = f(f(b + f(f(lum[i] - b) * FACTOR)) * 255);
          if (grey) {
            // A grey photo stays grey: a = b = 0 exactly, and one channel of the neutral colour for all three.
            fromLab(L, 0, 0, px, 0);
            out[o] = out[o + 1] = out[o + 2] = f(px[1] * 255);
          } else {
            fromLab(L, ab[2 * i], ab[2 * i + 1], px, 0);
            out[o] = f(px[0] * 255);
            out[o + 1] = f(px[1] * 255);
            out[o + 2] = f(px[2] * 255);
          }
        }
      },
    },
  ];
}
