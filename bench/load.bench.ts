/**
 * Studio load benchmark: `npm run bench:load -- --n 200 --concurrency 4`.
 *
 * Starts the built server (`atelier serve`) as a child process with its defaults, sends N distinct JPEG uploads
 * of 0.5–6 MP cut from the fixture photos (random crops, sizes and qualities, so every one is a cache miss) from
 * C concurrent clients, fetches every artwork of each answer, and prints throughput, latency percentiles, the
 * server's peak and final RSS (from /proc/<pid>/status: VmHWM and VmRSS), and errors.
 *
 * With --reference it then runs the same load (the first --reference-n uploads, default 48) against the design
 * it replaces, Flask + OpenCV 4.6 under gunicorn with two workers (bench/reference/flask_opencv.py; needs
 * Debian's python3-opencv, python3-flask and gunicorn), and prints the ratios from this same run; without it,
 * the ratios are against the issue's published figures.
 *
 * Options: --n N (200), --concurrency C (4), --seed S (1), --threads T (server default), --json FILE (also
 * write the results as JSON), --extra-args "…" (more `atelier serve` flags), --reference, --reference-n N.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { processTree, procStatFields } from '../src/memory/process-tree.js';
import { makeUploads, type Upload } from './load-uploads.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = `${root}dist/cli/main.js`;
/** What `npm start` and `npx atelier` run: a shell script that execs node with the chosen malloc. */
const BIN = `${root}bin/atelier`;

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '4' },
    seed: { type: 'string', default: '1' },
    threads: { type: 'string' },
    json: { type: 'string' },
    'extra-args': { type: 'string', default: '' },
    reference: { type: 'boolean', default: false },
    'reference-n': { type: 'string', default: '48' },
  },
});
const N = Number(args.n);
const C = Number(args.concurrency);
if (!(Number.isInteger(N) && N > 0 && N <= 100_000)) throw new Error(`--n must be an integer from 1 to 100000, got ${args.n}`);
if (!(Number.isInteger(C) && C > 0 && C <= 256)) throw new Error(`--concurrency must be an integer from 1 to 256, got ${args.concurrency}`);
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm run bench:load does)`);

/** The fields of the studio's memory samples this bench reports (src/guard/memory-sample.ts). */
interface MemoryPoint {
  rss: number;
  code: number;
  mainHeapUsed: number;
  workersHeapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  libvips: number;
  cache: number;
  bufferPools?: number;
  unexplained: number;
}

interface ServerProcess {
  name: string;
  base: string;
  /** The processes whose memory counts: the server, or a pre-fork master and its workers. */
  pids(): number[];
  /** The server's own account of its memory (GET /api/memory), when it gives one. */
  breakdown?(): Promise<MemoryPoint | null>;
  /** Seconds so far, from GET /metrics: its workers in each stage (decode, render, encode), its GCs for dead buffers, its main thread in full GCs. */
  stageSeconds?(): Promise<Record<string, number>>;
  stop(): Promise<number | null>;
}

async function waitReady(base: string, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const r = await fetch(`${base}/readyz`).catch(() => null);
    if (r?.ok) return;
    await new Promise((r2) => setTimeout(r2, 50));
  }
  throw new Error(`${what} did not become ready`);
}

/** The studio, as `atelier serve` with its defaults. */
async function startStudio(): Promise<ServerProcess> {
  const flags = ['serve', '--host', '127.0.0.1', '--port', '0', ...(args.threads ? ['--threads', args.threads] : []), ...args['extra-args'].split(' ').filter(Boolean)];
  const child = spawn(BIN, flags, { stdio: ['ignore', 'ignore', 'pipe'], cwd: root });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      const m = /open http:\/\/localhost:(\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${stderr}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  // Wait until the workers are up, so start-up is not counted as latency.
  await waitReady(base, 'the studio');
  // bin/atelier execs node, so the child is the server; should anything run under it, its memory and CPU count
  // too. The tree is fixed once the server is ready.
  const pids = processTree(child.pid!);
  return {
    name: 'studio',
    base,
    pids: () => pids,
    stageSeconds: async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      const out: Record<string, number> = {};
      for (const m of text.matchAll(/^atelier_render_stage_seconds_sum\{stage="(\w+)"\} ([\d.e+-]+)$/gm)) out[m[1]] = Number(m[2]);
      // The GCs run for dead buffers (ATELIER_GC_THRESHOLD), main thread and workers together.
      const gc = /^atelier_offheap_gc_seconds_total ([\d.e+-]+)$/m.exec(text);
      if (gc) out['gc for dead buffers'] = Number(gc[1]);
      // Every full GC of the main thread, whatever started it (prom-client observes only the thread it runs on).
      const major = /^nodejs_gc_duration_seconds_sum\{kind="major"\} ([\d.e+-]+)$/m.exec(text);
      if (major) out['main thread full GCs'] = Number(major[1]);
      return out;
    },
    breakdown: async () => {
      const r = await fetch(`${base}/api/memory`).catch(() => null);
      return r?.ok ? (((await r.json()) as { latest: MemoryPoint | null }).latest ?? null) : null;
    },
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The reference: Flask + OpenCV 4.6 under gunicorn with two sync workers (bench/reference/flask_opencv.py). */
async function startReference(format: string): Promise<ServerProcess> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const out = mkdtempSync(`${tmpdir()}/atelier-reference-`);
  const child = spawn('/usr/bin/gunicorn', ['-w', '2', '-b', `127.0.0.1:${port}`, '--chdir', `${root}bench/reference`, '--log-level', 'warning', 'flask_opencv:app'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, REFERENCE_OUT: out, REFERENCE_FORMAT: format, PYTHONDONTWRITEBYTECODE: '1' },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base, `the reference (gunicorn): ${stderr}`);
  const pids = processTree(child.pid!); // the gunicorn master and its workers
  return {
    name: 'reference',
    base,
    pids: () => pids,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(out, { recursive: true, force: true });
      return code;
    },
  };
}

function referenceAvailable(): string | null {
  if (!existsSync('/usr/bin/gunicorn')) return 'gunicorn is not installed (apt-get install gunicorn python3-flask python3-opencv)';
  const r = spawnSync('/usr/bin/python3', ['-c', 'import flask, cv2'], { encoding: 'utf8' });
  return r.status === 0 ? null : `python3 cannot import flask and cv2: ${r.stderr.trim().split('\n').pop()}`;
}

function procStatus(pid: number): { rss: number; hwm: number } {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/**
 * CPU seconds (user + system, all threads) and minor page faults so far of the server's processes, from
 * /proc/<pid>/stat (exited threads included). A minor fault is a page mapped on first touch, without disk I/O:
 * under load nearly all are memory the allocator returned to the kernel and asked for again, zeroed anew each time.
 */
function counters(server: ServerProcess): { cpu: number; system: number; minorFaults: number } {
  const c = { cpu: 0, system: 0, minorFaults: 0 };
  for (const pid of server.pids()) {
    try {
      // minflt is field 10, utime and stime 14 and 15.
      const fields = procStatFields(`/proc/${pid}/stat`);
      c.minorFaults += Number(fields[7]);
      c.cpu += (Number(fields[11]) + Number(fields[12])) / 100;
      c.system += Number(fields[12]) / 100;
    } catch {
      /* the process is gone */
    }
  }
  return c;
}

/** RSS summed over the server's processes; VmHWM summed is each process's own peak, an upper bound. */
function memory(server: ServerProcess): { rss: number; hwm: number } {
  return server.pids().map(procStatus).reduce((a, b) => ({ rss: a.rss + b.rss, hwm: a.hwm + b.hwm }), { rss: 0, hwm: 0 });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const MB = 1024 * 1024;

interface LoadResult {
  server: string;
  uploads: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number; renderP50: number; renderP99: number };
  /** The five slowest uploads: their place in the sending order, size and latency. */
  slowest: { upload: number; megapixels: number; ms: number }[];
  rssMB: { idle: number; peak: number; final: number };
  artworksFetched: number;
  artworkMB: number;
  cachedAnswers: number;
  errors: Record<string, number>;
  exitCode: number | null;
  /** CPU seconds the server used per upload: its cost whatever share of the machine it got. */
  cpuPerUpload: number;
  /** Share of that CPU spent in the kernel (page faults, sockets, files). */
  systemShare: number;
  /** Minor page faults of the server per upload (4 KiB each). */
  minorFaultsPerUpload: number;
  /** 1-minute load average of the machine before and after, to judge how shared it was. */
  loadAverage: [number, number];
  /** The server's split of its RSS at its highest sample (MB), when it reports one. */
  atPeakMB: Record<string, number> | null;
  /**
   * Mean wall milliseconds per upload over the load, when the server reports them: each worker stage (decode,
   * render, encode), the dead-buffer GCs, the main thread's full GCs.
   */
  stageMsPerUpload: Record<string, number> | null;
}

/** C clients send the uploads one after the other, each fetching every artwork of its answer. */
async function runLoad(server: ServerProcess, uploads: Upload[], concurrency: number): Promise<LoadResult> {
  const loadBefore = loadavg()[0];
  // Start-up (the workers' warm-up, the first GCs) is not the load's.
  const stagesBefore = server.stageSeconds ? await server.stageSeconds() : null;
  const before = counters(server);
  const idle = memory(server);
  let sampledPeak = idle.rss;
  const sampler = setInterval(() => (sampledPeak = Math.max(sampledPeak, memory(server).rss)), 50);
  // The server's own split of its RSS, at the sample where RSS was highest.
  let atPeak: MemoryPoint | null = null;
  let polling = false;
  const poller = server.breakdown
    ? setInterval(() => {
        if (polling) return;
        polling = true;
        void server.breakdown!().then((p) => {
          polling = false;
          if (p && (!atPeak || p.rss > atPeak.rss)) atPeak = p;
        });
      }, 250)
    : null;
  const latencies: number[] = [];
  /** Which uploads were slowest (their order of sending and size): start-up and size effects show here. */
  const byUpload: { i: number; ms: number; mp: number }[] = [];
  const renderLatencies: number[] = [];
  const errors = new Map<string, number>();
  const countError = (what: string): void => void errors.set(what, (errors.get(what) ?? 0) + 1);
  let next = 0;
  let artworkBytes = 0;
  let artworksFetched = 0;
  let cachedAnswers = 0;

  async function client(): Promise<void> {
    for (;;) {
      const i = next++;
      if (i >= uploads.length) return;
      const t0 = performance.now();
      try {
        const res = await fetch(`${server.base}/api/renders`, { method: 'POST', body: uploads[i].jpeg, headers: { 'content-type': 'image/jpeg' } });
        const body = (await res.json()) as { artworks?: Record<string, string>; cached?: boolean; error?: { code: string } };
        renderLatencies.push(performance.now() - t0);
        if (res.status !== 201 || !body.artworks) {
          countError(`POST ${res.status} ${body.error?.code ?? ''}`.trim());
          continue;
        }
        if (body.cached) cachedAnswers++;
        for (const url of Object.values(body.artworks)) {
          const art = await fetch(server.base + url);
          const bytes = await art.arrayBuffer();
          if (art.status !== 200) countError(`GET artwork ${art.status}`);
          else {
            artworkBytes += bytes.byteLength;
            artworksFetched++;
          }
        }
        latencies.push(performance.now() - t0);
        byUpload.push({ i, ms: performance.now() - t0, mp: (uploads[i].width * uploads[i].height) / 1e6 });
      } catch (e) {
        countError(`network: ${(e as Error).message}`);
      }
    }
  }

  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, client));
  const seconds = (performance.now() - started) / 1000;
  const after = counters(server);
  const cpuUsed = after.cpu - before.cpu;
  const stagesAfter = server.stageSeconds ? await server.stageSeconds() : null;
  const stages = stagesAfter && Object.fromEntries(Object.entries(stagesAfter).map(([k, v]) => [k, v - (stagesBefore?.[k] ?? 0)]));
  clearInterval(sampler);
  if (poller) clearInterval(poller);
  // Final RSS: after the load, once the server has been idle for a moment.
  await new Promise((r) => setTimeout(r, 2000));
  const end = memory(server);
  // A single process's VmHWM is its exact peak; for several processes the sampled sum is the honest figure.
  const peak = server.pids().length === 1 ? end.hwm : Math.max(sampledPeak, end.rss);
  const exitCode = await server.stop();
  latencies.sort((a, b) => a - b);
  renderLatencies.sort((a, b) => a - b);
  return {
    server: server.name,
    uploads: uploads.length,
    seconds: +seconds.toFixed(2),
    requestsPerSecond: +(uploads.length / seconds).toFixed(2),
    latencyMs: {
      p50: Math.round(percentile(latencies, 50)),
      p99: Math.round(percentile(latencies, 99)),
      max: Math.round(latencies[latencies.length - 1] ?? NaN),
      renderP50: Math.round(percentile(renderLatencies, 50)),
      renderP99: Math.round(percentile(renderLatencies, 99)),
    },
    slowest: [...byUpload].sort((a, b) => b.ms - a.ms).slice(0, 5).map((u) => ({ upload: u.i + 1, megapixels: +u.mp.toFixed(2), ms: Math.round(u.ms) })),
    rssMB: { idle: +(idle.rss / MB).toFixed(1), peak: +(peak / MB).toFixed(1), final: +(end.rss / MB).toFixed(1) },
    artworksFetched,
    artworkMB: +(artworkBytes / MB).toFixed(1),
    cachedAnswers,
    errors: Object.fromEntries(errors),
    exitCode,
    cpuPerUpload: +(cpuUsed / uploads.length).toFixed(3),
    systemShare: cpuUsed > 0 ? +((after.system - before.system) / cpuUsed).toFixed(3) : 0,
    minorFaultsPerUpload: Math.round((after.minorFaults - before.minorFaults) / uploads.length),
    loadAverage: [+loadBefore.toFixed(2), +loadavg()[0].toFixed(2)],
    atPeakMB: atPeak ? splitMB(atPeak) : null,
    stageMsPerUpload: stages ? Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Math.round((v * 1000) / uploads.length)])) : null,
  };
}

function splitMB(p: MemoryPoint): Record<string, number> {
  const mb = (v: number): number => +(v / MB).toFixed(1);
  return {
    rss: mb(p.rss), code: mb(p.code), heapTotal: mb(p.heapTotal), mainHeapUsed: mb(p.mainHeapUsed), workersHeapUsed: mb(p.workersHeapUsed),
    external: mb(p.external), arrayBuffers: mb(p.arrayBuffers), libvips: mb(p.libvips), cache: mb(p.cache), workerBufferPools: mb(p.bufferPools ?? 0), unexplained: mb(p.unexplained),
  };
}

function report(r: LoadResult): string {
  return [
    `${r.server}: ${r.requestsPerSecond} req/s (${r.uploads} in ${r.seconds} s)`,
    `  latency upload → all artworks fetched: p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms, max ${r.latencyMs.max} ms (POST alone: p50 ${r.latencyMs.renderP50} ms, p99 ${r.latencyMs.renderP99} ms)`,
    `  slowest uploads (place sent, MP, ms): ${r.slowest.map((u) => `#${u.upload} ${u.megapixels} MP ${u.ms}`).join(', ')}`,
    `  server RSS: idle ${r.rssMB.idle} MB, peak ${r.rssMB.peak} MB, final ${r.rssMB.final} MB`,
    `  artworks fetched: ${r.artworksFetched} (${r.artworkMB} MB); cache hits: ${r.cachedAnswers}; errors: ${Object.keys(r.errors).length === 0 ? 'none' : JSON.stringify(r.errors)}; exit code after SIGTERM: ${r.exitCode}`,
    `  server CPU per upload: ${r.cpuPerUpload} s (user + system, all threads and processes; ${Math.round(r.systemShare * 100)}% system); ${cpus().length} idle cores would allow at most ${(cpus().length / r.cpuPerUpload).toFixed(2)} req/s`,
    `  minor page faults per upload: ${r.minorFaultsPerUpload} (${((r.minorFaultsPerUpload * 4096) / MB).toFixed(1)} MB of pages mapped on first touch)`,
    `  machine load average (1 min) before/after: ${r.loadAverage.join(' / ')}`,
    ...(r.stageMsPerUpload ? [`  time per upload (wall ms, /metrics; stages are the workers'): ${Object.entries(r.stageMsPerUpload).map(([k, v]) => `${k} ${v}`).join(', ')}`] : []),
    ...(r.atPeakMB ? [`  server's own split at its highest sample (MB, /api/memory): ${Object.entries(r.atPeakMB).map(([k, v]) => `${k} ${v}`).join(', ')}`] : []),
  ].join('\n');
}

