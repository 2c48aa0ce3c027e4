import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  HeapSnapshot, describeNode, diffSnapshotFiles, nodesOfType, shortestRetainerPath, typeStatistics,
} from '../../../src/memory/snapshot/index.js';

const program = fileURLToPath(new URL('../../fixtures/heap/build-heap.mjs', import.meta.url));
const source = readFileSync(program, 'utf8').split('\n');
/** 1-based line of the first line containing `text` in the fixture program. */
const lineOf = (text: string) => source.findIndex((l) => l.includes(text)) + 1;

const dir = mkdtempSync(join(tmpdir(), 'atelier-heap-'));
execFileSync(process.execPath, [program, dir, 'one']);
execFileSync(process.execPath, ['--track-heap-objects', program, dir, 'three']);
test.after(() => rmSync(dir, { recursive: true, force: true }));

const one = HeapSnapshot.load(join(dir, 'heap.heapsnapshot'));
const MiB = 1024 * 1024;

test('counts and names objects as DevTools does', () => {
  const rows = new Map(typeStatistics(one).map((r) => [r.type, r]));
  assert.equal(rows.get('Leaky')?.count, 1000);
  assert.equal(rows.get('TreeNode')?.count, 15);
  assert.equal(rows.get('Holder')?.count, 1);
  assert.equal(rows.get('WeakValue')?.count, 1);
  assert.equal(rows.get('Transient'), undefined, 'garbage is collected before a snapshot');
  const leaky = nodesOfType(one, 'Leaky');
  assert.equal(rows.get('Leaky')!.selfSize, leaky.reduce((s, i) => s + one.selfSize[i], 0));
  const onEvent = [];
  for (let i = 0; i < one.nodeCount; i++) if (one.className(i) === '(closure)' && one.name(i) === 'onEvent') onEvent.push(i);
  assert.equal(onEvent.length, 50);
  // V8 writes an astral character as one \\u escape of its low 16 bits (U+1F600 → \\uF600): decode what is there.
  let found = false;
  for (let i = 0; i < one.nodeCount; i++) if (one.isString(i) && one.name(i) === 'caf\u00e9 \uF600 "quoted"\n') found = true;
  assert.ok(found, 'a string with non-ASCII, quotes and a newline decodes exactly');
});

test('retained sizes: an object holding a 1 MiB array retains at least 1 MiB', () => {
  const [holder] = nodesOfType(one, 'Holder');
  assert.ok(one.selfSize[holder] < 1024);
  assert.ok(one.retainedSize(holder) >= MiB, `Holder retains ${one.retainedSize(holder)}`);
  assert.ok(one.retainedSize(holder) < 1.1 * MiB);
  const trees = nodesOfType(one, 'TreeNode');
  const perNode = one.selfSize[trees[0]];
  assert.ok(one.retainedSize(trees[0]) >= 15 * perNode, 'the tree root retains every node of its parent/child cycles');
  const treeRow = typeStatistics(one).find((r) => r.type === 'TreeNode')!;
  assert.equal(treeRow.retainedSize, one.retainedSize(trees[0]), 'a class total does not count nested members twice');
  assert.ok(one.retainedSize(0) >= one.byteLength / 10 && one.retainedSize(0) >= MiB);
});

test('retainer paths run from a GC root with edge names, never through weak or WeakMap-key edges', () => {
  const leaky = describeNode(one, nodesOfType(one, 'Leaky')[0]);
  assert.deepEqual(leaky.retainerPath!.slice(0, 2), ['global', 'leakyMap → Map']);
  assert.match(leaky.retainerPath![leaky.retainerPath!.length - 1], /^\d+ → Leaky$/);
  assert.equal(leaky.distance, leaky.retainerSteps!.length);
  const holder = describeNode(one, nodesOfType(one, 'Holder')[0]);
  assert.deepEqual(holder.retainerPath, ['global', 'bigHolder → Holder']);
  const [weakValue] = nodesOfType(one, 'WeakValue');
  const steps = shortestRetainerPath(one, weakValue)!;
  assert.ok(steps.length > 0);
  assert.ok(steps.every((s) => !s.edge.includes('part of key') && s.edgeType !== 'weak'), JSON.stringify(steps.map((s) => s.edge)));
  // An object's definition site is its constructor's; without allocation tracking the file comes from the graph.
  assert.equal(describeNode(one, nodesOfType(one, 'Leaky')[0]).definedAt, `${program}:${lineOf('class Leaky') + 1}`);
  assert.equal(describeNode(one, nodesOfType(one, 'Leaky')[0]).allocationSite, null, 'no allocation tracking in this snapshot');
});

test('allocation tracking gives the allocating function as file:line', () => {
  const s3 = HeapSnapshot.load(join(dir, 's3.heapsnapshot'));
  assert.ok(s3.traces().available);
  const leaky = describeNode(s3, nodesOfType(s3, 'Leaky')[0]);
  assert.equal(leaky.allocationSite, `${program}:${lineOf('function fillLeaks')}`);
  assert.match(leaky.allocationStack[0], /^fillLeaks \(/);
  let closure = -1;
  for (let i = 0; i < s3.nodeCount && closure < 0; i++) if (s3.className(i) === '(closure)' && s3.name(i) === 'onEvent') closure = i;
  const report = describeNode(s3, closure);
  assert.equal(report.allocationSite, `${program}:${lineOf('function registerHandlers')}`);
  assert.equal(report.definedAt, `${program}:${lineOf('registry.push(function onEvent')}`);
  assert.deepEqual(report.retainerPath!.slice(0, 2), ['global', 'handlers → Array']);
});

test('three-snapshot diff: what was allocated between s1 and s2 and survives in s3, by type and path', () => {
  const files = ['s1', 's2', 's3'].map((s) => join(dir, `${s}.heapsnapshot`));
  const d = diffSnapshotFiles(files);
  const growth = new Map(d.growth.map((r) => [r.type, r]));
  assert.equal(growth.get('Leaky')?.countDelta, 305);
  assert.equal(growth.get('Transient'), undefined);
  const leaks = d.leaks!;
  const byType = new Map(leaks.byType.map((r) => [r.type, r]));
  assert.equal(byType.get('Leaky')?.count, 300, 'the 5 objects added after s2 are not in the window');
  assert.equal(byType.has('Transient'), false, 'transient objects of s2 died before s3');
  const leakyGroup = leaks.byPath.find((g) => g.type === 'Leaky')!;
  assert.equal(leakyGroup.count, 300, 'all entries of one Map share one path group');
  assert.deepEqual(leakyGroup.retainerPath.slice(0, 2), ['global', 'leakyMap → Map']);
  assert.equal(leakyGroup.allocationSite, `${program}:${lineOf('function fillLeaks')}`);
  assert.equal(leakyGroup.sampleIds.length, 5);
  const closures = leaks.byPath.find((g) => g.type === '(closure)' && g.retainerPath[1] === 'handlers → Array');
  assert.equal(closures?.count, 20);
  // Two-file diffs give growth only.
  assert.equal(diffSnapshotFiles(files.slice(0, 2)).leaks, null);
});
