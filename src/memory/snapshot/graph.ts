import type { RawSnapshot, SnapshotMeta } from './parser.js';
import { AtelierError } from '../../errors.js';
import { parseSnapshot, type ParseOptions } from './parser.js';
import { computeDominators, type Dominators } from './dominators.js';
import { computeDistances, NO_DISTANCE } from './distances.js';
import { AllocationTraces } from './allocation-traces.js';

/** How a node is attached to a DOM-like tree (the `detachedness` field): 0 unknown, 1 attached, 2 detached. */
export type Detachedness = 0 | 1 | 2;

export { NO_DISTANCE };

export interface Retainers {
  firstRetainer: Uint32Array;
  retainerEdge: Uint32Array;
  retainerNode: Uint32Array;
}

/**
 * A parsed heap snapshot as a graph: nodes are ordinals 0..nodeCount-1 (node 0 is the synthetic root),
 * edges are ordinals 0..edgeCount-1 grouped by source node (`firstEdge[i]..firstEdge[i+1]`).
 * Columns are typed arrays; derived structures (retainers, dominators, distances) are built on first use.
 */
export class HeapSnapshot {
  readonly meta: SnapshotMeta;
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly strings: string[];
  /** Size of the file, in bytes (0 when parsed from memory). */
  readonly byteLength: number;

  readonly nodeType: Uint8Array;
  readonly nodeName: Uint32Array;
  readonly nodeId: Uint32Array;
  readonly selfSize: Float64Array;
  /** 0 where the snapshot has no trace_node_id field or the object has no allocation trace. */
  readonly traceNodeId: Uint32Array;
  readonly detachedness: Uint8Array;
  /** False when parsed with `skipEdges`: counts and ids work, graph algorithms refuse. */
  readonly edgesLoaded: boolean;
  /** Edges of node i are firstEdge[i] .. firstEdge[i+1]-1. */
  readonly firstEdge: Uint32Array;

  readonly edgeType: Uint8Array;
  /** String index for named edges, the index for element and hidden edges. */
  readonly edgeNameOrIndex: Uint32Array;
  /** Target node ordinal. */
  readonly edgeTo: Uint32Array;

  /** Node type codes (indexes into meta.nodeTypes); -1 when this V8 has no such type. */
  readonly T: Readonly<Record<'hidden' | 'array' | 'string' | 'object' | 'code' | 'closure' | 'regexp' | 'number' | 'native' | 'synthetic' | 'concatString' | 'slicedString' | 'symbol' | 'bigint' | 'objectShape', number>>;
  /** Edge type codes (indexes into meta.edgeTypes). */
  readonly E: Readonly<Record<'context' | 'element' | 'property' | 'internal' | 'hidden' | 'shortcut' | 'weak', number>>;

  private readonly rawTraceFunctionInfos: number[];
  private readonly rawTraceTree: unknown[];
  private readonly rawLocations: number[];

  private retainersCache: Retainers | null = null;
  private dominatorsCache: Dominators | null = null;
  private distancesCache: Uint32Array | null = null;
  private tracesCache: AllocationTraces | null = null;
  private sortedIdsCache: Uint32Array | null = null;
  private weakMapKeyNames: Uint8Array | null = null;
  /** Per string: 0 not yet known, 1 all digits, 2 otherwise. */
  private numericNames: Uint8Array | null = null;

