/**
 * What a render worker's buffer pool holds, job after job: `npm run bench:pools -- --n 60`.
 *
 * Runs N render jobs (the studio's: 0.5–6 MP JPEGs cut from the fixture photos, the four seed styles at maxSide
 * 1024, JPEG artworks) through one long-lived BufferPool trimmed between jobs, as a render worker does, once with
 * exact buffer sizes and once with size classes (workspace.ts). For each it prints the bytes the pool held
 * during a job (its working set plus free buffers no request of that job could use: the worker's share of peak
 * RSS), their mean and maximum, how many buffers jobs after the first had to allocate, and the CPU time of the run
 * (the runs are one after the other: compare CPU only across repeated runs).
 *
 * Options: --n N (60), --seed S (3), --per-job (also print what the pool held at each job).
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { BufferPool } from '../src/filters/workspace.js';
import { renderJob } from '../src/pool/render-job.js';
import { baseUploads, seeded } from './soak-inputs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({ options: { n: { type: 'string', default: '60' }, seed: { type: 'string', default: '3' }, 'per-job': { type: 'boolean', default: false } } });
const n = Number(args.n);
const uploads = await baseUploads(root, n, seeded(Number(args.seed)));
const requests = (['sketch', 'color-sketch', 'oil', 'watercolor'] as const).map((style) => ({ style }));
const MiB = 1024 * 1024;

async function run(sizeClasses: boolean) {
  const pool = new BufferPool({ maxFreeBytes: 64 * MiB, sizeClasses });
  const held: number[] = [];
  let laterAllocations = 0;
  const cpu0 = process.cpuUsage();
  for (const [i, u] of uploads.entries()) {
    const before = pool.stats().allocations;
    await renderJob({ input: u.jpeg, requests, maxSide: 1024, maxPixels: 50_000_000, format: 'jpeg', quality: 90 }, undefined, pool);
    const s = pool.stats();
    // Nothing leaves the pool during a job: what it allocated less what trims dropped is what it held.
    held.push(s.allocatedBytes - s.trimmedBytes);
    if (i > 0) laterAllocations += s.allocations - before;
    pool.trim();
  }
  if (args['per-job']) console.log(`  ${sizeClasses ? 'classes' : 'exact'} MiB per job: ${held.map((h) => (h / MiB).toFixed(1)).join(' ')}`);
  const cpu = process.cpuUsage(cpu0);
  const mean = held.reduce((a, b) => a + b, 0) / held.length;
  return { mean: mean / MiB, max: Math.max(...held) / MiB, min: Math.min(...held) / MiB, laterAllocations, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

console.log(`buffer pool of a render worker: ${n} jobs (0.5–6 MP JPEGs, seeds at maxSide 1024), ${cpus().length} cores (${cpus()[0].model}), node ${process.version}`);
const exact = await run(false);
const classes = await run(true);
for (const [name, r] of [['exact sizes', exact], ['size classes', classes]] as const) {
  console.log(`  ${name.padEnd(13)} held per job: mean ${r.mean.toFixed(1)} MiB, min ${r.min.toFixed(1)}, max ${r.max.toFixed(1)}; buffers allocated after the first job: ${r.laterAllocations}; CPU ${r.cpuSeconds.toFixed(1)} s`);
}
console.log(`  classes / exact: mean ×${(classes.mean / exact.mean).toFixed(2)}, max ×${(classes.max / exact.max).toFixed(2)}`);
