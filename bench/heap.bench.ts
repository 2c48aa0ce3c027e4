// npm run bench:heap — heap snapshot analysis against memlab on the same three snapshots, in the same run.
// Builds a ~250 MB heap (bench/heap-builder.mjs), writes three snapshots to a temp dir, then times
//   ours:   bench/heap-analyse.mjs (mem top on s3 + 3-way mem diff with retainer paths), built code from dist/
//   memlab: memlab find-leaks --baseline s1 --target s2 --final s3 --trace-all-objects
// each in its own process, with its peak RSS (VmHWM) read from /proc at exit. Deletes the snapshots after.
// Env: HEAP_BENCH_ITEMS (base objects, default 800000), HEAP_BENCH_KEEP=1 keeps the temp dir.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const items = Number(process.env.HEAP_BENCH_ITEMS ?? 800_000);
const memlabDir = join(tmpdir(), 'atelier-bench-memlab');
const memlabBin = join(memlabDir, 'node_modules/@memlab/cli/bin/memlab.js');
const nodeOptions = '--max-old-space-size=16384';

function ensureMemlab(): string {
  if (!existsSync(memlabBin)) {
    mkdirSync(memlabDir, { recursive: true });
    writeFileSync(join(memlabDir, 'package.json'), '{"name":"atelier-bench-memlab","private":true}\n');
    console.log(`installing memlab into ${memlabDir} (once)…`);
    const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', 'memlab'], { cwd: memlabDir, stdio: 'inherit', env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: '1' } });
    if (r.status !== 0) throw new Error('npm install memlab failed');
  }
  return JSON.parse(readFileSync(join(memlabDir, 'node_modules/memlab/package.json'), 'utf8')).version;
}

/** Runs a node program with the peak-RSS preload; resolves wall time, peak RSS of its biggest process, output. */
function measure(args: string[], cwd: string, rssFile: string): Promise<{ ms: number; peakKiB: number; stdout: string; code: number | null }> {
  writeFileSync(rssFile, '');
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [nodeOptions, '--require', join(root, 'bench/peak-rss.cjs'), ...args], {
      cwd,
      env: { ...process.env, ATELIER_PEAK_RSS_FILE: rssFile, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Both streams are kept (memlab reports on either) and not echoed: memlab prints every leak trace.
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - started;
      const peaks = readFileSync(rssFile, 'utf8').trim().split('\n').filter(Boolean).map((l) => Number(l.split(' ')[1]));
      resolve({ ms, peakKiB: Math.max(0, ...peaks), stdout, code });
    });
  });
}

const mib = (kib: number) => (kib / 1024).toFixed(0);

async function main() {
  const memlabVersion = ensureMemlab();
  const build = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const dir = mkdtempSync(join(tmpdir(), 'atelier-heap-bench-'));
  try {
    console.log(`building the heap (${items} base items) and writing 3 snapshots to ${dir}…`);
    const gen = spawnSync(process.execPath, [nodeOptions, join(root, 'bench/heap-builder.mjs'), dir, String(items)], { encoding: 'utf8' });
    if (gen.status !== 0) throw new Error(`heap builder failed: ${gen.stderr}`);
    process.stdout.write(gen.stdout);
    const snaps = ['s1', 's2', 's3'].map((s) => join(dir, `${s}.heapsnapshot`));
    const sizes = snaps.map((f) => statSync(f).size);
    console.log(`snapshot sizes: ${sizes.map((s) => `${(s / 1048576).toFixed(0)} MiB`).join(', ')}`);

    const ours = await measure([join(root, 'bench/heap-analyse.mjs'), ...snaps], dir, join(dir, 'rss-ours'));
    if (ours.code !== 0) throw new Error(`our analysis failed: ${ours.stdout.slice(-2000)}`);
    const oursOut = JSON.parse(ours.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop()!);
    console.log(`ours:   ${(ours.ms / 1000).toFixed(1)} s, peak RSS ${mib(ours.peakKiB)} MiB, ${oursOut.leaked} leaked objects, phases ${JSON.stringify(oursOut.phases)}`);

    const memlab = await measure([memlabBin, 'find-leaks', '--baseline', snaps[0], '--target', snaps[1], '--final', snaps[2], '--trace-all-objects', '--work-dir', join(dir, 'memlab-work')], dir, join(dir, 'rss-memlab'));
    const found = /MemLab found (\d+) leak/.exec(memlab.stdout)?.[1] ?? '?';
    console.log(`memlab: ${(memlab.ms / 1000).toFixed(1)} s, peak RSS ${mib(memlab.peakKiB)} MiB, exit ${memlab.code}, "MemLab found ${found} leak(s)"`);

    const result = {
      date: new Date().toISOString(),
      node: process.version,
      machine: `${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
      items,
      snapshotBytes: sizes,
      ours: { ms: Math.round(ours.ms), peakRssKiB: ours.peakKiB, leaked: oursOut.leaked, phases: oursOut.phases },
      memlab: { version: memlabVersion, ms: Math.round(memlab.ms), peakRssKiB: memlab.peakKiB, exit: memlab.code, clusters: found },
      timeRatio: +(ours.ms / memlab.ms).toFixed(3),
      rssRatio: +(ours.peakKiB / memlab.peakKiB).toFixed(3),
    };
    console.log(`\ntime ratio ours/memlab ${result.timeRatio}, peak RSS ratio ours/memlab ${result.rssRatio}`);
    mkdirSync(join(root, 'bench/output'), { recursive: true });
    writeFileSync(join(root, 'bench/output/heap.json'), JSON.stringify(result, null, 2) + '\n');
  } finally {
    if (process.env.HEAP_BENCH_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  }
}

await main();
