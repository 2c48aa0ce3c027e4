// The leak suite: every scenario through the real CLI (a child Node process each), two at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, type CliResult } from './cli-helpers.js';

const scenarios = fileURLToPath(new URL('./scenarios/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'atelier-leaks-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The line a scenario marks with `// leak-site`: where the leaking objects are allocated or stored. */
function markedLine(file: string): number {
  const lines = readFileSync(join(scenarios, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes('// leak-site'));
  assert.ok(i >= 0, `${file} marks its leak site`);
  return i + 1;
}

const leaking: Record<string, string> = {
  'map-leak.mjs': 'Session',
  'array-leak.mjs': 'AuditRecord',
  'emitter-listeners.mjs': '(closure)',
  'timers-never-cleared.mjs': 'Timeout',
  'closure-registry.mjs': '(closure)',
  'buffer-views.mjs': 'Buffer',
  'cycles-global.mjs': 'TreeNode',
  'slow-leak-under-garbage.mjs': 'Breadcrumb',
  'rare-leak.mjs': 'RetryRecord',
  'pending-promises.mjs': 'Promise',
};
const clean = ['lru-bounded.mjs', 'warmup-cache.mjs', 'big-transient.mjs', 'weakmap-metadata.mjs', 'object-pool.mjs', 'sessions-deleted.mjs'];
/** Leaks slower than one object per iteration. */
const rate: Record<string, number> = { 'rare-leak.mjs': 0.25 };

// Two scenario processes at a time: the machine has two cores.
const results = new Map<string, Promise<CliResult>>();
let chain: Promise<unknown>[] = [Promise.resolve(), Promise.resolve()];
[...Object.keys(leaking), ...clean].forEach((file, i) => {
  const lane = i % 2;
  const p = chain[lane].then(() => runCli(['mem', 'leaks', join(scenarios, file), '--json'], { timeoutMs: 120_000 }));
  chain[lane] = p.catch(() => undefined);
  results.set(file, p);
});

for (const [file, name] of Object.entries(leaking)) {
  test(`leak: ${file} → ${name} at line ${markedLine(file)}`, async () => {
    const r = await (results.get(file) as Promise<CliResult>);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(report), ['verdict', 'bytesPerIteration', 'suspects']);
    assert.equal(report.verdict, 'leak');
    assert.ok(report.bytesPerIteration > 0);
    const top = report.suspects[0];
    assert.deepEqual(Object.keys(top), ['name', 'countPerIteration', 'retainedBytesPerIteration', 'allocationSite', 'retainerPath']);
    assert.equal(top.name, name);
    assert.equal(top.allocationSite, `${join(scenarios, file)}:${markedLine(file)}`);
    const expected = rate[file] ?? 1;
    assert.ok(top.countPerIteration >= 0.9 * expected, `count per iteration ${top.countPerIteration}`);
    assert.ok(top.retainedBytesPerIteration > 0);
    assert.ok(top.retainerPath.length >= 2 && top.retainerPath.slice(1).every((s: string) => s.includes(' → ')), top.retainerPath.join(' | '));
  });
}

test('leak details: the Buffer views keep their 256 KiB stores; the map holds 4 sessions per iteration', async () => {
  const views = JSON.parse((await (results.get('buffer-views.mjs') as Promise<CliResult>)).stdout);
  assert.ok(views.bytesPerIteration > 0.9 * 256 * 1024, `${views.bytesPerIteration} B/iteration`);
  assert.ok(views.suspects[0].retainedBytesPerIteration > 0.9 * 256 * 1024, 'the backing store counts in the retained size');
  const map = JSON.parse((await (results.get('map-leak.mjs') as Promise<CliResult>)).stdout);
  assert.equal(map.suspects[0].countPerIteration, 4);
  assert.ok(map.suspects[0].retainerPath.some((s: string) => s === 'sessions → Map'), map.suspects[0].retainerPath.join(' | '));
  const cycles = JSON.parse((await (results.get('cycles-global.mjs') as Promise<CliResult>)).stdout);
  assert.deepEqual(cycles.suspects[0].retainerPath.slice(0, 2), ['global', '__documents → Array']);
});

for (const file of clean) {
  test(`clean: ${file}`, async () => {
    const r = await (results.get(file) as Promise<CliResult>);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.verdict, 'clean');
    assert.deepEqual(report.suspects, []);
  });
}

test('a scenario that throws exits 2 with its stack', async () => {
  const r = await runCli(['mem', 'leaks', join(scenarios, 'throws.mjs')]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^atelier: scenario failed in (iteration|warm-up): database connection refused/m);
  assert.match(r.stderr, /throws\.mjs:\d+:\d+/, 'the stack names the scenario line');
});

test('bad input: missing file, no iteration export, bad --iterations', async () => {
  const missing = await runCli(['mem', 'leaks', join(dir, 'nope.mjs')]);
  assert.notEqual(missing.code, 0);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  assert.match(missing.stderr, /no such scenario file/);
  const noExport = join(dir, 'no-export.mjs');
  writeFileSync(noExport, 'export const x = 1;\n');
  const r = await runCli(['mem', 'leaks', noExport]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /must default-export a function iteration/);
  const iters = await runCli(['mem', 'leaks', noExport, '--iterations', 'many']);
  assert.notEqual(iters.code, 0);
  assert.match(iters.stderr, /--iterations must be an integer/);
});

test('a scenario that never finishes an iteration times out with exit 2', async () => {
  const hang = join(dir, 'hang.mjs');
  writeFileSync(hang, 'export default function iteration() { return new Promise(() => { setInterval(() => {}, 1000); }); }\n');
  const r = await runCli(['mem', 'leaks', hang, '--timeout', '2s']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /timed out after 2 s/);
  const pending = join(dir, 'pending.mjs');
  writeFileSync(pending, 'export default function iteration() { return new Promise(() => {}); }\n');
  const p = await runCli(['mem', 'leaks', pending]);
  assert.equal(p.code, 2);
  assert.match(p.stderr, /never finished/);
});

test('--report writes a self-contained HTML page with the chart and suspects; the table names the line', async () => {
  const html = join(dir, 'leak.html');
  const r = await runCli(['mem', 'leaks', join(scenarios, 'map-leak.mjs'), '--iterations', '30', '--report', html]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /LEAK/);
  assert.match(r.stdout, new RegExp(`Session .*map-leak\\.mjs:${markedLine('map-leak.mjs')}`));
  assert.ok(existsSync(html));
  const page = readFileSync(html, 'utf8');
  assert.match(page, /Session/);
  assert.match(page, /new uPlot/);
  assert.doesNotMatch(page, /<script[^>]+src=/);
});
