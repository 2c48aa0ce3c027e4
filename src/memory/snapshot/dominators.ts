import type { HeapSnapshot } from './graph.js';

export interface Dominators {
  /** Immediate dominator of each node (the root dominates itself). */
  idom: Uint32Array;
  /** Self size plus the retained sizes of the nodes it immediately dominates. */
  retained: Float64Array;
  /** Nodes in post-order of the DFS the dominators were built on; the root is last. */
  postOrder: Uint32Array;
}

const UNDEF = 0xffffffff;

/**
 * Dominator tree by Cooper, Harvey and Kennedy's iterative algorithm ("A Simple, Fast Dominance Algorithm")
 * on a post-order DFS from the root, with the rules DevTools uses so retained sizes match what users know:
 * weak edges do not retain; shortcut edges count only from the root; nodes reachable only through weak
 * edges, then nodes not reachable at all, are hung under the root by a second and third DFS.
 */
export function computeDominators(g: HeapSnapshot): Dominators {
  g.requireEdges('dominators');
  const n = g.nodeCount;
  const root = 0;
  const fe = g.firstEdge, to = g.edgeTo, type = g.edgeType;
  const WEAK = g.E.weak, SHORTCUT = g.E.shortcut;
  const postOrder = new Uint32Array(n);
  const poOf = new Uint32Array(n);
  const visited = new Uint8Array(n);
  const underRoot = new Uint8Array(n); // extra (virtual) edge from the root
  const stackNode = new Uint32Array(n);
  const stackEdge = new Uint32Array(n);
  let po = 0;

  const dfs = (start: number): void => {
    visited[start] = 1;
    let sp = 0;
    stackNode[0] = start;
    stackEdge[0] = fe[start];
    sp = 1;
    while (sp > 0) {
      const node = stackNode[sp - 1];
      const e = stackEdge[sp - 1];
      if (e < fe[node + 1]) {
        stackEdge[sp - 1] = e + 1;
        const t = type[e];
        if (t === WEAK || (t === SHORTCUT && node !== root)) continue;
        const child = to[e];
        if (visited[child]) continue;
        visited[child] = 1;
        stackNode[sp] = child;
        stackEdge[sp] = fe[child];
        sp++;
      } else {
        sp--;
        postOrder[po] = node;
        poOf[node] = po++;
      }
    }
  };

  if (n === 0) return { idom: new Uint32Array(0), retained: new Float64Array(0), postOrder };
  visited[root] = 1;
  // Pass 1: what the root reaches through essential edges.
  for (let e = fe[root]; e < fe[root + 1]; e++) {
    const t = type[e];
    if (t === WEAK) continue;
    if (!visited[to[e]]) dfs(to[e]);
  }
  // Pass 2: nodes reached only through weak edges (from the root or anything visited so far, transitively).
  const weakFrom = (node: number) => {
    for (let e = fe[node]; e < fe[node + 1]; e++) {
      if (type[e] === WEAK && !visited[to[e]]) {
        underRoot[to[e]] = 1;
        dfs(to[e]);
      }
    }
  };
  weakFrom(root);
  for (let k = 0; k < po; k++) weakFrom(postOrder[k]);
  // Pass 3: orphans.
  for (let i = 0; i < n; i++) {
    if (!visited[i]) {
      underRoot[i] = 1;
      dfs(i);
    }
  }
  postOrder[po] = root;
  poOf[root] = po;
  const rootPo = po;

  const { firstRetainer, retainerEdge, retainerNode } = g.buildRetainers();
  // The DFS stacks are done with: their memory serves the dominator arrays.
  const dom = stackNode.fill(UNDEF);
  dom[rootPo] = rootPo;
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = rootPo - 1; k >= 0; k--) {
      const node = postOrder[k];
      let idom = underRoot[node] ? rootPo : UNDEF;
      for (let r = firstRetainer[node], stop = firstRetainer[node + 1]; r < stop; r++) {
        const t = type[retainerEdge[r]];
        const from = retainerNode[r];
        if (t === WEAK || (t === SHORTCUT && from !== root)) continue;
        let p = poOf[from];
        if (dom[p] === UNDEF) continue;
        if (idom === UNDEF) {
          idom = p;
          continue;
        }
        // Intersect the two dominator chains (post-order numbers grow towards the root).
        let q = idom;
        while (p !== q) {
          while (p < q) p = dom[p];
          while (q < p) q = dom[q];
        }
        idom = p;
      }
      if (idom === UNDEF) idom = rootPo;
      if (dom[k] !== idom) {
        dom[k] = idom;
        changed = true;
      }
    }
  }

  const idomNode = stackEdge;
  const retained = Float64Array.from(g.selfSize);
  for (let k = 0; k < rootPo; k++) {
    const node = postOrder[k];
    const d = postOrder[dom[k]];
    idomNode[node] = d;
    retained[d] += retained[node];
  }
  idomNode[root] = root;
  return { idom: idomNode, retained, postOrder };
}

/**
 * Children lists of the dominator tree as CSR: the nodes immediately dominated by i are
 * children[first[i] .. first[i+1]-1].
 */
export function dominatorChildren(idom: Uint32Array): { first: Uint32Array; children: Uint32Array } {
  const n = idom.length;
  const first = new Uint32Array(n + 1);
  for (let i = 1; i < n; i++) first[idom[i] + 1]++;
  for (let i = 0; i < n; i++) first[i + 1] += first[i];
  const fill = first.slice(0, n);
  const children = new Uint32Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) children[fill[idom[i]]++] = i;
  return { first, children };
}

/**
 * Sums retained sizes per group without counting a node twice: a node's retained size is added to its group
 * only when no node of the same group dominates it (as DevTools sums a class's retained size).
 * `groupOf[i]` is the group of node i, or -1.
 */
const childrenCache = new WeakMap<Dominators, { first: Uint32Array; children: Uint32Array }>();

export function groupRetainedSizes(g: HeapSnapshot, groupOf: Int32Array, groupCount: number): Float64Array {
  const doms = g.dominators();
  const { retained } = doms;
  let tree = childrenCache.get(doms);
  if (!tree) {
    tree = dominatorChildren(doms.idom);
    childrenCache.set(doms, tree);
  }
  const { first, children } = tree;
  const out = new Float64Array(groupCount);
  const open = new Uint32Array(groupCount); // how many ancestors on the current dominator path are in the group
  const n = g.nodeCount;
  if (n === 0) return out;
  const stackNode = new Uint32Array(n);
  const stackNext = new Uint32Array(n);
  let sp = 0;
  stackNode[0] = 0;
  stackNext[0] = first[0];
  sp = 1;
  const enter = (i: number) => {
    const grp = groupOf[i];
    if (grp >= 0) {
      if (open[grp] === 0) out[grp] += retained[i];
      open[grp]++;
    }
  };
  enter(0);
  while (sp > 0) {
    const node = stackNode[sp - 1];
    const c = stackNext[sp - 1];
    if (c < first[node + 1]) {
      stackNext[sp - 1] = c + 1;
      const child = children[c];
      enter(child);
      stackNode[sp] = child;
      stackNext[sp] = first[child];
      sp++;
    } else {
      sp--;
      const grp = groupOf[node];
      if (grp >= 0) open[grp]--;
    }
  }
  return out;
}
