/**
 * What one upload's work costs each side, without a server: `npm run bench:upload-cost [-- --n 48 --rounds 3]`.
 *
 * The load benchmark compares whole servers; this one takes the servers away. It makes the load benchmark's
 * first N uploads (same generator, same seed), then times, per upload, the three stages both designs run: decode
 * and shrink to 1024 px, the four seed styles, four JPEG q90 encodes. Ours runs in a plain Node process on the
 * built code as a render worker does (bench/upload-cost-ours.mjs); the reference runs the same calls as
 * bench/reference/flask_opencv.py (bench/upload-cost-opencv.py). Both report CPU seconds of their process, and
 * the two alternate for R rounds; each stage's figure is its median over the rounds of the per-upload mean.
 *
 * Its total is the most a server built on either pipeline could reach: HTTP, threads, garbage collection and
 * storage only add to it. The ratio of the totals therefore bounds the studio's throughput ratio in the load
 * benchmark from above (both sides there run on the same 2 cores, each saturating them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from '../src/memory/stats.js';
import { makeUploads } from './load-uploads.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '48' },
    rounds: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    quality: { type: 'string', default: '90' },
    json: { type: 'string' },
  },
});
const N = Number(args.n);
const ROUNDS = Number(args.rounds);
const QUALITY = Number(args.quality);
for (const [name, v, min, max] of [['--n', N, 1, 10_000], ['--rounds', ROUNDS, 1, 20], ['--quality', QUALITY, 1, 100]] as const) {
  if (!(Number.isInteger(v) && v >= min && v <= max)) throw new Error(`${name} must be an integer from ${min} to ${max}`);
}
if (!existsSync(`${root}dist/filters/render.js`)) throw new Error('dist/ is missing: run npm run build first (npm run bench:upload-cost does)');

const STAGES = ['decode', 'filters', 'encode'] as const;
type Stage = (typeof STAGES)[number];
type Times = Record<Stage | 'width' | 'height', number[]>;

function runSide(command: string, script: string, dir: string): Times {
  const r = spawnSync(command, [join(root, 'bench', script), dir, String(N), String(QUALITY)], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${script} failed (${r.status}): ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Times;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const seed = Number(args.seed);
  process.stderr.write(`making ${N} uploads (seed ${seed})…\n`);
  const uploads = await makeUploads(N, seed);
  const dir = mkdtempSync(join(tmpdir(), 'atelier-upload-cost-'));
  try {
    uploads.forEach((u, i) => writeFileSync(join(dir, `${i}.jpg`), u.jpeg));
    const mp = uploads.map((u) => (u.width * u.height) / 1e6).sort((a, b) => a - b);
    console.log(`Upload cost without a server: the load benchmark's first ${N} uploads (${mp[0].toFixed(2)}–${mp[mp.length - 1].toFixed(2)} MP, median ${median(mp).toFixed(2)} MP, seed ${seed}), shrunk to 1024 px, four seed styles, JPEG q${QUALITY}`);
    console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 1024 ** 3)} GiB, node ${process.version}, load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    const rounds: { ours: Times; opencv: Times }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const ours = runSide(process.execPath, 'upload-cost-ours.mjs', dir);
      const opencv = runSide('/usr/bin/python3', 'upload-cost-opencv.py', dir);
      rounds.push({ ours, opencv });
      const sum = (t: Times) => STAGES.reduce((a, s) => a + mean(t[s]), 0);
      console.log(`round ${r + 1}: ours ${(sum(ours) * 1000).toFixed(1)} ms per upload, OpenCV ${(sum(opencv) * 1000).toFixed(1)} ms`);
    }
    const outPixels = (t: Times) => mean(t.width.map((w, i) => w * t.height[i])) / 1e6;
    console.log(`output: ours ${outPixels(rounds[0].ours).toFixed(3)} MP per upload on average, OpenCV ${outPixels(rounds[0].opencv).toFixed(3)} MP`);
    const stage = (side: 'ours' | 'opencv', s: Stage) => median(rounds.map((r) => mean(r[side][s])));
    const rows = STAGES.map((s) => ({ stage: s, ours: stage('ours', s), opencv: stage('opencv', s) }));
    const total = { stage: 'total', ours: rows.reduce((a, r) => a + r.ours, 0), opencv: rows.reduce((a, r) => a + r.opencv, 0) };
    console.log('\nCPU ms per upload (median of the rounds)   ours    OpenCV   OpenCV/ours');
    for (const r of [...rows, total]) {
      console.log(`  ${r.stage.padEnd(40)} ${(r.ours * 1000).toFixed(1).padStart(6)}  ${(r.opencv * 1000).toFixed(1).padStart(7)}   ×${(r.opencv / r.ours).toFixed(2)}`);
    }
    const bound = total.opencv / total.ours;
    console.log(`\nNo server on these pipelines can do better than their totals: the studio's throughput ratio in the load benchmark is at most ×${bound.toFixed(2)} (target ×5).`);
    console.log(`For ×5 with the other stages as they are, our filters would need ${(((total.opencv / 5) - rows[0].ours - rows[2].ours) * 1000).toFixed(1)} ms per upload (they take ${(rows[1].ours * 1000).toFixed(1)}), before any server work.`);
    if (args.json) writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), n: N, seed, quality: QUALITY, rounds, stages: rows, total }, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
