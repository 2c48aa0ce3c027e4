/**
 * `atelier render` over many files: does it use both cores, and does its memory stay flat as the number of
 * inputs grows? Runs the built CLI under /usr/bin/time on distinct 1 MP JPEGs cut from the fixture photos, and
 * prints wall time, peak RSS and the ratios between runs of this same session:
 *   - 1 thread vs 2 threads on the same inputs (full size, 1024 px): the parallel speed-up;
 *   - N vs 8N inputs at --max-side 256, where the batch machinery (reading, queueing, writing) rather than the
 *     filters' working memory dominates: the peak RSS ratio should stay near 1.
 *
 *   npm run bench:render -- [--inputs 6]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, existsSync } from 'node:fs';
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
const many = few * 8;

if (!existsSync(MAIN)) throw new Error('run `npm run build` first');
rmSync(work, { recursive: true, force: true });
mkdirSync(join(work, 'in'), { recursive: true });

// Distinct inputs (every one a different crop), so nothing is shared between them.
const photos = ['astronaut', 'coffee'].map((n) => join(root, `test/fixtures/photos/${n}.png`));
const inputs: string[] = [];
for (let i = 0; i < many; i++) {
  const file = join(work, 'in', `photo${String(i).padStart(3, '0')}.jpg`);
  const src = sharp(photos[i % 2]).resize(1400, 1000, { fit: 'fill' });
  await src.extract({ left: (i * 7) % 180, top: (i * 5) % 150, width: 1200, height: 850 }).jpeg({ quality: 90 }).toFile(file);
  inputs.push(file);
}

function run(label: string, files: string[], threads: number, maxSide = 1024) {
  const out = join(work, `out-${label.replace(/\W+/g, '-')}`);
  const args = [process.execPath, MAIN, 'render', ...files, '--out', out, '--threads', String(threads), '--max-side', String(maxSide)];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${label} failed: ${r.stderr}`);
  const [seconds, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number);
  const row = { label, inputs: files.length, threads, seconds, perInput: seconds / files.length, peakRssMb: kb / 1024 };
  console.log(`${label.padEnd(28)} ${files.length} inputs, ${threads} thread(s), --max-side ${maxSide}: ${seconds.toFixed(1)} s (${row.perInput.toFixed(2)} s/input), peak RSS ${row.peakRssMb.toFixed(0)} MB`);
  return row;
}

console.log(`node ${process.version}, ${availableParallelism()} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${new Date().toISOString()}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
console.log(`inputs: 1200×850 JPEG (1.0 MP), styles: the four seed styles, png\n`);
const one = run('full size, one thread', inputs.slice(0, few), 1);
const two = run('full size, two threads', inputs.slice(0, few), 2);
const small = run(`small, ${few} inputs`, inputs.slice(0, few), 2, 256);
const lots = run(`small, ${many} inputs`, inputs, 2, 256);
console.log(`\nspeed-up of 2 threads over 1: ${(one.seconds / two.seconds).toFixed(2)}×`);
console.log(`peak RSS with ${many} inputs / with ${few} (--max-side 256): ${(lots.peakRssMb / small.peakRssMb).toFixed(2)}×`);
