import { HeapSnapshot } from './graph.js';
import { AtelierError } from '../../errors.js';
import { groupRetainedSizes } from './dominators.js';
import { NO_EDGE } from './distances.js';
import { formatRetainerPath, retainerTree, shortestRetainerPath } from './retainer-paths.js';
import { classIndex, typeStatistics, type TypeStats } from './type-statistics.js';
import { formatSite } from './allocation-traces.js';
import { collectGarbage } from '../collect-garbage.js';

/** Growth of one class between two snapshots. */
export interface TypeGrowth {
  type: string;
  countBefore: number;
  countAfter: number;
  countDelta: number;
  sizeBefore: number;
  sizeAfter: number;
  /** Self-size growth in bytes. */
  sizeDelta: number;
}

/** Classes whose count or self size changed, most grown first (by count, then bytes). */
export function diffTypeStats(before: TypeStats[], after: TypeStats[]): TypeGrowth[] {
  const map = new Map<string, TypeGrowth>();
  const row = (type: string) => {
    let r = map.get(type);
    if (!r) {
      r = { type, countBefore: 0, countAfter: 0, countDelta: 0, sizeBefore: 0, sizeAfter: 0, sizeDelta: 0 };
      map.set(type, r);
    }
    return r;
  };
  for (const s of before) Object.assign(row(s.type), { countBefore: s.count, sizeBefore: s.selfSize });
  for (const s of after) Object.assign(row(s.type), { countAfter: s.count, sizeAfter: s.selfSize });
  const out: TypeGrowth[] = [];
  for (const r of map.values()) {
    r.countDelta = r.countAfter - r.countBefore;
    r.sizeDelta = r.sizeAfter - r.sizeBefore;
    if (r.countDelta !== 0 || r.sizeDelta !== 0) out.push(r);
  }
  return out.sort((a, b) => b.countDelta - a.countDelta || b.sizeDelta - a.sizeDelta || a.type.localeCompare(b.type));
}

