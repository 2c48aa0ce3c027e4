import type { HeapSnapshot } from './graph.js';
import { groupRetainedSizes } from './dominators.js';

/** One row of `mem top`: a class ("constructor or type as in the heap") and its totals. */
export interface TypeStats {
  type: string;
  count: number;
  selfSize: number;
  /** Sum of retained sizes of the class's objects not dominated by another object of the class. */
  retainedSize: number;
}

export interface ClassIndex {
  /** Per node: index into `names`, or -1 for synthetic nodes (roots), which belong to no class. */
  classOf: Int32Array;
  names: string[];
}

const classIndexes = new WeakMap<HeapSnapshot, ClassIndex>();

/** Numbers every class of the snapshot once, so per-class sums are array operations. */
export function classIndex(g: HeapSnapshot): ClassIndex {
  const cached = classIndexes.get(g);
  if (cached) return cached;
  const n = g.nodeCount;
  const classOf = new Int32Array(n);
  const names: string[] = [];
  const byName = new Map<string, number>();
  // Class names depend on (type, name) for objects and on type alone otherwise: cache both ways.
  const byObjectName = new Map<number, number>();
  const byType = new Int32Array(g.meta.nodeTypes.length).fill(-1);
  const intern = (s: string) => {
    let k = byName.get(s);
    if (k === undefined) {
      k = names.length;
      names.push(s);
      byName.set(s, k);
    }
    return k;
  };
  const { object, native, synthetic } = g.T;
  for (let i = 0; i < n; i++) {
    const t = g.nodeType[i];
    if (t === synthetic) {
      classOf[i] = -1;
    } else if (t === object || t === native) {
      const key = g.nodeName[i] * 2 + (t === native ? 1 : 0);
      let k = byObjectName.get(key);
      if (k === undefined) {
        k = intern(g.className(i));
        byObjectName.set(key, k);
      }
      classOf[i] = k;
    } else {
      if (byType[t] < 0) byType[t] = intern(g.className(i));
      classOf[i] = byType[t];
    }
  }
  const index = { classOf, names };
  classIndexes.set(g, index);
  return index;
}

/** Counts, self sizes and retained sizes per class (unsorted). Pass `retained: false` to skip dominators. */
export function typeStatistics(g: HeapSnapshot, options: { retained?: boolean } = {}): TypeStats[] {
  const { classOf, names } = classIndex(g);
  const count = new Float64Array(names.length);
  const self = new Float64Array(names.length);
  for (let i = 0; i < g.nodeCount; i++) {
    const c = classOf[i];
    if (c < 0) continue;
    count[c]++;
    self[c] += g.selfSize[i];
  }
  const retained = options.retained === false ? null : groupRetainedSizes(g, classOf, names.length);
  return names.map((type, c) => ({ type, count: count[c], selfSize: self[c], retainedSize: retained ? retained[c] : 0 }));
}

export type TypeSortKey = 'count' | 'self' | 'retained';

export function sortTypeStats(rows: TypeStats[], by: TypeSortKey): TypeStats[] {
  const key = by === 'count' ? 'count' : by === 'self' ? 'selfSize' : 'retainedSize';
  return [...rows].sort((a, b) => b[key] - a[key] || b.count - a.count || a.type.localeCompare(b.type));
}
