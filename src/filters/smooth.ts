/** cv::edgePreservingFilter with flags=1: three RF iterations of the photo, output |O·255|. */
import { keysRgb, rangeScale } from './domain-transform.js';
import { keyedWeights, recursiveFilterSteps } from './domain-filter.js';
import type { StyleParams } from './registry.js';
import { clamped, type Step, type Workspace } from './workspace.js';

export function smoothSteps(ws: Workspace, width: number, height: number, p: StyleParams): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const nH = ws.get('nH', 'u16', n, 'overwritten');
  const nV = ws.get('nV', 'u16', n, 'overwritten');
  const o = ws.get('work', 'f32', n * 3, 'overwritten');
  const out = clamped(ws.get('out', 'u8', n * 3, 'overwritten'));
  const k = rangeScale(p.sigmaS, p.sigmaR);
  return [
    // The keys and I = rgb/255 (into 'work') of each group of rows just before the first pass filters it, rather
    // than a pass of their own over the full-size buffers: keys + first pass 14.3 → 12.6 ms at 1 MP (medians of a
    // same-process A/B, 20 rounds, on astronaut and on coffee alike), ~0.5 ms of it the fusion, the rest keysRgb's
    // one loop. With every buffer in L3 the passes are bound by their arithmetic more than by memory.
    // The output sat_u8(round(|O·255|)) is written by the last sweep instead of O, not by a pass of its own: last
    // pass + output 10.7 → 10.1 and 10.7 → 10.3 ms (medians, same A/B, astronaut and coffee; faster in 15/20 and
    // 17/20 rounds): the conversion itself, not the read of O, is what that pass cost.
    ...recursiveFilterSteps(o, 3, width, height, keyedWeights(nH, nV, p.sigmaS, k), p.sigmaS, {
      firstRows: (y0, y1) => keysRgb(rgb, width, nH, nV, y0, y1, o),
      output: out,
    }),
  ];
}
