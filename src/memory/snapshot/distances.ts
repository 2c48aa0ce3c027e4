import type { HeapSnapshot } from './graph.js';

export const NO_DISTANCE = 0xffffffff;
export const NO_EDGE = 0xffffffff;
/** parentEdge of the root itself. */
export const ROOT_EDGE = 0xfffffffe;

/**
 * BFS from the root over edges a human would call "retaining": never weak edges, shortcut edges only from the
 * root (they duplicate real paths), and, when `skipWeakMapKeys`, not the edges from a WeakMap key to its value.
 * Calls `visit(child, edge, parent)` once per node reached, in BFS order; `seen` says whether a node is reached.
 */
function breadthFirst(g: HeapSnapshot, skipWeakMapKeys: boolean, seen: (node: number) => boolean, visit: (child: number, edge: number, parent: number) => void): void {
  g.requireEdges('distances and retainer paths');
  const n = g.nodeCount;
  if (n === 0) return;
  const fe = g.firstEdge, to = g.edgeTo, type = g.edgeType;
  const WEAK = g.E.weak, SHORTCUT = g.E.shortcut;
  const queue = new Uint32Array(n);
  let head = 0, tail = 0;
  queue[tail++] = 0;
  while (head < tail) {
    const node = queue[head++];
    for (let e = fe[node], stop = fe[node + 1]; e < stop; e++) {
      const t = type[e];
      if (t === WEAK || (t === SHORTCUT && node !== 0)) continue;
      const child = to[e];
      if (seen(child)) continue;
      if (skipWeakMapKeys && g.isWeakMapKeyEdge(e)) continue;
      visit(child, e, node);
      queue[tail++] = child;
    }
  }
}

/** Distances from the root (edges), skipping weak edges; NO_DISTANCE where not reached that way. */
export function computeDistances(g: HeapSnapshot): Uint32Array {
  const distance = new Uint32Array(g.nodeCount).fill(NO_DISTANCE);
  if (g.nodeCount === 0) return distance;
  distance[0] = 0;
  breadthFirst(g, false, (i) => distance[i] !== NO_DISTANCE, (child, _e, parent) => {
    distance[child] = distance[parent] + 1;
  });
  return distance;
}

/**
 * The shortest-path tree used for retainer paths: for each node, the edge through which a BFS from the root
 * (no weak edges, no WeakMap key→value edges) first reached it; NO_EDGE where not reached, ROOT_EDGE at the root.
 */
export function shortestPathTree(g: HeapSnapshot): Uint32Array {
  const parentEdge = new Uint32Array(g.nodeCount).fill(NO_EDGE);
  if (g.nodeCount === 0) return parentEdge;
  parentEdge[0] = ROOT_EDGE;
  breadthFirst(g, true, (i) => parentEdge[i] !== NO_EDGE, (child, e) => {
    parentEdge[child] = e;
  });
  return parentEdge;
}
