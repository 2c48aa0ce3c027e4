/** cv::edgePreservingFilter with flags=1: three RF iterations of the photo, output |O·255|. */
import { columnStepsRgb, rangeScale, rowStepsRgb, UNIT } from './domain-transform.js';
import { recursiveFilterSteps } from './domain-filter.js';
import type { StyleParams } from './registry.js';
import { clamped, type Step, type Workspace } from './workspace.js';

const f = Math.fround;

export function smoothSteps(ws: Workspace, width: number, height: number, p: StyleParams): Step[] {
  const n = width * height;
  const rgb = ws.get('rgb', 'u8', n * 3);
  const dH = ws.get('dH', 'f32', n);
  const dV = ws.get('dV', 'f32', n);
  const w = ws.get('w', 'f32', n);
  const o = ws.get('work', 'f32', n * 3);
  const out = clamped(ws.get('out', 'u8', n * 3));
  const k = rangeScale(p.sigmaS, p.sigmaR);
  const row = width * 3;
  return [
    {
      axis: 'rows',
      run(y0, y1) {
        rowStepsRgb(rgb, width, k, dH, y0, y1);
        for (let i = y0 * row; i < y1 * row; i++) o[i] = UNIT[rgb[i]];
      },
    },
    { axis: 'cols', run: (x0, x1) => columnStepsRgb(rgb, width, height, k, dV, x0, x1) },
    ...recursiveFilterSteps(o, 3, width, height, dH, dV, w, p.sigmaS),
    {
      axis: 'rows',
      run(y0, y1) {
        for (let i = y0 * row; i < y1 * row; i++) out[i] = Math.abs(f(o[i] * 255));
      },
    },
  ];
}
