import type { HeapSnapshot } from './graph.js';

export const NO_DISTANCE = 0xffffffff;
export const NO_EDGE = 0xffffffff;

export interface BreadthFirst {
  /** Edges from the root (NO_DISTANCE when not reached). */
  distance: Uint32Array;
  /** The edge through which each node was first reached (NO_EDGE for the root and unreached nodes). */
  parentEdge: Uint32Array;
  /** The node that edge comes from. */
  parentNode: Uint32Array;
}

/**
 * BFS from the root over edges a human would call "retaining": never weak edges, shortcut edges only from the
 * root (they duplicate real paths), and, when `skipWeakMapKeys`, not the edges from a WeakMap key to its value.
 */
export function breadthFirstFromRoot(g: HeapSnapshot, skipWeakMapKeys: boolean, wantParents: boolean): BreadthFirst {
  g.requireEdges('distances and retainer paths');
  const n = g.nodeCount;
  const distance = new Uint32Array(n).fill(NO_DISTANCE);
  const parentEdge = wantParents ? new Uint32Array(n).fill(NO_EDGE) : new Uint32Array(0);
  const parentNode = wantParents ? new Uint32Array(n) : new Uint32Array(0);
  if (n === 0) return { distance, parentEdge, parentNode };
  const fe = g.firstEdge, to = g.edgeTo, type = g.edgeType;
  const WEAK = g.E.weak, SHORTCUT = g.E.shortcut;
  const queue = new Uint32Array(n);
  let head = 0, tail = 0;
  distance[0] = 0;
  queue[tail++] = 0;
  while (head < tail) {
    const node = queue[head++];
    const d = distance[node] + 1;
    for (let e = fe[node], stop = fe[node + 1]; e < stop; e++) {
      const t = type[e];
      if (t === WEAK || (t === SHORTCUT && node !== 0)) continue;
      const child = to[e];
      if (distance[child] !== NO_DISTANCE) continue;
      if (skipWeakMapKeys && g.isWeakMapKeyEdge(e)) continue;
      distance[child] = d;
      if (wantParents) {
        parentEdge[child] = e;
        parentNode[child] = node;
      }
      queue[tail++] = child;
    }
  }
  return { distance, parentEdge, parentNode };
}

/** Distances from the root, skipping weak edges. */
export function computeDistances(g: HeapSnapshot): Uint32Array {
  return breadthFirstFromRoot(g, false, false).distance;
}