async function main(): Promise<void> {
  const seed = Number(args.seed);
  const refN = Number(args['reference-n']);
  const wantReference = args.reference;
  const whyNoReference = wantReference ? referenceAvailable() : 'not asked for (--reference)';
  const total = Math.max(N, whyNoReference ? 0 : refN);
  process.stderr.write(`making ${total} distinct JPEG uploads (seed ${seed})…\n`);
  const uploads = await makeUploads(total, seed);
  const mp = uploads.slice(0, N).map((u) => (u.width * u.height) / 1e6).sort((a, b) => a - b);

  console.log(`Studio load: ${N} distinct JPEG uploads (${mp[0].toFixed(2)}–${mp[mp.length - 1].toFixed(2)} MP, median ${percentile(mp, 50).toFixed(2)} MP), concurrency ${C}, 4 seed styles at maxSide 1024, every artwork fetched`);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), ${Math.round(totalmem() / 1024 ** 3)} GiB, node ${process.version}, load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const studioServer = await startStudio();
  const format = ((await (await fetch(`${studioServer.base}/api/styles`)).json()) as { defaults: { format: string } }).defaults.format;
  console.log(`artwork format: ${format}`);
  const studio = await runLoad(studioServer, uploads.slice(0, N), C);
  console.log(report(studio));
  let reference: LoadResult | null = null;
  if (!whyNoReference) {
    // The same uploads (the first refN), the same concurrency.
    reference = await runLoad(await startReference(format === 'jpeg' ? 'jpeg' : 'png'), uploads.slice(0, refN), C);
    console.log(report(reference));
  }
  const ref = reference
    ? { rps: reference.requestsPerSecond, p50: reference.latencyMs.p50, p99: reference.latencyMs.p99, peak: reference.rssMB.peak, where: `measured in this run (${refN} uploads)` }
    : { rps: 1.8, p50: 2100, p99: 4400, peak: 1024, where: `the issue's figures, not re-run: ${whyNoReference}` };
  console.log(
    `vs Flask+OpenCV (${ref.where}): throughput ×${(studio.requestsPerSecond / ref.rps).toFixed(2)}, p50 ×${(studio.latencyMs.p50 / ref.p50).toFixed(2)}, p99 ×${(studio.latencyMs.p99 / ref.p99).toFixed(2)}, peak RSS ×${(studio.rssMB.peak / ref.peak).toFixed(2)}` +
      `  (targets: throughput ≥ ×5, p99 < 1000 ms, peak RSS < 250 MB)`,
  );
  if (reference) {
    console.log(`CPU per upload, which the machine's other load does not change: studio ${studio.cpuPerUpload} s, reference ${reference.cpuPerUpload} s: the studio does the same work with ×${(reference.cpuPerUpload / studio.cpuPerUpload).toFixed(2)} less CPU`);
  }
  if (args.json) {
    const input = { uploads: N, concurrency: C, seed, megapixels: { min: mp[0], median: percentile(mp, 50), max: mp[mp.length - 1] } };
    writeFileSync(args.json, JSON.stringify({ date: new Date().toISOString(), node: process.version, cpus: cpus().length, input, studio, reference }, null, 2) + '\n');
  }
}

await main();
