import sharp from 'sharp';
import { boxRows, boxColumns, BoxScratch, rowCoordinatesRgb, columnCoordinatesRgb, rangeScale, boxRadius, iterationSigma, UNIT } from '../src/filters/domain-transform.js';
const side = 1024, W = side, H = side;
const data = new Uint8Array(await sharp('test/fixtures/photos/astronaut.png').resize(side, side, { kernel: 'lanczos3', fit: 'fill' }).removeAlpha().raw().toBuffer());
const k = rangeScale(60, 0.45);
const ctH = new Float32Array(W * H), ctV = new Float32Array(W * H + W);
rowCoordinatesRgb(data, W, k, ctH, 0, H); columnCoordinatesRgb(data, W, H, k, ctV, 0, W);
const o = new Float32Array(W * H * 3);
const s = new BoxScratch(W, H);
const cpu = (fn: () => void) => { const t = process.cpuUsage(); fn(); const u = process.cpuUsage(t); return (u.user + u.system) / 1000; };
const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1];
const tr: number[] = [], tc: number[] = [];
let h = 0;
for (let rep = 0; rep < 5; rep++) {
  for (let i = 0; i < o.length; i++) o[i] = UNIT[data[i]];
  for (let it = 0; it < 3; it++) {
    const r = boxRadius(iterationSigma(60, it));
    tr.push(cpu(() => boxRows(o, W, ctH, r, s, 0, H)));
    tc.push(cpu(() => boxColumns(o, W, H, ctV, r, s, 0, W)));
  }
}
for (let i = 0; i < o.length; i++) h = (Math.imul(h, 31) + new Uint32Array(o.buffer)[i]) >>> 0;
console.log('rows', med(tr).toFixed(1), 'cols', med(tc).toFixed(1), 'hash', h.toString(16));