  constructor(raw: RawSnapshot) {
    const m = raw.meta;
    this.meta = m;
    this.nodeCount = raw.nodeCount;
    this.edgeCount = raw.edgeCount;
    this.strings = raw.strings;
    this.byteLength = raw.byteLength;
    const n = raw.nodeCount;
    const nc = raw.nodeColumns;
    this.nodeType = nc.type as Uint8Array;
    this.nodeName = nc.name as Uint32Array;
    this.nodeId = nc.id as Uint32Array;
    this.selfSize = nc.self_size as Float64Array;
    this.traceNodeId = (nc.trace_node_id as Uint32Array | undefined) ?? new Uint32Array(n);
    this.detachedness = (nc.detachedness as Uint8Array | undefined) ?? new Uint8Array(n);
    this.firstEdge = new Uint32Array(n + 1);
    const edgeCounts = nc.edge_count;
    let edgeSum = 0;
    for (let i = 0; i < n; i++) {
      this.firstEdge[i] = edgeSum;
      edgeSum += edgeCounts[i];
    }
    this.firstEdge[n] = edgeSum;
    this.edgesLoaded = !raw.edgesSkipped;
    const ec = raw.edgeColumns;
    this.edgeType = ec.type as Uint8Array;
    this.edgeNameOrIndex = ec.name_or_index as Uint32Array;
    this.edgeTo = ec.to_node as Uint32Array;

    const nt = (name: string) => m.nodeTypes.indexOf(name);
    this.T = {
      hidden: nt('hidden'), array: nt('array'), string: nt('string'), object: nt('object'), code: nt('code'),
      closure: nt('closure'), regexp: nt('regexp'), number: nt('number'), native: nt('native'),
      synthetic: nt('synthetic'), concatString: nt('concatenated string'), slicedString: nt('sliced string'),
      symbol: nt('symbol'), bigint: nt('bigint'), objectShape: nt('object shape'),
    };
    const et = (name: string) => m.edgeTypes.indexOf(name);
    this.E = {
      context: et('context'), element: et('element'), property: et('property'), internal: et('internal'),
      hidden: et('hidden'), shortcut: et('shortcut'), weak: et('weak'),
    };
    this.rawTraceFunctionInfos = raw.traceFunctionInfos;
    this.rawTraceTree = raw.traceTree;
    this.rawLocations = raw.locations;
  }

  // ---- nodes ----

  /** The node's V8 type ("object", "closure", "string", …). */
  typeName(i: number): string {
    return this.meta.nodeTypes[this.nodeType[i]] ?? 'unknown';
  }

  /** The node's name: constructor name for objects, function name for closures, text for strings. */
  name(i: number): string {
    return this.strings[this.nodeName[i]];
  }

  id(i: number): number {
    return this.nodeId[i];
  }

  edgeCountOf(i: number): number {
    return this.firstEdge[i + 1] - this.firstEdge[i];
  }

  isString(i: number): boolean {
    const t = this.nodeType[i];
    return t === this.T.string || t === this.T.concatString || t === this.T.slicedString;
  }

  /**
   * The group a node is counted in, as DevTools' Summary shows it ("constructor or type as in the heap"):
   * objects and native objects by their name (the constructor), everything else by a parenthesised kind.
   */
  className(i: number): string {
    const t = this.nodeType[i];
    const T = this.T;
    if (t === T.object || t === T.native) return this.name(i) || 'Object';
    if (t === T.hidden) return '(system)';
    if (t === T.code) return '(compiled code)';
    if (t === T.closure) return '(closure)';
    if (t === T.string || t === T.concatString || t === T.slicedString) return '(string)';
    if (t === T.array) return '(array)';
    return `(${this.typeName(i)})`;
  }

  /** A short human label: the class name, with the function name for closures and the text for strings. */
  label(i: number): string {
    const t = this.nodeType[i];
    const T = this.T;
    const name = this.name(i);
    if (t === T.closure) return `${name || '(anonymous)'}()`;
    if (this.isString(i)) return JSON.stringify(name.length > 40 ? name.slice(0, 40) + '…' : name);
    if (t === T.object || t === T.native) return name || 'Object';
    if (t === T.synthetic || t === T.hidden || t === T.array || t === T.code) return name ? `${name}` : this.className(i);
    return this.className(i);
  }

  /** Linear search of a node by its heap id; -1 when absent. */
  findById(id: number): number {
    const ids = this.nodeId;
    for (let i = 0; i < ids.length; i++) if (ids[i] === id) return i;
    return -1;
  }

  /** Every node id, sorted ascending (for set operations across snapshots of one process). */
  sortedIds(): Uint32Array {
    if (!this.sortedIdsCache) this.sortedIdsCache = Uint32Array.from(this.nodeId).sort();
    return this.sortedIdsCache;
  }

  // ---- edges ----

  edgeTypeName(e: number): string {
    return this.meta.edgeTypes[this.edgeType[e]] ?? 'unknown';
  }

  /** `[3]` for elements, `{3}` for hidden indexes, the name for everything else. */
  edgeName(e: number): string {
    const t = this.edgeType[e];
    const v = this.edgeNameOrIndex[e];
    if (t === this.E.element) return `[${v}]`;
    if (t === this.E.hidden) return `{${v}}`;
    return this.strings[v] ?? `?${v}`;
  }

