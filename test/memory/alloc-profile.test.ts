import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  allocationSites, compareProfiles, readAllocationProfile, startAllocationSampling, stopAllocationSampling, takeAllocationProfile,
} from '../../src/memory/index.js';
import { runCli } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-alloc-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const thisFile = fileURLToPath(import.meta.url);
const fixture = fileURLToPath(new URL('../fixtures/memory/allocator.mjs', import.meta.url));
const fixtureLine = (text: string) => readFileSync(fixture, 'utf8').split('\n').findIndex((l) => l.includes(text)) + 1;

const kept: unknown[] = [];
function retainManyRecords(n: number): void {
  for (let i = 0; i < n; i++) kept.push({ i, text: 'record-' + i, list: [i, i] });
}
function allocateAndDrop(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += [i, i + 1, i + 2].length;
  return s;
}

test('in-process sampling: the function that keeps memory is on top, garbage is not counted, diff shows growth', async () => {
  await startAllocationSampling({ samplingInterval: 4096 });
  try {
    const before = await takeAllocationProfile();
    retainManyRecords(40_000);
    allocateAndDrop(200_000);
    const after = await takeAllocationProfile();
    const sites = allocationSites(after);
    const top = sites[0];
    assert.equal(top.functionName, 'retainManyRecords');
    assert.equal(top.file, thisFile);
    assert.ok(top.selfBytes > 1_000_000, `about 40k records live: ${top.selfBytes}`);
    assert.ok(top.totalBytes >= top.selfBytes);
    const dropped = sites.find((s) => s.functionName === 'allocateAndDrop');
    assert.ok(!dropped || dropped.selfBytes < top.selfBytes / 10, 'collected garbage is not live');
    const diff = compareProfiles(before, after);
    assert.equal(diff[0].functionName, 'retainManyRecords');
    assert.ok(diff[0].diff > 1_000_000 && diff[0].before < diff[0].after);
    const byFile = allocationSites(after, { by: 'file' });
    assert.ok(byFile.some((s) => s.file === thisFile && s.line === 0));
  } finally {
    await stopAllocationSampling();
  }
  await assert.rejects(takeAllocationProfile(), /not running/);
});

test('atelier mem alloc runs a script and shows its allocating function on top; -o saves, alloc-diff compares', async () => {
  const big = join(dir, 'big.heapprofile'), small = join(dir, 'small.heapprofile');
  const r = await runCli(['mem', 'alloc', '--json', '-o', big, '--', process.execPath, fixture, '60000']);
  assert.equal(r.code, 0, r.stderr);
  const sites = JSON.parse(r.stdout);
  assert.equal(sites[0].functionName, 'allocateRows');
  assert.equal(sites[0].file, fixture);
  assert.equal(sites[0].line, fixtureLine('function allocateRows'));
  const table = await runCli(['mem', 'alloc', '-o', small, '--top', '3', '--', process.execPath, fixture, '5000', '4']);
  assert.equal(table.code, 4, 'the exit code is the command\'s');
  assert.match(table.stdout, /allocateRows\s+.*allocator\.mjs:3/);
  const show = await runCli(['mem', 'alloc-show', big, '--top', '2']);
  assert.match(show.stdout, /allocateRows/);
  const diff = await runCli(['mem', 'alloc-diff', small, big, '--json']);
  const rows = JSON.parse(diff.stdout);
  assert.equal(rows[0].functionName, 'allocateRows');
  assert.ok(rows[0].diff > 0);
});

test('bad profiles and bad options are one-line errors', async () => {
  const truncated = join(dir, 'truncated.heapprofile');
  writeFileSync(truncated, '{"head":{"callFrame":{"functionName":"(root)"');
  assert.throws(() => readAllocationProfile(truncated), /not valid JSON/);
  const wrong = join(dir, 'wrong.heapprofile');
  writeFileSync(wrong, '{"nodes": []}');
  assert.throws(() => readAllocationProfile(wrong), /no "head" call tree/);
  const r = await runCli(['mem', 'alloc-show', truncated]);
  assert.notEqual(r.code, 0);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  const missing = await runCli(['mem', 'alloc-diff', join(dir, 'nope.heapprofile'), truncated]);
  assert.match(missing.stderr, /no such profile/);
  const by = await runCli(['mem', 'alloc-show', '--by', 'colour', truncated]);
  assert.match(by.stderr, /--by must be function or file/);
  const notNode = await runCli(['mem', 'alloc', '--', 'true']);
  assert.notEqual(notNode.code, 0);
  assert.match(notNode.stderr, /no Node process reported a profile/);
});
