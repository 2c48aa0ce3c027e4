/**
 * Studio load benchmark: `npm run bench:load -- --n 200 --concurrency 4`.
 *
 * Starts the built server (`atelier serve`) as a child process with its defaults, sends N distinct JPEG uploads
 * of 0.5–6 MP cut from the fixture photos (random crops, sizes and qualities, so every one is a cache miss) from
 * C concurrent clients, fetches every artwork of each answer, and prints throughput, latency percentiles, the
 * server's peak and final RSS (from /proc/<pid>/status: VmHWM and VmRSS), and errors.
 *
 * Options: --n N (200), --concurrency C (4), --seed S (1), --threads T (server default), --json FILE (also
 * write the results as JSON), --extra-args "…" (more `atelier serve` flags).
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';

const root = fileURLToPath(new URL('..', import.meta.url));
const CLI = `${root}dist/cli/main.js`;
const PHOTOS = ['astronaut', 'coffee', 'camera', 'horse'] as const;

const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '4' },
    seed: { type: 'string', default: '1' },
    threads: { type: 'string' },
    json: { type: 'string' },
    'extra-args': { type: 'string', default: '' },
  },
});
const N = Number(args.n);
const C = Number(args.concurrency);
if (!(Number.isInteger(N) && N > 0 && N <= 100_000)) throw new Error(`--n must be an integer from 1 to 100000, got ${args.n}`);
if (!(Number.isInteger(C) && C > 0 && C <= 256)) throw new Error(`--concurrency must be an integer from 1 to 256, got ${args.concurrency}`);
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (npm run bench:load does)`);

/** Small deterministic PRNG (mulberry32), so a seed gives the same uploads on every machine. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Upload {
  jpeg: Buffer;
  width: number;
  height: number;
}

/** N distinct JPEGs of 0.5–6 MP: a random crop of a fixture photo, scaled to a random area, random quality. */
async function makeUploads(n: number, seed: number): Promise<Upload[]> {
  const random = rng(seed);
  const sources = await Promise.all(
    PHOTOS.map(async (name) => {
      const buf = readFileSync(`${root}test/fixtures/photos/${name}.png`);
      const meta = await sharp(buf).metadata();
      return { buf, width: meta.width, height: meta.height };
    }),
  );
  const out: Upload[] = [];
  for (let i = 0; i < n; i++) {
    const src = sources[i % sources.length];
    const cw = Math.round(src.width * (0.55 + 0.45 * random()));
    const ch = Math.round(src.height * (0.55 + 0.45 * random()));
    const left = Math.floor((src.width - cw) * random());
    const top = Math.floor((src.height - ch) * random());
    const megapixels = 0.5 + 5.5 * random();
    const scale = Math.sqrt((megapixels * 1e6) / (cw * ch));
    const width = Math.round(cw * scale);
    const height = Math.round(ch * scale);
    const jpeg = await sharp(src.buf)
      .extract({ left, top, width: cw, height: ch })
      .flatten({ background: '#ffffff' })
      .resize(width, height, { kernel: 'lanczos3' })
      .jpeg({ quality: 80 + Math.floor(15 * random()) })
      .toBuffer();
    out.push({ jpeg, width, height });
  }
  return out;
}

interface ServerProcess {
  pid: number;
  base: string;
  stop(): Promise<number | null>;
}

