import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeapSnapshot, parseSnapshot } from '../../../src/memory/snapshot/index.js';
import { AtelierError } from '../../../src/errors.js';
import { syntheticSnapshot } from './synthetic-snapshot.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-parser-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function badSnapshot(re: RegExp) {
  return (e: unknown) => e instanceof AtelierError && e.code === 'BAD_SNAPSHOT' && re.test(e.message);
}

const tricky = ['caf\u00e9', '\u{1F600} smile', 'quote " backslash \\ slash /', 'line\nbreak\ttab\r\b\f', '\u0001ctl', 'plain'];
const small = () =>
  syntheticSnapshot(
    [
      { type: 'synthetic', name: '' },
      { type: 'object', name: tricky[0], size: 10 },
      { type: 'string', name: tricky[1], size: 20 },
      { type: 'closure', name: tricky[2], size: 30 },
      { type: 'object', name: tricky[3], size: 40 },
      { type: 'object', name: tricky[4], size: 50 },
    ],
    [
      { from: 0, to: 1, type: 'element', name: 1 },
      { from: 1, to: 2, name: 'text' },
      { from: 1, to: 3, name: 'fn' },
      { from: 3, to: 4, type: 'context', name: 'ctx' },
      { from: 4, to: 5, type: 'element', name: 7 },
    ],
  );

test('parses nodes, edges and strings, decoding escapes and surrogate pairs, across any chunk size', () => {
  const text = small();
  // JSON.stringify writes non-ASCII as is; V8 writes \uXXXX escapes: cover both spellings.
  const escaped = text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  for (const variant of [text, escaped]) {
    const p = file('small.heapsnapshot', variant);
    for (const chunkSize of [1, 2, 3, 7, 64, 1 << 20]) {
      const g = HeapSnapshot.load(p, { chunkSize });
      assert.equal(g.nodeCount, 6);
      assert.equal(g.edgeCount, 5);
      assert.deepEqual([1, 2, 3, 4, 5].map((i) => g.name(i)), tricky.slice(0, 5));
      assert.deepEqual(Array.from(g.selfSize), [0, 10, 20, 30, 40, 50]);
      assert.deepEqual(Array.from(g.firstEdge), [0, 1, 3, 3, 4, 5, 5]);
      assert.deepEqual(Array.from(g.edgeTo), [1, 2, 3, 4, 5]);
      assert.equal(g.edgeName(1), 'text');
      assert.equal(g.edgeName(0), '[1]');
      assert.equal(g.edgeTypeName(3), 'context');
      assert.equal(g.className(1), tricky[0]);
      assert.equal(g.className(2), '(string)');
      assert.equal(g.className(3), '(closure)');
    }
  }
});

test('reads the field order from meta: no trace_node_id, shuffled fields', () => {
  const nodes = [{ type: 'synthetic' }, { type: 'object', name: 'A', size: 5, id: 77 }, { type: 'array', name: 'B', size: 6, id: 79 }];
  const edges = [{ from: 0, to: 1 }, { from: 1, to: 2, type: 'internal', name: 'elements' }];
  for (const nodeFields of [
    ['type', 'name', 'id', 'self_size', 'edge_count', 'detachedness'],
    ['edge_count', 'self_size', 'id', 'name', 'type'],
  ]) {
    const g = HeapSnapshot.load(Buffer.from(syntheticSnapshot(nodes, edges, { nodeFields })));
    assert.deepEqual(Array.from(g.nodeId), [1, 77, 79]);
    assert.deepEqual(Array.from(g.selfSize), [0, 5, 6]);
    assert.equal(g.className(1), 'A');
    assert.equal(g.className(2), '(array)');
    assert.equal(g.edgeTo[1], 2);
    assert.equal(g.traceNodeId[1], 0);
  }
});

test('self sizes beyond 32 bits survive', () => {
  const huge = 2 ** 33 + 5;
  const g = HeapSnapshot.load(Buffer.from(syntheticSnapshot([{ type: 'synthetic' }, { type: 'native', name: 'big', size: huge }], [{ from: 0, to: 1 }])));
  assert.equal(g.selfSize[1], huge);
  assert.equal(g.retainedSize(0), huge);
});

test('a truncated file names the byte where it ends, at every cut', () => {
  const text = Buffer.from(small());
  for (const cut of [1, 10, 200, text.indexOf('"nodes"') + 12, text.indexOf('"edges"') + 15, text.indexOf('"strings"') + 14, text.length - 1]) {
    const p = file('cut.heapsnapshot', text.subarray(0, cut));
    assert.throws(() => parseSnapshot(p, { chunkSize: 16 }), badSnapshot(new RegExp(`cut\\.heapsnapshot: truncated at byte ${cut}\\b`)), `cut at ${cut}`);
  }
});

