// node --import tsx bench/filters-profile.ts [--repeats 7] [--styles oil,watercolor] [--steps]
//
// Quick per-style profile at 1 MP (astronaut resized like bench/filters.bench.ts): median CPU time of each style
// on one thread, the four seeds in one renderStyles call, and with --steps the median CPU time of every step.
// For iterating on the kernels; the ratios against OpenCV come from `npm run bench:filters`.
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import sharp from 'sharp';
import { renderStyles } from '../src/filters/render.js';
import { resolveParams, SEED_STYLES, STYLE_IDS, type StyleId } from '../src/filters/registry.js';
import { STAGES, stagesOf } from '../src/filters/stages.js';
import { BufferPool, MapWorkspace } from '../src/filters/workspace.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const repeats = Number(opt('repeats', '7'));
const styles = opt('styles', STYLE_IDS.join(',')).split(',') as StyleId[];
const side = Number(opt('side', '1024'));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const cpu = (fn: () => void) => {
  const t = process.cpuUsage();
  fn();
  const u = process.cpuUsage(t);
  return (u.user + u.system) / 1e6;
};

const data = new Uint8Array(
  await sharp(join(root, 'test/fixtures/photos/astronaut.png')).resize(side, side, { kernel: 'lanczos3', fit: 'fill' }).removeAlpha().raw().toBuffer(),
);
const image = { data, width: side, height: side, channels: 3 as const };

for (const style of styles) {
  const t: number[] = [];
  let out: Uint8Array | undefined;
  for (let i = 0; i < repeats; i++) t.push(cpu(() => (out = renderStyles(image, [{ style }]).get(style)!.data)));
  // A hash of the output, to see at a glance whether a change altered any byte.
  let h = 0;
  for (const v of out!) h = (Math.imul(h, 31) + v) >>> 0;
  console.log(`${style.padEnd(13)} ${(median(t) * 1000).toFixed(1).padStart(7)} ms  (min ${(Math.min(...t) * 1000).toFixed(1)})  hash ${h.toString(16)}`);
}
if (opt('styles', '') === '') {
  const t: number[] = [];
  for (let i = 0; i < repeats; i++) t.push(cpu(() => renderStyles(image, SEED_STYLES.map((style) => ({ style })))));
  console.log(`${'four seeds'.padEnd(13)} ${(median(t) * 1000).toFixed(1).padStart(7)} ms  (min ${(Math.min(...t) * 1000).toFixed(1)})`);
}

if (args.includes('--steps')) {
  for (const style of styles) {
    const params = resolveParams(style, {});
    const times: number[][] = [];
    for (let r = 0; r < repeats; r++) {
      const ws = new MapWorkspace(false, new BufferPool());
      ws.put('rgb', 'u8', data);
      const steps = stagesOf(style, false).flatMap((s) => STAGES[s](ws, side, side, params, { greyInput: false }));
      steps.forEach((s, k) => ((times[k] ??= []).push(cpu(() => s.run(0, s.axis === 'rows' ? side : side)))));
    }
    console.log(`${style}: ${times.map((t) => (median(t) * 1000).toFixed(1)).join(' | ')} ms`);
  }
}