async function startServer(): Promise<ServerProcess> {
  const flags = ['serve', '--host', '127.0.0.1', '--port', '0', ...(args.threads ? ['--threads', args.threads] : []), ...args['extra-args'].split(' ').filter(Boolean)];
  const child = spawn(process.execPath, [CLI, ...flags], { stdio: ['ignore', 'ignore', 'pipe'], cwd: root });
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
  for (let i = 0; i < 200; i++) {
    const r = await fetch(`${base}/readyz`).catch(() => null);
    if (r?.ok) break;
    await new Promise((r2) => setTimeout(r2, 50));
  }
  return {
    pid: child.pid!,
    base,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

function procStatus(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const MB = 1024 * 1024;

async function main(): Promise<void> {
  const seed = Number(args.seed);
  process.stderr.write(`making ${N} distinct JPEG uploads (seed ${seed})…\n`);
  const uploads = await makeUploads(N, seed);
  const mp = uploads.map((u) => (u.width * u.height) / 1e6);
  const uploadBytes = uploads.reduce((s, u) => s + u.jpeg.length, 0);

  const server = await startServer();
  const idle = procStatus(server.pid);
  let sampledPeak = idle.rss;
  const sampler = setInterval(() => {
    try {
      sampledPeak = Math.max(sampledPeak, procStatus(server.pid).rss);
    } catch {
      /* the process is gone */
    }
  }, 50);

  const latencies: number[] = [];
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
      if (i >= N) return;
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
      } catch (e) {
        countError(`network: ${(e as Error).message}`);
      }
    }
  }

  const started = performance.now();
  await Promise.all(Array.from({ length: C }, client));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  // Final RSS: after the load, once the server has been idle for a moment.
  await new Promise((r) => setTimeout(r, 2000));
  const end = procStatus(server.pid);
  const exitCode = await server.stop();

  latencies.sort((a, b) => a - b);
  renderLatencies.sort((a, b) => a - b);
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 1024 ** 3), node: process.version },
    input: {
      uploads: N,
      concurrency: C,
      seed,
      megapixels: { min: +Math.min(...mp).toFixed(2), median: +percentile([...mp].sort((a, b) => a - b), 50).toFixed(2), max: +Math.max(...mp).toFixed(2) },
      uploadMB: +(uploadBytes / MB).toFixed(1),
      serverArgs: args['extra-args'] || '(defaults)',
    },
    throughput: { seconds: +seconds.toFixed(2), requestsPerSecond: +(N / seconds).toFixed(2) },
    latencyMs: {
      endToEnd: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies[latencies.length - 1] ?? NaN) },
      render: { p50: Math.round(percentile(renderLatencies, 50)), p99: Math.round(percentile(renderLatencies, 99)) },
    },
    serverRssMB: { idle: +(idle.rss / MB).toFixed(1), peak: +(end.hwm / MB).toFixed(1), peakSampled: +(sampledPeak / MB).toFixed(1), final: +(end.rss / MB).toFixed(1) },
    artworks: { fetched: artworksFetched, MB: +(artworkBytes / MB).toFixed(1) },
    cachedAnswers,
    errors: Object.fromEntries(errors),
    serverExitCode: exitCode,
  };

  const ref = { rps: 1.8, p50: 2100, p99: 4400, peakMB: 1024 };
  const lines = [
    `Studio load: ${N} distinct JPEG uploads (${results.input.megapixels.min}–${results.input.megapixels.max} MP, median ${results.input.megapixels.median} MP), concurrency ${C}, 4 seed styles at maxSide 1024, every artwork fetched`,
    `machine: ${results.machine.cpus} cores (${results.machine.model}), ${results.machine.memoryGiB} GiB, node ${process.version}`,
    `throughput: ${results.throughput.requestsPerSecond} req/s (${N} in ${results.throughput.seconds} s)`,
    `latency end-to-end (upload → 4 artworks fetched): p50 ${results.latencyMs.endToEnd.p50} ms, p99 ${results.latencyMs.endToEnd.p99} ms, max ${results.latencyMs.endToEnd.max} ms`,
    `latency POST /api/renders: p50 ${results.latencyMs.render.p50} ms, p99 ${results.latencyMs.render.p99} ms`,
    `server RSS: idle ${results.serverRssMB.idle} MB, peak ${results.serverRssMB.peak} MB (VmHWM; sampled ${results.serverRssMB.peakSampled}), final ${results.serverRssMB.final} MB`,
    `artworks fetched: ${artworksFetched} (${results.artworks.MB} MB); cache hits: ${cachedAnswers}`,
    `errors: ${errors.size === 0 ? 'none' : JSON.stringify(results.errors)}; server exit code after SIGTERM: ${exitCode}`,
    `vs the Flask+OpenCV reference figures (1.8 req/s, p50 2.1 s, p99 4.4 s, 1.0 GB peak; not re-run here): throughput ×${(results.throughput.requestsPerSecond / ref.rps).toFixed(1)}, p99 ${(results.latencyMs.endToEnd.p99 / ref.p99).toFixed(2)}×, peak RSS ${(results.serverRssMB.peak / ref.peakMB).toFixed(2)}×`,
  ];
  console.log(lines.join('\n'));
  if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2) + '\n');
}

await main();
