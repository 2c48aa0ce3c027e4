/**
 * Soak: `npm run bench:soak -- --requests 5000 --concurrency 16 [--allocator jemalloc|arena2|glibc]`.
 *
 * Starts the built server (`atelier serve`, which picks its allocator) and sends a bounded stream of requests
 * from C clients: distinct 0.5–6 MP uploads (cache misses), repeats of recent ones (cache hits) and ~10%
 * hostile inputs (soak-inputs.ts). Every second it reads the server's memory from GET /api/memory (RSS, V8 heap
 * of main thread + workers, external, libvips, cache, unexplained) against the number of requests answered.
 * Prints the RSS slope after warm-up in MB per 1000 requests with its standard error (RSS swings by ~11 MB with
 * the uploads in flight, so one run's slope is known to about ±0.4–0.5), the peak RSS (VmHWM of the server process),
 * errors by status, and writes bench/output/soak-<label>.html (charts) and .json.
 *
 * Options: --requests N (5000), --concurrency C (16), --seed S (1), --allocator A (server default), --threads T,
 * --hits P (share of repeats, 0.3), --hostile P (0.1), --warmup P (share of requests before the slope, 0.2),
 * --label L (output file names; default <allocator>-c<C>-n<N>), --server-args "…" (more `atelier serve` flags, e.g.
 * "--request-timeout 120s" on a machine too busy to render 16 queued uploads within the default 30 s).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { leastSquares } from '../src/memory/stats.js';
import { renderReportPage } from '../src/memory/report-page.js';
import { memoryChart } from '../src/guard/capture-analysis.js';
import { spawnServe } from '../test/guard/helpers.js';
import { HOSTILE, baseUploads, hostileBody, seeded, withComment, type Hostile } from './soak-inputs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = `${root}dist/cli/main.js`;
const MB = 1024 * 1024;

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '16' },
    seed: { type: 'string', default: '1' },
    allocator: { type: 'string' },
    threads: { type: 'string' },
    hits: { type: 'string', default: '0.3' },
    hostile: { type: 'string', default: '0.1' },
    warmup: { type: 'string', default: '0.2' },
    label: { type: 'string' },
    'server-args': { type: 'string', default: '' },
  },
});
const N = Number(args.requests);
const C = Number(args.concurrency);
const HITS = Number(args.hits);
const HOSTILE_SHARE = Number(args.hostile);
const WARMUP = Number(args.warmup);
if (!(Number.isInteger(N) && N >= 10 && N <= 1_000_000)) throw new Error(`--requests must be an integer from 10 to 1000000, got ${args.requests}`);
if (!(Number.isInteger(C) && C >= 1 && C <= 256)) throw new Error(`--concurrency must be an integer from 1 to 256, got ${args.concurrency}`);
for (const [name, v] of [['--hits', HITS], ['--hostile', HOSTILE_SHARE], ['--warmup', WARMUP]] as const) {
  if (!(v >= 0 && v < 1)) throw new Error(`${name} must be a number from 0 to below 1`);
}
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm run bench:soak does)`);
const label = args.label ?? `${args.allocator ?? 'default'}-c${C}-n${N}`;

interface Reading { done: number; t: number; rss: number; code: number; heap: number; mainHeap: number; heapUsed: number; workersHeapUsed: number; external: number; bufferPools: number; libvips: number; cache: number; unexplained: number }

/**
 * The parts of RSS the server reports, in the order they add up to it (rss = code + heap + external + cache +
 * unexplained); mainHeap is the main thread's share of heap, bufferPools the workers' pools' share of external.
 */
const PARTS = ['code', 'heap', 'mainHeap', 'external', 'bufferPools', 'cache', 'unexplained'] as const;

async function startServer(): Promise<{ base: string; stop(): Promise<number | null> }> {
  const flags = ['--log-level', 'warn', ...(args.threads ? ['--threads', args.threads] : []), ...(args.allocator ? ['--allocator', args.allocator] : []), ...args['server-args'].split(' ').filter(Boolean)];
  const { base, child, exited } = await spawnServe(flags, { ATELIER_DIAGNOSTICS_DIR: `${root}bench/output/soak-diagnostics` });
  return { base, stop: () => (child.kill('SIGTERM'), exited) };
}

