import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const program = join(root, 'test/fixtures/heap/build-heap.mjs');
const dir = mkdtempSync(join(tmpdir(), 'atelier-heap-cli-'));
execFileSync(process.execPath, [program, dir, 'one']);
execFileSync(process.execPath, ['--track-heap-objects', program, dir, 'three']);
test.after(() => rmSync(dir, { recursive: true, force: true }));
const snap = (name: string) => join(dir, `${name}.heapsnapshot`);

function atelier(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'mem', ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('mem top: a table for people, JSON for machines, sorted and limited', () => {
  const text = atelier('top', snap('heap'), '--limit', '40');
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^Type\s+Count\s+Self size\s+Retained size$/m);
  assert.match(text.stdout, /^Leaky\s+1,000\s/m);
  const j = JSON.parse(atelier('top', snap('heap'), '--json', '--sort', 'count', '--limit', '500').stdout);
  assert.equal(j.types.find((t: { type: string }) => t.type === 'Leaky').count, 1000);
  const counts = j.types.map((t: { count: number }) => t.count);
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
  assert.equal(JSON.parse(atelier('top', snap('heap'), '--json', '--limit', '3').stdout).types.length, 3);
});

test('mem diff: growth by type and the three-snapshot leak groups with paths and sites', () => {
  const j = JSON.parse(atelier('diff', snap('s1'), snap('s2'), snap('s3'), '--json').stdout);
  assert.equal(j.growth.find((g: { type: string }) => g.type === 'Leaky').countDelta, 305);
  const leaky = j.leaks.byPath.find((g: { type: string }) => g.type === 'Leaky');
  assert.equal(leaky.count, 300);
  assert.deepEqual(leaky.retainerPath.slice(0, 2), ['global', 'leakyMap → Map']);
  assert.match(leaky.allocationSite, /build-heap\.mjs:\d+$/);
  const text = atelier('diff', snap('s1'), snap('s2'), snap('s3'));
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /Leaky × 300/);
  const two = JSON.parse(atelier('diff', snap('s1'), snap('s2'), '--json').stdout);
  assert.equal(two.leaks, null);
});

test('mem path: the chain from a GC root, by type or @id, and the back-references as SVG', () => {
  const svg = join(dir, 'holder.svg');
  const j = JSON.parse(atelier('path', snap('heap'), 'Holder', '--json', '--svg', svg).stdout);
  assert.deepEqual(j.target.retainerPath, ['global', 'bigHolder → Holder']);
  assert.ok(j.target.retainedSize >= 1024 * 1024);
  assert.deepEqual(j.steps.map((s: { edge: string }) => s.edge).slice(-1), ['bigHolder']);
  const picture = readFileSync(svg, 'utf8');
  assert.match(picture, /<svg/);
  assert.match(picture, />bigHolder</);
  const byId = JSON.parse(atelier('path', snap('heap'), `@${j.target.id}`, '--json').stdout);
  assert.equal(byId.target.type, 'Holder');
  const text = atelier('path', snap('heap'), 'Leaky');
  assert.match(text.stdout, /--leakyMap \(property\)--> Map/);
});

test('bad input: one line on stderr and a non-zero exit', () => {
  const full = readFileSync(snap('heap'));
  const cut = join(dir, 'cut.heapsnapshot');
  writeFileSync(cut, full.subarray(0, 5000));
  const r = atelier('top', cut);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /^atelier: .*cut\.heapsnapshot: truncated at byte 5000 \(inside nodes\)\n$/);
  const empty = join(dir, 'empty.heapsnapshot');
  writeFileSync(empty, '');
  assert.match(atelier('diff', empty, snap('heap')).stderr, /^atelier: .*empty file/);
  assert.match(atelier('path', snap('heap'), 'NoSuchType').stderr, /no object of type "NoSuchType"/);
  assert.match(atelier('path', snap('heap'), '@1234567890').stderr, /no object with id @1234567890/);
  assert.match(atelier('top', snap('heap'), '--limit', '0').stderr, /--limit must be a positive integer/);
  assert.match(atelier('snapshot', '--pid', '99999999').stderr, /no process with pid 99999999/);
});
