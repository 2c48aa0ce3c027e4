/**
 * Where the studio's CPU goes, thread by thread: `npm run bench:threads [-- --requests 200 --concurrency 4
 * --runs 2 --env "A=1 B=2"]`.
 *
 * Starts `atelier serve` (all defaults, plus --env for variant B), sends a mixed load (distinct uploads, repeats,
 * ~10% hostile: bench/soak-inputs.ts) from C clients, then reads each thread's user and system CPU from
 * /proc/<pid>/task/<tid>/stat before stopping it. Threads are grouped: the main thread (tid = pid), the render
 * workers (the `threads` busiest unnamed ones), libvips' threads, jemalloc's, and the rest (V8's platform threads
 * for GC and compilation, libuv's pool). With --env it alternates the defaults (A) and the variant (B) for --runs
 * pairs, which is how a setting's CPU cost is told from the machine's drift.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { procStatFields } from '../src/memory/process-tree.js';
import { spawnServe } from '../test/guard/helpers.js';
import { HOSTILE, baseUploads, hostileBody, seeded, withComment } from './soak-inputs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '4' },
    runs: { type: 'string', default: '1' },
    env: { type: 'string', default: '' },
    seed: { type: 'string', default: '1' },
  },
});
const N = Number(args.requests);
const C = Number(args.concurrency);
const RUNS = Number(args.runs);
for (const [name, v, max] of [['--requests', N, 100_000], ['--concurrency', C, 256], ['--runs', RUNS, 20]] as const) {
  if (!(Number.isInteger(v) && v > 0 && v <= max)) throw new Error(`${name} must be an integer from 1 to ${max}`);
}
const variant = Object.fromEntries(args.env.split(' ').filter(Boolean).map((kv) => {
  const i = kv.indexOf('=');
  if (i <= 0) throw new Error(`--env takes NAME=value pairs separated by spaces, got ${JSON.stringify(kv)}`);
  return [kv.slice(0, i), kv.slice(i + 1)];
}));

interface ThreadCpu { tid: number; name: string; user: number; sys: number }

function threadCpu(pid: number): ThreadCpu[] {
  const hz = 100;
  return readdirSync(`/proc/${pid}/task`).map((t) => {
    const fields = procStatFields(`/proc/${pid}/task/${t}/stat`);
    return { tid: Number(t), name: readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim(), user: Number(fields[11]) / hz, sys: Number(fields[12]) / hz };
  });
}

async function run(env: Record<string, string>): Promise<{ groups: Record<string, { user: number; sys: number }>; hwmMB: number; seconds: number }> {
  const random = seeded(Number(args.seed));
  const bases = await baseUploads(root, 8, random);
  const { base, child, exited } = await spawnServe([], env);
  const pid = ((await (await fetch(`${base}/api/memory`)).json()) as { pid: number }).pid;
  const recent: Buffer[] = [];
  let next = 0;
  const t0 = performance.now();
  const deadline = Date.now() + 15 * 60_000;
  await Promise.all(Array.from({ length: C }, async () => {
    while (next < N && Date.now() < deadline) {
      const i = next++;
      const r = random();
      let body: Buffer;
      let type = 'image/jpeg';
      if (r < 0.1) ({ body, type } = hostileBody(HOSTILE[i % HOSTILE.length], bases[i % bases.length].jpeg));
      else if (r < 0.4 && recent.length > 0) body = recent[Math.floor(random() * recent.length)];
      else body = withComment(bases[i % bases.length].jpeg, `threads-${i}`);
      const res = await fetch(`${base}/api/renders`, { method: 'POST', body, headers: { 'content-type': type } });
      const json = (await res.json()) as { artworks?: Record<string, string> };
      if (res.status === 201) {
        for (const url of Object.values(json.artworks ?? {})) await (await fetch(base + url)).arrayBuffer();
        recent.push(body);
        if (recent.length > 6) recent.shift();
      }
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  const threads = threadCpu(pid);
  const hwm = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  child.kill('SIGTERM');
  await exited;
  const renderThreads = new Set(threads.filter((t) => t.tid !== pid && t.name === 'node').sort((a, b) => b.user + b.sys - (a.user + a.sys)).slice(0, cpus().length).map((t) => t.tid));
  const groups: Record<string, { user: number; sys: number }> = {};
  for (const t of threads) {
    const g = t.tid === pid ? 'main' : renderThreads.has(t.tid) ? 'render workers' : /vips/.test(t.name) ? 'libvips' : /jemalloc/.test(t.name) ? 'jemalloc' : 'V8 platform, libuv, other';
    const acc = (groups[g] ??= { user: 0, sys: 0 });
    acc.user += t.user;
    acc.sys += t.sys;
  }
  return { groups, hwmMB: hwm / 1048576, seconds };
}

const fmt = (x: { user: number; sys: number }) => `${(x.user + x.sys).toFixed(1)} s (${x.sys.toFixed(1)} sys)`;
console.log(`Studio CPU by thread: ${N} requests (mixed: ~60% new uploads, ~30% repeats, ~10% hostile) at concurrency ${C}; ${cpus().length} cores, node ${process.version}, load ${loadavg()[0].toFixed(2)}, ${new Date().toISOString()}`);
const variants: [string, Record<string, string>][] = Object.keys(variant).length ? [['A (defaults)', {}], [`B (${args.env})`, variant]] : [['defaults', {}]];
for (let r = 0; r < RUNS; r++) {
  for (const [label, env] of variants) {
    const { groups, hwmMB, seconds } = await run(env);
    const total = Object.values(groups).reduce((s, g) => ({ user: s.user + g.user, sys: s.sys + g.sys }), { user: 0, sys: 0 });
    console.log(`run ${r + 1} ${label}: total ${fmt(total)}, ${((total.user + total.sys) / N * 1000).toFixed(0)} ms per request, ${seconds.toFixed(1)} s wall, peak RSS ${hwmMB.toFixed(0)} MB`);
    for (const [g, x] of Object.entries(groups).sort((a, b) => b[1].user + b[1].sys - (a[1].user + a[1].sys))) console.log(`    ${g.padEnd(28)} ${fmt(x)}`);
  }
}
