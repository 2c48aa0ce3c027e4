import type { HeapSnapshot } from './graph.js';
import { NO_EDGE } from './distances.js';
import { retainerTree } from './retainer-paths.js';
import { dotString } from '../graphviz.js';
import { formatBytes } from './format-bytes.js';

export interface BackReferenceOptions {
  /** Levels of retainers above the target (default 4). */
  depth?: number;
  /** Retainers drawn per node, closest to a GC root first (default 5). */
  perNode?: number;
  /** Most nodes in the picture (default 60). */
  maxNodes?: number;
}

export interface BackReferenceGraph {
  target: number;
  nodes: number[];
  edges: Array<{ edge: number; from: number; to: number; onShortestPath: boolean }>;
}

/**
 * The retainers around a node, a few levels up (objgraph's show_backrefs), with the shortest retainer path
 * always included so the picture connects the target to its GC root. Weak edges are left out.
 */
export function backReferences(g: HeapSnapshot, target: number, options: BackReferenceOptions = {}): BackReferenceGraph {
  const depth = options.depth ?? 4;
  const perNode = options.perNode ?? 5;
  const maxNodes = options.maxNodes ?? 60;
  const { firstRetainer, retainerEdge, retainerNode } = g.retainers();
  const tree = retainerTree(g);
  const dist = g.distances();
  const nodes = new Set<number>([target]);
  const edges = new Map<number, { edge: number; from: number; to: number; onShortestPath: boolean }>();
  // The shortest path first.
  for (let cur = target; cur !== 0 && tree[cur] !== NO_EDGE; cur = g.edgeSource(tree[cur])) {
    const e = tree[cur];
    const from = g.edgeSource(e);
    nodes.add(from);
    edges.set(e, { edge: e, from, to: cur, onShortestPath: true });
  }
  let frontier = [target];
  for (let level = 0; level < depth && frontier.length > 0; level++) {
    const next: number[] = [];
    for (const node of frontier) {
      const candidates: Array<{ e: number; from: number }> = [];
      for (let r = firstRetainer[node]; r < firstRetainer[node + 1]; r++) {
        const e = retainerEdge[r];
        if (g.edgeType[e] === g.E.weak || g.isWeakMapKeyEdge(e)) continue;
        candidates.push({ e, from: retainerNode[r] });
      }
      candidates.sort((a, b) => dist[a.from] - dist[b.from]);
      for (const { e, from } of candidates.slice(0, perNode)) {
        if (from === 0) continue; // the synthetic root says nothing
        if (!nodes.has(from)) {
          if (nodes.size >= maxNodes) continue;
          nodes.add(from);
          next.push(from);
        }
        if (!edges.has(e)) edges.set(e, { edge: e, from, to: node, onShortestPath: false });
      }
    }
    frontier = next;
  }
  nodes.delete(0);
  return { target, nodes: [...nodes], edges: [...edges.values()].filter((e) => e.from !== 0) };
}

/** The back-reference graph as DOT: retainers point at what they retain, the target is highlighted. */
export function backReferencesDot(g: HeapSnapshot, graph: BackReferenceGraph): string {
  const lines = ['digraph backrefs {', '  rankdir=TB;', '  node [shape=box, style="rounded,filled", fillcolor="#f5f5f5", fontname="Helvetica", fontsize=10];', '  edge [fontname="Helvetica", fontsize=9, color="#888888"];'];
  for (const n of graph.nodes) {
    const label = `${g.label(n)}\n@${g.nodeId[n]}  ${formatBytes(g.retainedSize(n))} retained`;
    const attrs = [`label=${dotString(label)}`];
    if (n === graph.target) attrs.push('fillcolor="#ffd6d6"', 'penwidth=2');
    else if (g.nodeType[n] === g.T.synthetic) attrs.push('fillcolor="#dde8ff"');
    lines.push(`  n${n} [${attrs.join(', ')}];`);
  }
  for (const e of graph.edges) {
    const attrs = [`label=${dotString(g.edgeName(e.edge))}`];
    if (e.onShortestPath) attrs.push('color="#c0392b"', 'penwidth=2', 'fontcolor="#c0392b"');
    lines.push(`  n${e.from} -> n${e.to} [${attrs.join(', ')}];`);
  }
  lines.push('}');
  return lines.join('\n');
}
