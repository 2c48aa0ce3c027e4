import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HeapSnapshot, NO_DISTANCE, shortestRetainerPath, typeStatistics } from '../../../src/memory/snapshot/index.js';
import { syntheticSnapshot, type SynEdge, type SynNode } from './synthetic-snapshot.js';

/** A seeded PRNG so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Nodes reachable from the root through retaining edges, never entering `removed`. */
function reachable(n: number, edges: SynEdge[], removed: number): Set<number> {
  const seen = new Set<number>([0]);
  const todo = [0];
  while (todo.length) {
    const v = todo.pop()!;
    for (const e of edges) {
      if (e.from !== v || e.to === removed || seen.has(e.to)) continue;
      if (e.type === 'weak' || (e.type === 'shortcut' && e.from !== 0)) continue;
      seen.add(e.to);
      todo.push(e.to);
    }
  }
  return seen;
}

/** Retained size by definition: what becomes unreachable from the root when the node is removed. */
function bruteRetained(nodes: SynNode[], edges: SynEdge[], d: number): number {
  if (d === 0) return nodes.reduce((s, n) => s + (n.size ?? 0), 0);
  const all = reachable(nodes.length, edges, -1);
  const without = reachable(nodes.length, edges, d);
  let sum = nodes[d].size ?? 0;
  for (const v of all) if (v !== d && !without.has(v)) sum += nodes[v].size ?? 0;
  return sum;
}

test('retained sizes equal the brute-force definition on random graphs', () => {
  const types = ['property', 'element', 'internal', 'context', 'hidden', 'weak', 'shortcut'];
  for (let seed = 1; seed <= 60; seed++) {
    const rand = rng(seed);
    const n = 2 + Math.floor(rand() * 40);
    const nodes: SynNode[] = [{ type: 'synthetic' }];
    for (let i = 1; i < n; i++) nodes.push({ type: 'object', name: `C${i % 3}`, size: 1 + Math.floor(rand() * 100) });
    const edges: SynEdge[] = [];
    // A spanning tree keeps everything strongly reachable; extra edges of every type make it interesting.
    for (let i = 1; i < n; i++) edges.push({ from: Math.floor(rand() * i), to: i, type: 'property', name: `p${i}` });
    const extra = Math.floor(rand() * n * 2);
    for (let k = 0; k < extra; k++) {
      const type = types[Math.floor(rand() * types.length)];
      edges.push({ from: Math.floor(rand() * n), to: 1 + Math.floor(rand() * (n - 1)), type, name: type === 'element' || type === 'hidden' ? k : `x${k}` });
    }
    const g = HeapSnapshot.load(Buffer.from(syntheticSnapshot(nodes, edges)));
    for (let i = 0; i < n; i++) assert.equal(g.retainedSize(i), bruteRetained(nodes, edges, i), `seed ${seed}, node ${i}`);
    // Dominator of i: the nearest node whose removal cuts i off (by definition).
    const { idom } = g.dominators();
    for (let i = 1; i < n; i++) {
      const d = idom[i];
      assert.ok(d === 0 || !reachable(n, edges, d).has(i), `seed ${seed}: idom ${d} of ${i} does not dominate it`);
    }
  }
});

test('weak edges do not retain; weak-only and orphan nodes hang under the root', () => {
  const nodes: SynNode[] = [
    { type: 'synthetic' },
    { type: 'object', name: 'Holder', size: 10 },
    { type: 'object', name: 'Child', size: 100 },
    { type: 'object', name: 'WeakOnly', size: 1000 },
    { type: 'object', name: 'UnderWeak', size: 7 },
    { type: 'object', name: 'Orphan', size: 5 },
  ];
  const edges: SynEdge[] = [
    { from: 0, to: 1, type: 'element', name: 1 },
    { from: 1, to: 2, name: 'child' },
    { from: 1, to: 3, type: 'weak', name: 'cache' },
    { from: 3, to: 4, name: 'inner' },
  ];
  const g = HeapSnapshot.load(Buffer.from(syntheticSnapshot(nodes, edges)));
  const { idom } = g.dominators();
  assert.equal(g.retainedSize(1), 10 + 100, 'Holder retains Child but not what it points to weakly');
  assert.equal(idom[3], 0);
  assert.equal(idom[4], 3, 'what the weak-only object holds is dominated by it');
  assert.equal(g.retainedSize(3), 1007);
  assert.equal(idom[5], 0);
  assert.equal(g.retainedSize(0), 10 + 100 + 1000 + 7 + 5);
  const dist = g.distances();
  assert.deepEqual(Array.from(dist), [0, 1, 2, NO_DISTANCE, NO_DISTANCE, NO_DISTANCE]);
  assert.equal(shortestRetainerPath(g, 3), null);
  assert.deepEqual(shortestRetainerPath(g, 2)!.map((s) => s.edge), ['[1]', 'child']);
});

test('shortcut edges count only from the root; class retained sizes do not double count', () => {
  const nodes: SynNode[] = [
    { type: 'synthetic' },
    { type: 'object', name: 'global', size: 1 },
    { type: 'object', name: 'List', size: 10 },
    { type: 'object', name: 'List', size: 20 },
    { type: 'object', name: 'Item', size: 300 },
  ];
  const edges: SynEdge[] = [
    { from: 0, to: 1, type: 'shortcut', name: 'global' },
    { from: 1, to: 2, name: 'list' },
    { from: 2, to: 3, name: 'next' },
    { from: 3, to: 4, name: 'item' },
    { from: 1, to: 4, type: 'shortcut', name: 'shortcutToItem' },
  ];
  const g = HeapSnapshot.load(Buffer.from(syntheticSnapshot(nodes, edges)));
  assert.equal(g.retainedSize(3), 320, 'a shortcut edge from a non-root node does not retain');
  assert.equal(g.retainedSize(1), 331);
  const rows = new Map(typeStatistics(g).map((r) => [r.type, r]));
  assert.deepEqual(rows.get('List'), { type: 'List', count: 2, selfSize: 30, retainedSize: 330 });
  assert.deepEqual(rows.get('Item'), { type: 'Item', count: 1, selfSize: 300, retainedSize: 300 });
  assert.equal(rows.has('(synthetic)'), false, 'the synthetic root is no class');
});
