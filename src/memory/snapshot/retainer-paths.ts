import type { HeapSnapshot } from './graph.js';
import { NO_EDGE, shortestPathTree } from './distances.js';

/** One hop of a retainer path: `edge` leads from the previous node to `node`. */
export interface RetainerStep {
  edge: string;
  edgeType: string;
  /** Node ordinal in the snapshot. */
  node: number;
  id: number;
  /** The node's class name (DevTools' "constructor"). */
  type: string;
  label: string;
}

const trees = new WeakMap<HeapSnapshot, Uint32Array>();

/**
 * Per node, the edge that reaches it on a shortest retainer path from the root (no weak edges, no WeakMap
 * key→value edges): NO_EDGE when none, ROOT_EDGE for the root. Computed once per snapshot.
 */
export function retainerTree(g: HeapSnapshot): Uint32Array {
  let t = trees.get(g);
  if (!t) {
    t = shortestPathTree(g);
    trees.set(g, t);
  }
  return t;
}

/**
 * A shortest retainer path from the snapshot root to `node`, as the hops after the root (the first hop lands on
 * a GC root category or on the global object). Null when the node is reachable only through weak edges or not
 * at all.
 */
export function shortestRetainerPath(g: HeapSnapshot, node: number): RetainerStep[] | null {
  if (node === 0) return [];
  const t = retainerTree(g);
  if (t[node] === NO_EDGE) return null;
  const steps: RetainerStep[] = [];
  for (let cur = node; cur !== 0; cur = g.edgeSource(t[cur])) {
    const e = t[cur];
    steps.push({ edge: g.edgeName(e), edgeType: g.edgeTypeName(e), node: cur, id: g.nodeId[cur], type: g.className(cur), label: g.label(cur) });
  }
  return steps.reverse();
}

/**
 * The path as lines for people and for the leak report: the GC root it starts from (`(Global handles)`,
 * `global`, …), then one `edge → Type` per hop. Leading synthetic categories collapse into the first line.
 */
export function formatRetainerPath(g: HeapSnapshot, steps: RetainerStep[]): string[] {
  if (steps.length === 0) return ['(root)'];
  let k = 0;
  while (k < steps.length - 1 && g.nodeType[steps[k].node] === g.T.synthetic && g.nodeType[steps[k + 1].node] === g.T.synthetic) k++;
  const out = [steps[k].label];
  for (let j = k + 1; j < steps.length; j++) out.push(`${steps[j].edge} → ${steps[j].type === '(closure)' || steps[j].type === '(system)' ? steps[j].label : steps[j].type}`);
  return out;
}
