import type { HeapSnapshot } from './graph.js';
import { displayFile, type SourceLocation } from './allocation-traces.js';

const scriptFileCache = new WeakMap<HeapSnapshot, Map<number, string>>();

function edgeTarget(g: HeapSnapshot, node: number, names: string[]): number {
  for (let e = g.firstEdge[node]; e < g.firstEdge[node + 1]; e++) {
    if (names.includes(g.edgeName(e))) return g.edgeTo[e];
  }
  return -1;
}

/**
 * Script id → file for every script with a located closure. `locations` gives script ids only; without
 * allocation tracking the names come from the graph itself: closure → shared → script, whose name is the URL.
 */
export function scriptFiles(g: HeapSnapshot): Map<number, string> {
  let map = scriptFileCache.get(g);
  if (map) return map;
  map = new Map();
  const traces = g.traces();
  const files = map;
  traces.forEachLocation((node, scriptId) => {
    if (files.has(scriptId)) return;
    const known = traces.scriptName(scriptId);
    if (known) {
      files.set(scriptId, known);
      return;
    }
    if (g.nodeType[node] !== g.T.closure) return;
    const shared = edgeTarget(g, node, ['shared']);
    const script = shared >= 0 ? edgeTarget(g, shared, ['script_or_debug_info', 'script']) : -1;
    const name = script >= 0 ? g.name(script) : '';
    if (name && !name.startsWith('system /')) files.set(scriptId, displayFile(name));
  });
  scriptFileCache.set(g, map);
  return map;
}

/** Where a closure's function or an object's constructor is defined, with the file resolved when possible. */
export function definitionSite(g: HeapSnapshot, node: number): SourceLocation | null {
  const loc = g.traces().location(node);
  if (!loc || loc.file) return loc;
  return { ...loc, file: scriptFiles(g).get(loc.scriptId) ?? null };
}
