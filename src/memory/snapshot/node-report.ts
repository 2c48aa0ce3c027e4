import type { HeapSnapshot } from './graph.js';
import { formatSite } from './allocation-traces.js';
import { definitionSite } from './source-locations.js';
import { formatRetainerPath, shortestRetainerPath, type RetainerStep } from './retainer-paths.js';

/** Everything a person needs to act on one object of a snapshot. */
export interface NodeReport {
  /** Node ordinal in this snapshot. */
  node: number;
  /** Heap id (stable across snapshots of one process). */
  id: number;
  /** Class name: "constructor or type as in the heap". */
  type: string;
  /** V8 node type ("object", "closure", …). */
  nodeType: string;
  name: string;
  selfSize: number;
  retainedSize: number;
  /** Edges from the root, weak edges skipped; null when not strongly reachable. */
  distance: number | null;
  /** GC root, then `edge → Type` hops; null when reachable only through weak edges. */
  retainerPath: string[] | null;
  retainerSteps: RetainerStep[] | null;
  /** `file:line` of the innermost user function on the allocation stack (needs allocation tracking). */
  allocationSite: string | null;
  /** Allocation stack, innermost first, as `function (file:line)` lines. */
  allocationStack: string[];
  /** Where a closure's function or an object's constructor is defined (`file:line`), from `locations`. */
  definedAt: string | null;
}

export function describeNode(g: HeapSnapshot, node: number): NodeReport {
  const traces = g.traces();
  const steps = shortestRetainerPath(g, node);
  const d = g.distances()[node];
  const site = traces.available ? traces.allocationSite(g.traceNodeId[node]) : null;
  const loc = definitionSite(g, node);
  return {
    node,
    id: g.nodeId[node],
    type: g.className(node),
    nodeType: g.typeName(node),
    name: g.name(node),
    selfSize: g.selfSize[node],
    retainedSize: g.retainedSize(node),
    distance: d === 0xffffffff ? null : d,
    retainerPath: steps ? formatRetainerPath(g, steps) : null,
    retainerSteps: steps,
    allocationSite: site ? formatSite(site) : null,
    allocationStack: traces.available ? traces.stack(g.traceNodeId[node]).map((f) => `${f.functionName || '(anonymous)'} (${f.file ? formatSite(f) : 'native'})`) : [],
    definedAt: loc ? formatSite(loc) : null,
  };
}

/** Nodes of a class (as `className` names it), largest retained size first. */
export function nodesOfType(g: HeapSnapshot, type: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < g.nodeCount; i++) if (g.className(i) === type) out.push(i);
  const { retained } = g.dominators();
  return out.sort((a, b) => retained[b] - retained[a]);
}