test('empty, garbage and non-snapshot JSON are refused with a clear message', () => {
  assert.throws(() => parseSnapshot(file('empty.heapsnapshot', '')), badSnapshot(/empty file/));
  assert.throws(() => parseSnapshot(file('ws.heapsnapshot', '  \n ')), badSnapshot(/empty file/));
  assert.throws(() => parseSnapshot(file('png.heapsnapshot', Buffer.from([0x89, 0x50, 0x4e, 0x47]))), badSnapshot(/expected '\{' .* at byte 0, found byte 0x89/));
  assert.throws(() => parseSnapshot(file('arr.heapsnapshot', '[1,2]')), badSnapshot(/expected '\{'/));
  assert.throws(() => parseSnapshot(file('obj.heapsnapshot', '{"a":1}')), badSnapshot(/no "snapshot" header/));
  assert.throws(() => parseSnapshot(file('trail.heapsnapshot', small() + 'xx')), badSnapshot(/expected end of file/));
  const s = small();
  const garbledNumber = s.replace('"nodes":[9', '"nodes":[9x');
  assert.throws(() => parseSnapshot(file('g1.heapsnapshot', garbledNumber)), badSnapshot(/expected ',' or '\]' in nodes at byte \d+, found 'x'/));
  const negative = s.replace('"edges":[', '"edges":[-');
  assert.throws(() => parseSnapshot(file('g2.heapsnapshot', negative)), badSnapshot(/expected a non-negative integer in edges/));
  assert.throws(() => parseSnapshot(file('g3.heapsnapshot', s.replace('"text"', '"te\\qxt"'))), badSnapshot(/expected a JSON escape/));
  assert.throws(() => parseSnapshot(file('missing.heapsnapshot', s.replace(/,\n"edges":\[[^\]]*\]/, ''))), badSnapshot(/no "edges" array/));
  assert.throws(() => parseSnapshot(join(dir, 'does-not-exist.heapsnapshot')), (e: unknown) => e instanceof AtelierError && e.code === 'NOT_FOUND');
  assert.throws(() => parseSnapshot(dir), badSnapshot(/cannot read at byte 0 \(EISDIR\)/));
});

test('counts that disagree with the arrays are refused', () => {
  const nodes = [{ type: 'synthetic' }, { type: 'object', name: 'A' }, { type: 'object', name: 'B' }];
  const edges = [{ from: 0, to: 1 }, { from: 1, to: 2 }];
  assert.throws(() => parseSnapshot(Buffer.from(syntheticSnapshot(nodes, edges, { nodeCountOverride: 4 }))), badSnapshot(/nodes has 21 values, expected 28 \(node_count 4 × 7 fields\)/));
  assert.throws(() => parseSnapshot(Buffer.from(syntheticSnapshot(nodes, edges, { nodeCountOverride: 2 }))), badSnapshot(/nodes has 21 values, expected 14/));
  assert.throws(() => parseSnapshot(Buffer.from(syntheticSnapshot(nodes, edges, { edgeCountOverride: 3 }))), badSnapshot(/edges has 6 values, expected 9/));
  const text = syntheticSnapshot(nodes, edges);
  // An edge pointing past the last node.
  const broken = text.replace(/"edges":\[(\d+),(\d+),(\d+)/, (_m, a, b) => `"edges":[${a},${b},700`);
  assert.throws(() => parseSnapshot(Buffer.from(broken)), badSnapshot(/edge 0 points to node offset 700/));
  // A node type that does not fit its byte column is refused, not wrapped around.
  const wide = text.replace('"nodes":[9,', '"nodes":[265,');
  assert.throws(() => parseSnapshot(Buffer.from(wide)), badSnapshot(/nodes: value 265 of field 0 of record 0 is out of range/));
});

test('skipEdges keeps counts and ids but no graph', () => {
  const text = syntheticSnapshot([{ type: 'synthetic' }, { type: 'object', name: 'A', id: 9 }, { type: 'object', name: 'B', id: 5 }], [{ from: 0, to: 1 }, { from: 1, to: 2 }]);
  const g = HeapSnapshot.load(Buffer.from(text), { skipEdges: true });
  assert.equal(g.edgesLoaded, false);
  assert.deepEqual(Array.from(g.sortedIds()), [1, 5, 9]);
  assert.throws(() => g.dominators(), /need the snapshot's edges/);
  assert.throws(() => parseSnapshot(Buffer.from(text.replace('"edges":[', '"edges":[x')), { skipEdges: true }), badSnapshot(/in edges/));
});
