/**
 * Suspects from three heap snapshots taken after iterations k, 2k, 3k (memlab's method, plus allocation sites):
 * objects born between s1 and s2 that are still alive in s3, grouped by type, kept only when their type's count
 * grows in both intervals (a full LRU or a pool replaces objects without growing). For each: objects and bytes
 * per iteration, the user line that allocated them, and the shortest retainer path from a GC root.
 */
import { AtelierError } from '../errors.js';
import {
  definitionSite, findLeakedObjects, formatSite, HeapSnapshot, isUserFile, typeStatistics,
  type LeakGroup, type StackFrame,
} from './snapshot/index.js';
import type { LeakSuspect } from './leak-judge.js';
import { findCallLine, findStoreLine } from './source-lines.js';
import { isToolkitFile } from './toolkit-files.js';

/** A type is a suspect when it gained at least this many objects per iteration in each interval. */
export const MIN_COUNT_PER_ITERATION = 0.2;

function countsByType(g: HeapSnapshot): Map<string, number> {
  return new Map(typeStatistics(g, { retained: false }).map((s) => [s.type, s.count]));
}

const userFrame = (f: StackFrame): boolean => isUserFile(f.file) && !isToolkitFile(f.file);

/** Objects the measuring code itself made (the toolkit's frame comes before any user frame on their stack). */
function allocatedByToolkit(g: HeapSnapshot, node: number): boolean {
  for (const f of g.traces().stack(g.traceNodeId[node])) {
    if (isToolkitFile(f.file)) return true;
    if (userFrame(f)) return false;
  }
  return false;
}

/**
 * The line to show for an object: for closures, where the function is written (that is where it was created);
 * otherwise the innermost user frame of the allocation stack, narrowed to the line that calls the next frame
 * (a constructor the user wrote counts as "next frame": the line is where `new` is called).
 */
function allocationSite(g: HeapSnapshot, node: number, typeName: string, retainerPath: string[]): string | null {
  if (g.nodeType[node] === g.T.closure) {
    const def = definitionSite(g, node);
    if (def?.file && isUserFile(def.file) && !isToolkitFile(def.file)) return formatSite(def);
  }
  const stack = g.traces().stack(g.traceNodeId[node]);
  // The program's own code first; a dependency's frame only when no frame of the program is on the stack.
  let u = stack.findIndex((f) => userFrame(f) && !f.file.includes('/node_modules/'));
  if (u < 0) u = stack.findIndex(userFrame);
  if (u < 0) return null;
  // Objects of a user class are allocated in the class's own constructor frame: show where `new` was called.
  if (stack[u].functionName === typeName && u + 1 < stack.length && userFrame(stack[u + 1])) u++;
  const frame = stack[u];
  // Allocated in the user's frame itself (`new T` is often inlined there): look for the type's constructor call.
  const callee = u > 0 && stack[u - 1].functionName ? stack[u - 1].functionName : typeName;
  // Failing that (an object literal has no constructor call to find), the line that stores it into the nearest
  // named container of its retainer path (`memo → Object`: where `memo[…] =` happens in that function).
  let line = findCallLine(frame.file, frame.line, frame.column, callee);
  for (let k = retainerPath.length - 1; line === null && k >= 0; k--) {
    const edge = /^([\w$]+) → /.exec(retainerPath[k]);
    if (edge) line = findStoreLine(frame.file, frame.line, frame.column, edge[1]);
  }
  return formatSite({ file: frame.file, line: line ?? frame.line });
}

function load(file: string): HeapSnapshot {
  try {
    return HeapSnapshot.load(file);
  } catch (e) {
    throw new AtelierError('INTERNAL', `cannot read the scenario's heap snapshot ${file}: ${(e as Error).message}`);
  }
}

/** Suspects, most retained bytes per iteration first. `iterations` are the iterations the snapshots follow. */
export async function findLeakSuspects(snapshots: string[], iterations: number[]): Promise<LeakSuspect[]> {
  if (snapshots.length !== 3) return [];
  // One parsed graph at a time: the first two are reduced to counts and ids before the next is read.
  const g1 = load(snapshots[0]);
  const c1 = countsByType(g1);
  const ids1 = g1.sortedIds();
  const g2 = load(snapshots[1]);
  const c2 = countsByType(g2);
  const ids2 = g2.sortedIds();
  const g3 = load(snapshots[2]);
  const c3 = countsByType(g3);
  const k1 = iterations[1] - iterations[0];
  const k2 = iterations[2] - iterations[1];
  const leaked = findLeakedObjects(ids1, ids2, g3, { maxGroups: 200 });
  const groups = new Map<string, LeakGroup[]>();
  for (const grp of leaked.byPath) {
    const list = groups.get(grp.type) ?? [];
    list.push(grp);
    groups.set(grp.type, list);
  }
  const suspects: (LeakSuspect & { score: number })[] = [];
  for (const t of leaked.byType) {
    const g12 = (c2.get(t.type) ?? 0) - (c1.get(t.type) ?? 0);
    const g23 = (c3.get(t.type) ?? 0) - (c2.get(t.type) ?? 0);
    // Growth in both intervals, at a steady rate, and carried by survivors born in the first interval.
    if (g12 < MIN_COUNT_PER_ITERATION * k1 || g23 < MIN_COUNT_PER_ITERATION * k2) continue;
    if (t.count < 0.5 * Math.min(g12, g23)) continue;
    const biggest = (groups.get(t.type) ?? [])[0];
    const representative = biggest ? g3.findById(biggest.sampleIds[0]) : -1;
    if (representative >= 0 && allocatedByToolkit(g3, representative)) continue;
    let site: string | null = null;
    if (biggest) {
      for (const id of biggest.sampleIds) {
        const node = g3.findById(id);
        if (node >= 0) site = allocationSite(g3, node, t.type, biggest.retainerPath);
        if (site) break;
      }
    }
    suspects.push({
      name: t.type,
      countPerIteration: round((g12 + g23) / (k1 + k2)),
      retainedBytesPerIteration: Math.round(t.retainedSize / k1),
      allocationSite: site ?? biggest?.allocationSite ?? null,
      retainerPath: compressPath(biggest?.retainerPath ?? []),
      score: t.retainedSize,
    });
  }
  suspects.sort((a, b) => b.score - a.score || b.countPerIteration - a.countPerIteration);
  // A suspect reached only through a more important one (the strings inside leaked sessions) is part of it.
  const kept: LeakSuspect[] = [];
  for (const { score, ...s } of suspects) {
    void score;
    const through = new Set(s.retainerPath.slice(0, -1).map(stepType));
    if (!kept.some((k) => through.has(k.name))) kept.push(s);
  }
  return kept;
}

/** The type a path step lands on; closures are shown by function name (`poll()`) but count as "(closure)". */
function stepType(step: string): string {
  const target = step.slice(step.lastIndexOf(' → ') + 3).replace(/ \(×\d+\)$/, '');
  return target.endsWith(')') && /\(\)$/.test(target) ? '(closure)' : target;
}

/** Runs of one hop (a linked list: `_idlePrev → Timeout` thirty times) shown once with a count. */
function compressPath(path: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < path.length; ) {
    let j = i + 1;
    while (j < path.length && path[j] === path[i]) j++;
    out.push(j - i > 1 ? `${path[i]} (×${j - i})` : path[i]);
    i = j;
  }
  return out;
}

const round = (v: number): number => Math.round(v * 100) / 100;