/** True when `id` is in the ascending array `ids`. */
export function hasId(ids: Uint32Array, id: number): boolean {
  let lo = 0, hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = ids[mid];
    if (v === id) return true;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Objects allocated between s1 and s2 and still alive in s3, for one class. */
export interface LeakedType {
  type: string;
  count: number;
  selfSize: number;
  retainedSize: number;
}

/** Leaked objects of one class that share a retainer path (array indexes ignored). */
export interface LeakGroup extends LeakedType {
  /** The shortest retainer path of the group's largest object: GC root, then `edge → Type` hops. */
  retainerPath: string[];
  /** `file:line` of the allocating function, when the snapshots had allocation tracking on. */
  allocationSite: string | null;
  /** Heap ids of a few members, largest retained size first (for `mem path <snap> @id`). */
  sampleIds: number[];
}

export interface LeakedObjects {
  /** Objects of s3 whose ids are new in s2 (absent from s1), after filtering. */
  leakedCount: number;
  leakedSelfSize: number;
  byType: LeakedType[];
  byPath: LeakGroup[];
}

export interface LeakOptions {
  /** Keep V8 internals (hidden, code, internal arrays, object shapes). Default false, as they rarely help. */
  includeInternal?: boolean;
  /** How many path groups to describe (default 50). */
  maxGroups?: number;
}

/**
 * memlab's three-snapshot method: objects whose ids are new in s2 (not in s1) and still present in s3 are leak
 * candidates. They are grouped by class and by the shape of their shortest retainer path in s3.
 * `s1Ids` and `s2Ids` are ascending id arrays (HeapSnapshot.sortedIds()).
 */
export function findLeakedObjects(s1Ids: Uint32Array, s2Ids: Uint32Array, s3: HeapSnapshot, options: LeakOptions = {}): LeakedObjects {
  const g = s3;
  const n = g.nodeCount;
  g.dominators();
  collectGarbage(); // the retainer index built for the dominators is garbage now
  const { classOf, names } = classIndex(g);
  const T = g.T;
  const internal = new Uint8Array(g.meta.nodeTypes.length);
  if (!options.includeInternal) for (const t of [T.hidden, T.code, T.array, T.objectShape, T.synthetic]) if (t >= 0) internal[t] = 1;
  const leaked = new Uint8Array(n);
  let leakedCount = 0, leakedSelfSize = 0;
  const typeCount = new Float64Array(names.length);
  const typeSelf = new Float64Array(names.length);
  const typeGroup = new Int32Array(n).fill(-1);
  for (let i = 1; i < n; i++) {
    if (classOf[i] < 0 || internal[g.nodeType[i]]) continue;
    const id = g.nodeId[i];
    if (!hasId(s2Ids, id) || hasId(s1Ids, id)) continue;
    leaked[i] = 1;
    leakedCount++;
    leakedSelfSize += g.selfSize[i];
    typeCount[classOf[i]]++;
    typeSelf[classOf[i]] += g.selfSize[i];
    typeGroup[i] = classOf[i];
  }
  const typeRetained = groupRetainedSizes(g, typeGroup, names.length);
  const byType: LeakedType[] = [];
  for (let c = 0; c < names.length; c++) {
    if (typeCount[c] > 0) byType.push({ type: names[c], count: typeCount[c], selfSize: typeSelf[c], retainedSize: typeRetained[c] });
  }
  byType.sort((a, b) => b.retainedSize - a.retainedSize || b.count - a.count);

  // Path signatures: sig(node) = intern(sig(parent), edge key, class). Element indexes are folded so that
  // the 1000 entries of one array share a signature.
  const tree = retainerTree(g);
  const sig = new Int32Array(n).fill(-1);
  const sigIds = new Map<string, number>();
  const chain: number[] = [];
  const signature = (node: number): number => {
    chain.length = 0;
    let cur = node;
    while (cur !== 0 && sig[cur] < 0 && tree[cur] !== NO_EDGE) {
      chain.push(cur);
      cur = g.edgeSource(tree[cur]);
    }
    if (cur !== 0 && sig[cur] < 0) {
      // Not strongly reachable: every such node shares one group.
      for (const c of chain) sig[c] = 0;
      sig[cur] = 0;
      return 0;
    }
    let parentSig = cur === 0 ? 1 : sig[cur];
    for (let k = chain.length - 1; k >= 0; k--) {
      const c = chain[k];
      const e = tree[c];
      const t = g.edgeType[e];
      const edgeKey = g.isIndexEdge(e) ? '[]' : `${t}:${g.edgeNameOrIndex[e]}`;
      const key = `${parentSig}|${edgeKey}|${classOf[c]}`;
      let s = sigIds.get(key);
      if (s === undefined) {
        s = sigIds.size + 2;
        sigIds.set(key, s);
      }
      sig[c] = s;
      parentSig = s;
    }
    return sig[node];
  };
  const groupIndex = new Map<number, number>();
  const groupOf = typeGroup.fill(-1); // the per-type groups are summed already: reuse the array
  const members: number[][] = [];
  for (let i = 1; i < n; i++) {
    if (!leaked[i]) continue;
    const s = signature(i);
    let k = groupIndex.get(s);
    if (k === undefined) {
      k = members.length;
      groupIndex.set(s, k);
      members.push([]);
    }
    members[k].push(i);
    groupOf[i] = k;
  }
  const groupRetained = groupRetainedSizes(g, groupOf, members.length);
  const order = members.map((_, k) => k).sort((a, b) => groupRetained[b] - groupRetained[a] || members[b].length - members[a].length);
  const { retained } = g.dominators();
  const traces = g.traces();
  const byPath: LeakGroup[] = [];
  for (const k of order.slice(0, options.maxGroups ?? 50)) {
    const list = members[k];
    const sorted = [...list].sort((a, b) => retained[b] - retained[a]).slice(0, 5);
    const rep = sorted[0];
    const steps = shortestRetainerPath(g, rep);
    let selfSize = 0;
    for (const i of list) selfSize += g.selfSize[i];
    let site: string | null = null;
    if (traces.available) {
      for (const i of list) {
        const f = traces.allocationSite(g.traceNodeId[i]);
        if (f) {
          site = formatSite(f);
          break;
        }
      }
    }
    byPath.push({
      type: names[classOf[rep]],
      count: list.length,
      selfSize,
      retainedSize: groupRetained[k],
      retainerPath: steps ? formatRetainerPath(g, steps) : ['(reachable only through weak references)'],
      allocationSite: site,
      sampleIds: sorted.map((i) => g.nodeId[i]),
    });
  }
  return { leakedCount, leakedSelfSize, byType, byPath };
}

/** What `mem diff` computes from two or three snapshot files. */
export interface SnapshotDiff {
  files: string[];
  /** Growth from the first snapshot to the last. */
  growth: TypeGrowth[];
  /** With three snapshots: objects new in s2 still alive in s3. */
  leaks: LeakedObjects | null;
}

/**
 * Diffs snapshot files while holding only one parsed graph at a time: the earlier snapshots are reduced to
 * their per-class totals and sorted id arrays before the next one is read.
 */
export function diffSnapshotFiles(files: string[], options: LeakOptions & { load?: (file: string, needEdges: boolean) => HeapSnapshot } = {}): SnapshotDiff {
  const load = options.load ?? ((f: string, needEdges: boolean) => HeapSnapshot.load(f, { skipEdges: !needEdges }));
  if (files.length < 2 || files.length > 3) throw new AtelierError('INVALID_ARGUMENT', `a diff takes two or three snapshots, got ${files.length}`);
  const stats: TypeStats[][] = [];
  const ids: Uint32Array[] = [];
  let last: HeapSnapshot | null = null;
  for (const [k, f] of files.entries()) {
    // Only a third snapshot's graph is analysed; the others give counts and ids, so their edges are skipped.
    const g = load(f, files.length === 3 && k === 2);
    stats.push(typeStatistics(g, { retained: false }));
    if (k < files.length - 1) {
      ids.push(g.sortedIds());
      collectGarbage(); // this snapshot is reduced to totals and ids: free its columns before reading the next
    } else {
      last = g;
    }
  }
  const growth = diffTypeStats(stats[0], stats[stats.length - 1]);
  const leaks = files.length === 3 ? findLeakedObjects(ids[0], ids[1], last!, options) : null;
  return { files, growth, leaks };
}
