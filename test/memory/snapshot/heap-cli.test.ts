import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { registerHeapCommands } from '../../../src/cli/mem-heap-commands.js';
import { AtelierError } from '../../../src/errors.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const program = join(root, 'test/fixtures/heap/build-heap.mjs');
const dir = mkdtempSync(join(tmpdir(), 'atelier-heap-cli-'));
execFileSync(process.execPath, [program, dir, 'one']);
execFileSync(process.execPath, ['--track-heap-objects', program, dir, 'three']);
test.after(() => rmSync(dir, { recursive: true, force: true }));
const snap = (name: string) => join(dir, `${name}.heapsnapshot`);

/** Runs `atelier mem <args>` in this process (as main.ts wires it) and returns what it printed. */
async function mem(...args: string[]): Promise<string> {
  const cli = new Command('atelier').exitOverride();
  let out = '';
  registerHeapCommands(cli.command('mem').exitOverride(), { write: (text: string) => (out += text) });
  await cli.parseAsync(['node', 'atelier', 'mem', ...args]);
  return out;
}

const invalid = (re: RegExp) => (e: unknown) => e instanceof AtelierError && re.test(e.message);

test('mem top: a table for people, JSON for machines, sorted and limited', async () => {
  const text = await mem('top', snap('heap'), '--limit', '40');
  assert.match(text, /^Type\s+Count\s+Self size\s+Retained size$/m);
  assert.match(text, /^Leaky\s+1,000\s/m);
  const j = JSON.parse(await mem('top', snap('heap'), '--json', '--sort', 'count', '--limit', '500'));
  assert.equal(j.types.find((t: { type: string }) => t.type === 'Leaky').count, 1000);
  const counts = j.types.map((t: { count: number }) => t.count);
  assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
  assert.equal(JSON.parse(await mem('top', snap('heap'), '--json', '--limit', '3')).types.length, 3);
});

test('mem diff: growth by type and the three-snapshot leak groups with paths and sites', async () => {
  const j = JSON.parse(await mem('diff', snap('s1'), snap('s2'), snap('s3'), '--json'));
  assert.equal(j.growth.find((g: { type: string }) => g.type === 'Leaky').countDelta, 305);
  const leaky = j.leaks.byPath.find((g: { type: string }) => g.type === 'Leaky');
  assert.equal(leaky.count, 300);
  assert.deepEqual(leaky.retainerPath.slice(0, 2), ['global', 'leakyMap → Map']);
  assert.match(leaky.allocationSite, /build-heap\.mjs:\d+$/);
  assert.match(await mem('diff', snap('s1'), snap('s2'), snap('s3')), /Leaky × 300/);
  assert.equal(JSON.parse(await mem('diff', snap('s1'), snap('s2'), '--json')).leaks, null);
});

test('mem path: the chain from a GC root, by type or @id, and the back-references as SVG', async () => {
  const svg = join(dir, 'holder.svg');
  const j = JSON.parse(await mem('path', snap('heap'), 'Holder', '--json', '--svg', svg));
  assert.deepEqual(j.target.retainerPath, ['global', 'bigHolder → Holder']);
  assert.ok(j.target.retainedSize >= 1024 * 1024);
  assert.deepEqual(j.steps.map((s: { edge: string }) => s.edge).slice(-1), ['bigHolder']);
  const picture = readFileSync(svg, 'utf8');
  assert.match(picture, /<svg/);
  assert.match(picture, />bigHolder</);
  const byId = JSON.parse(await mem('path', snap('heap'), `@${j.target.id}`, '--json'));
  assert.equal(byId.target.type, 'Holder');
  assert.match(await mem('path', snap('heap'), 'Leaky'), /--leakyMap \(property\)--> Map/);
});

test('bad arguments and input are AtelierErrors naming the problem', async () => {
  const empty = join(dir, 'empty.heapsnapshot');
  writeFileSync(empty, '');
  await assert.rejects(mem('diff', empty, snap('heap')), invalid(/empty file/));
  await assert.rejects(mem('path', snap('heap'), 'NoSuchType'), invalid(/no object of type "NoSuchType"/));
  await assert.rejects(mem('path', snap('heap'), '@1234567890'), invalid(/no object with id @1234567890/));
  await assert.rejects(mem('top', snap('heap'), '--limit', '0'), invalid(/--limit must be an integer from 1/));
  await assert.rejects(mem('top', snap('heap'), '--sort', 'size'), invalid(/--sort must be one of count, self, retained/));
  await assert.rejects(mem('snapshot', '--pid', '4000000'), invalid(/no process with pid 4000000/));
});

test('the atelier binary prints one line on stderr and exits non-zero on a truncated snapshot', () => {
  const cut = join(dir, 'cut.heapsnapshot');
  writeFileSync(cut, readFileSync(snap('heap')).subarray(0, 5000));
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'mem', 'top', cut], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^atelier: .*cut\.heapsnapshot: truncated at byte 5000 \(inside nodes\)\n$/);
});