function vmHwm(pid: number): number {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

async function main(): Promise<void> {
  const random = seeded(Number(args.seed));
  process.stderr.write(`soak ${label}: making base uploads…\n`);
  const bases = await baseUploads(root, 24, random);
  const server = await startServer();
  const info = (await (await fetch(`${server.base}/api/memory`)).json()) as { pid: number; allocator: string };
  process.stderr.write(`server pid ${info.pid} on ${info.allocator}; ${N} requests at concurrency ${C}\n`);

  const statuses = new Map<string, number>();
  const count = (k: string): void => void statuses.set(k, (statuses.get(k) ?? 0) + 1);
  const hostileAnswers = new Map<Hostile, Map<number, number>>(HOSTILE.map((h) => [h, new Map()]));
  const recent: Buffer[] = [];
  let next = 0;
  let hostileSent = 0;
  let done = 0;
  let misses = 0;
  let hits = 0;
  let unexpected5xx = 0;
  let shed = 0;
  const readings: Reading[] = [];
  const t0 = performance.now();

  const sampler = setInterval(async () => {
    try {
      const s = (await (await fetch(`${server.base}/api/memory?since=${Date.now() + 1}`)).json()) as { latest: { rss: number; code: number; heapTotal: number; mainHeapTotal: number; heapUsed: number; workersHeapUsed: number; external: number; bufferPools: number; libvips: number; cache: number; unexplained: number } };
      const l = s.latest;
      readings.push({ done, t: (performance.now() - t0) / 1000, rss: l.rss, code: l.code, heap: l.heapTotal, mainHeap: l.mainHeapTotal, heapUsed: l.heapUsed, workersHeapUsed: l.workersHeapUsed, external: l.external, bufferPools: l.bufferPools, libvips: l.libvips, cache: l.cache, unexplained: l.unexplained });
    } catch {
      // the server is busy; the next second will do
    }
  }, 1000);

  async function client(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= N) return;
      const r = random();
      let body: Buffer;
      let type = 'image/jpeg';
      let hostile: Hostile | undefined;
      if (r < HOSTILE_SHARE) {
        hostile = HOSTILE[hostileSent++ % HOSTILE.length];
        ({ body, type } = hostileBody(hostile, bases[i % bases.length].jpeg));
      } else if (r < HOSTILE_SHARE + HITS && recent.length > 0) {
        body = recent[Math.floor(random() * recent.length)];
        hits++;
      } else {
        body = withComment(bases[i % bases.length].jpeg, `${args.seed}-${i}`);
        misses++;
      }
      try {
        const res = await fetch(`${server.base}/api/renders`, { method: 'POST', body, headers: { 'content-type': type } });
        const json = (await res.json()) as { artworks?: Record<string, string> };
        count(String(res.status));
        if (hostile) {
          const m = hostileAnswers.get(hostile)!;
          m.set(res.status, (m.get(res.status) ?? 0) + 1);
        }
        if (res.status === 503) shed++;
        else if (res.status >= 500) unexpected5xx++;
        if (res.status === 201 && !hostile) {
          const first = Object.values(json.artworks ?? {})[0];
          if (first) await (await fetch(server.base + first)).arrayBuffer();
          // Keep the last few answered uploads: repeats of them are cache hits while they stay cached.
          if (!recent.includes(body)) {
            recent.push(body);
            if (recent.length > 6) recent.shift();
          }
        }
      } catch (e) {
        count(`network: ${(e as Error).message}`);
      }
      done++;
      if (done % 250 === 0) process.stderr.write(`  ${done}/${N} answered, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
    }
  }
  await Promise.all(Array.from({ length: C }, client));
  const seconds = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 1500));
  clearInterval(sampler);
  const peak = vmHwm(info.pid);
  const exitCode = await server.stop();

  const after = readings.filter((x) => x.done >= N * WARMUP);
  const fit = leastSquares(after.map((x) => x.done / 1000), after.map((x) => x.rss / MB));
  const slope = fit.slope;
  // The same fit without the result cache, which fills to its bound by design: what grows besides it.
  const slopeWithoutCache = leastSquares(after.map((x) => x.done / 1000), after.map((x) => (x.rss - x.cache) / MB)).slope;
  // Where a slope comes from: the same fit on each part the server reports (bufferPools is part of external).
  const partSlopes = Object.fromEntries(PARTS.map((k) => [k, +leastSquares(after.map((x) => x.done / 1000), after.map((x) => x[k] / MB)).slope.toFixed(2)]));
  const peakSampled = Math.max(...readings.map((x) => x.rss));
  const last = readings[readings.length - 1];
  const hostileOk = [...hostileAnswers.values()].every((m) => [...m.keys()].every((s) => s >= 400 && s < 500));
  const hostileSummary = Object.fromEntries([...hostileAnswers].map(([k, m]) => [k, Object.fromEntries(m)]));
  const peakTarget = C <= 4 ? 250 : 350;
  const results = {
    label,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryGiB: Math.round(totalmem() / 1024 ** 3), node: process.version },
    allocator: info.allocator,
    requests: N,
    concurrency: C,
    serverArgs: args['server-args'] || '(defaults)',
    seconds: +seconds.toFixed(1),
    requestsPerSecond: +(N / seconds).toFixed(2),
    mix: { misses, hits, hostile: N - misses - hits },
    statuses: Object.fromEntries(statuses),
    hostile: hostileSummary,
    rssSlopeMBPer1000: +slope.toFixed(2),
    rssSlopeStdErrorMBPer1000: +fit.slopeError.toFixed(2),
    rssWithoutCacheSlopeMBPer1000: +slopeWithoutCache.toFixed(2),
    partSlopesMBPer1000: partSlopes,
    peakRssMB: +(peak / MB).toFixed(1),
    peakRssSampledMB: +(peakSampled / MB).toFixed(1),
    finalMB: last ? { rss: +(last.rss / MB).toFixed(1), heap: +(last.heap / MB).toFixed(1), heapUsed: +(last.heapUsed / MB).toFixed(1), external: +(last.external / MB).toFixed(1), libvips: +(last.libvips / MB).toFixed(1), cache: +(last.cache / MB).toFixed(1), unexplained: +(last.unexplained / MB).toFixed(1) } : null,
    targets: { slope: slope <= 1, peak: peak / MB <= peakTarget, no5xx: unexpected5xx === 0, hostile4xx: hostileOk },
    shed,
    serverExitCode: exitCode,
  };
  const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
  console.log([
    `soak ${label}: ${N} requests at concurrency ${C} on ${info.allocator} — ${results.seconds} s, ${results.requestsPerSecond} req/s; server flags: ${args['server-args'] || '(defaults)'}`,
    `mix: ${misses} misses, ${hits} repeats, ${results.mix.hostile} hostile; statuses ${JSON.stringify(results.statuses)}`,
    `hostile answers by kind: ${JSON.stringify(hostileSummary)}`,
    `RSS slope after the first ${Math.round(WARMUP * 100)}%: ${results.rssSlopeMBPer1000} MB per 1000 requests (standard error ${results.rssSlopeStdErrorMBPer1000})   [${verdict(results.targets.slope)} ≤ 1]`,
    `  (RSS − result cache: ${results.rssWithoutCacheSlopeMBPer1000} MB per 1000 requests; by part: ${Object.entries(partSlopes).map(([k, v]) => `${k} ${v}`).join(', ')})`,
    `peak RSS: ${results.peakRssMB} MB (VmHWM; sampled ${results.peakRssSampledMB} MB)   [${verdict(results.targets.peak)} ≤ ${peakTarget}]`,
    `final: ${JSON.stringify(results.finalMB)} MB`,
    `5xx other than 503: ${unexpected5xx} [${verdict(results.targets.no5xx)}]; 503 shed: ${shed}; hostile all 4xx: ${verdict(hostileOk)}; server exit ${exitCode}`,
  ].join('\n'));

  mkdirSync(`${root}bench/output`, { recursive: true });
  writeFileSync(`${root}bench/output/soak-${label}.json`, JSON.stringify({ ...results, readings }, null, 1));
  const html = renderReportPage(`Soak ${label}`, [
    { kind: 'text', text: `${N} requests at concurrency ${C} on ${info.allocator}, ${results.seconds} s, node ${process.version}, ${results.machine.cpus} cores` },
    { kind: 'table', headers: ['RSS slope after warm-up (MB/1000 req)', 'peak RSS (MB)', '5xx (not 503)', 'hostile all 4xx'], rows: [[results.rssSlopeMBPer1000, results.peakRssMB, unexpected5xx, String(hostileOk)]] },
    memoryChart('Server memory over requests (MiB)', 'requests answered', readings.map((r) => ({ x: r.done, ...r }))),
    { kind: 'heading', text: 'Answers by status' },
    { kind: 'table', headers: ['status', 'count'], rows: [...statuses].sort() },
    { kind: 'heading', text: 'Hostile inputs' },
    { kind: 'table', headers: ['kind', 'answers by status'], rows: Object.entries(hostileSummary).map(([k, v]) => [k, JSON.stringify(v)]) },
  ]);
  writeFileSync(`${root}bench/output/soak-${label}.html`, html);
  process.stderr.write(`wrote bench/output/soak-${label}.html and .json\n`);
}

await main();
