/**
 * `atelier render` over many files: does it use both cores, and does its memory stay flat as the number of
 * inputs grows? Runs the built CLI under /usr/bin/time on distinct 1 MP JPEGs cut from the fixture photos, and
 * prints wall time, peak RSS and the ratios between runs of this same session:
 *   - 1 thread vs 2 threads on the same inputs (full size, 1024 px): the parallel speed-up;
 *   - 8N inputs at --max-side 256, where the batch machinery (reading, queueing, writing) rather than the
 *     filters' working memory dominates, with the process's RSS sampled after each eighth of the inputs: RSS
 *     climbs over the first couple of hundred jobs (V8 heaps and malloc arenas of the worker threads settle),
 *     then stays put however many inputs follow.
 *
 *   npm run bench:render -- [--inputs 6] [--small 48]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = fileURLToPath(new URL('..', import.meta.url));
const MAIN = join(root, 'dist/cli/main.js');
const work = join(root, 'bench/output/render-cli');
const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const few = arg('inputs', 6);
const smallFew = arg('small', 48);
const many = smallFew * 8;

if (!existsSync(MAIN)) throw new Error('run `npm run build` first');
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'in'), { recursive: true });

// Distinct inputs (every one a different crop), so nothing is shared between them.
const photos = ['astronaut', 'coffee'].map((n) => join(root, `test/fixtures/photos/${n}.png`));
const inputs: string[] = [];
for (let i = 0; i < many; i++) {
  const file = join(work, 'in', `photo${String(i).padStart(3, '0')}.jpg`);
  const src = sharp(photos[i % 2]).resize(1400, 1000, { fit: 'fill' });
  await src.extract({ left: (i * 7) % 180, top: (i * 11) % 150, width: 1200, height: 850 }).jpeg({ quality: 90 }).toFile(file);
  inputs.push(file);
}

function run(label: string, files: string[], threads: number, maxSide = 1024) {
  const out = join(work, `out-${label.replace(/\W+/g, '-')}`);
  const args = [process.execPath, MAIN, 'render', ...files, '--out', out, '--threads', String(threads), '--max-side', String(maxSide)];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr}`);
  const [seconds, user, sys, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  // CPU seconds over wall seconds: how many cores the run kept busy on average (other load on the machine lowers it).
  const row = { label, inputs: files.length, threads, seconds, perInput: seconds / files.length, cores: (user + sys) / seconds, peakRssMb: kb / 1024 };
  console.log(
    `${label.padEnd(28)} ${files.length} inputs, ${threads} thread(s), --max-side ${maxSide}: ${seconds.toFixed(1)} s (${row.perInput.toFixed(2)} s/input, ` +
      `${((user + sys) / files.length).toFixed(2)} CPU s/input, ${row.cores.toFixed(2)} cores busy), peak RSS ${row.peakRssMb.toFixed(0)} MB`,
  );
  return row;
}

console.log(`node ${process.version}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`inputs: 1200×850 JPEG (1.0 MP), styles: the four seed styles, png\n`);
const one = run('full size, one thread', inputs.slice(0, few), 1);
const two = run('full size, two threads', inputs.slice(0, few), 2);
const timeline = await rssTimeline(inputs, 2, 256);
console.log(`\nspeed-up of 2 threads over 1: ${(one.seconds / two.seconds).toFixed(2)}×`);
console.log(`peak RSS (MB) in each eighth of ${many} inputs at --max-side 256, 2 threads: ${timeline.map((m) => m.toFixed(0)).join(', ')}`);
console.log(`last eighth / fourth eighth: ${(timeline[7] / timeline[3]).toFixed(2)}×`);

/** Runs the CLI, sampling its RSS every 50 ms: the peak within each eighth of the inputs (by artworks on disk). */
async function rssTimeline(files: string[], threads: number, maxSide: number): Promise<number[]> {
  const out = join(work, 'out-timeline');
  const child = spawn(process.execPath, [MAIN, 'render', ...files, '--out', out, '--threads', String(threads), '--max-side', String(maxSide)], { stdio: 'ignore' });
  const peaks = new Array<number>(8).fill(0);
  const perEighth = (files.length * 4) / 8; // four artworks per input
  let closed = false;
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  void done.then(() => (closed = true));
  while (!closed) {
    try {
      const rssMb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
      const written = existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith('.')).length : 0;
      const eighth = Math.min(7, Math.floor(written / perEighth));
      peaks[eighth] = Math.max(peaks[eighth], rssMb);
    } catch {
      // the process ended between two samples
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  if ((await done) !== 0) throw new Error('the timeline run failed');
  return peaks;
}
