/** cv::edgePreservingFilter with flags=1: three RF iterations of the photo, output |O·255|. */
import { keysRgb, rangeScale } from './domain-transform.js';
import { keyedWeights, recursiveFilterSteps } from './domain-filter.js';
import type { StyleParams } from './registry.js';
import { clamped, type Step, type Workspace } from './workspace.js';

const f = Math.fround;

/**
 * out[i] = sat_u8(round(|o[i]·255|)) for i in [from, to). A function of its arrays, not a closure over them: the
 * step closures are new for every image, and a loop in one runs on-stack-replaced code on its single call, whereas
 * a module function keeps its optimised code from one image to the next.
 */
function absTimes255(o: Float32Array, out: Uint8ClampedArray, from: number, to: number): void {
  for (let i = from; i < to; i++) out[i] = Math.abs(f(o[i] * 255));
}

export function smoothSteps(ws: Workspace, width: number, height: number, p: StyleParams): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const nH = ws.get('nH', 'u16', n, 'overwritten');
  const nV = ws.get('nV', 'u16', n, 'overwritten');
  const o = ws.get('work', 'f32', n * 3, 'overwritten');
  const out = clamped(ws.get('out', 'u8', n * 3, 'overwritten'));
  const k = rangeScale(p.sigmaS, p.sigmaR);
  const row = width * 3;
  return [
    // The keys of each group of rows just before the first pass filters it, rather than a pass of their own over
    // the full-size buffers: keys + first pass 14.3 → 12.6 ms at 1 MP (medians of a same-process A/B, 20 rounds, on
    // astronaut and on coffee alike), ~0.5 ms of it the fusion, the rest keysRgb's one loop. With every buffer in L3
    // the passes are bound by their arithmetic more than by memory. The first pass reads I = rgb/255 from the
    // input itself, never stored before it is filtered (see rgbSweep4From).
    ...recursiveFilterSteps(o, 3, width, height, keyedWeights(nH, nV, p.sigmaS, k), {
      firstRows: (y0, y1) => keysRgb(rgb, width, nH, nV, y0, y1),
      input: rgb,
    }),
    {
      axis: 'rows',
      run: (y0, y1) => absTimes255(o, out, y0 * row, y1 * row),
    },
  ];
}