  /**
   * True when the edge is a position rather than a name: element and hidden edges, and the internal edges
   * V8 names with digits (the slots of a Map's or Set's hash table).
   */
  isIndexEdge(e: number): boolean {
    const t = this.edgeType[e];
    if (t === this.E.element || t === this.E.hidden) return true;
    if (!this.numericNames) this.numericNames = new Uint8Array(this.strings.length);
    const k = this.edgeNameOrIndex[e];
    let v = this.numericNames[k];
    if (v === 0) {
      v = /^\d+$/.test(this.strings[k] ?? '') ? 1 : 2;
      this.numericNames[k] = v;
    }
    return v === 1;
  }

  /** True for the hidden edges V8 names "part of key … pair in WeakMap": a WeakMap key does not keep its value. */
  isWeakMapKeyEdge(e: number): boolean {
    const t = this.edgeType[e];
    if (t === this.E.element || t === this.E.hidden) return false;
    if (!this.weakMapKeyNames) {
      this.weakMapKeyNames = new Uint8Array(this.strings.length);
      this.strings.forEach((s, k) => {
        if (s.includes('part of key') && s.includes('WeakMap')) this.weakMapKeyNames![k] = 1;
      });
    }
    return this.weakMapKeyNames[this.edgeNameOrIndex[e]] === 1;
  }

  /**
   * Retainers as CSR: edges pointing to node i are retainerEdge[firstRetainer[i] .. firstRetainer[i+1]-1], and
   * retainerNode holds each one's source. Kept once asked for; the dominator computation builds its own
   * transient copy when none is kept, so a plain analysis does not hold 8 bytes per edge for its whole life.
   */
  retainers(): Retainers {
    this.retainersCache ??= this.buildRetainers();
    return this.retainersCache;
  }

  /** The retainers CSR without keeping it (see retainers()). */
  buildRetainers(): Retainers {
    if (this.retainersCache) return this.retainersCache;
    this.requireEdges('retainers');
    const n = this.nodeCount;
    const firstRetainer = new Uint32Array(n + 1);
    const to = this.edgeTo;
    for (let e = 0; e < to.length; e++) firstRetainer[to[e] + 1]++;
    for (let i = 0; i < n; i++) firstRetainer[i + 1] += firstRetainer[i];
    const fill = firstRetainer.slice(0, n);
    const retainerEdge = new Uint32Array(to.length);
    const retainerNode = new Uint32Array(to.length);
    const fe = this.firstEdge;
    for (let i = 0; i < n; i++) {
      for (let e = fe[i], stop = fe[i + 1]; e < stop; e++) {
        const k = fill[to[e]]++;
        retainerEdge[k] = e;
        retainerNode[k] = i;
      }
    }
    return { firstRetainer, retainerEdge, retainerNode };
  }

  /** The node an edge comes from (binary search over firstEdge). */
  edgeSource(e: number): number {
    const fe = this.firstEdge;
    let lo = 0, hi = this.nodeCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (fe[mid] <= e) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  // ---- derived ----

  /** Throws when the edges were skipped at parse time. */
  requireEdges(what: string): void {
    if (!this.edgesLoaded) throw new AtelierError('INVALID_ARGUMENT', `${what} need the snapshot's edges, which were skipped when it was loaded (skipEdges)`);
  }

  /** Dominator tree (immediate dominator per node) and retained sizes, computed once. */
  dominators(): Dominators {
    if (!this.dominatorsCache) this.dominatorsCache = computeDominators(this);
    return this.dominatorsCache;
  }

  retainedSize(i: number): number {
    return this.dominators().retained[i];
  }

  /** BFS distance from the root skipping weak edges; NO_DISTANCE when unreachable that way. */
  distances(): Uint32Array {
    if (!this.distancesCache) this.distancesCache = computeDistances(this);
    return this.distancesCache;
  }

  /** Allocation stacks, when the snapshot was taken with allocation tracking on. */
  traces(): AllocationTraces {
    if (!this.tracesCache) this.tracesCache = new AllocationTraces(this.meta, this.strings, this.rawTraceFunctionInfos, this.rawTraceTree, this.rawLocations, this.nodeCount, this.meta.nodeFields.length);
    return this.tracesCache;
  }

  /** Reads and parses a snapshot file (or bytes). */
  static load(source: string | Uint8Array, options?: ParseOptions): HeapSnapshot {
    return new HeapSnapshot(parseSnapshot(source, options));
  }
}
