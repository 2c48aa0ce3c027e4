import { fileURLToPath } from 'node:url';
import type { SnapshotMeta } from './parser.js';

/** One frame of an allocation stack. Line and column are 1-based; 0 when V8 did not know them. */
export interface StackFrame {
  functionName: string;
  /** A file path when the script was a file (file: URLs are turned into paths), else V8's script name. */
  file: string;
  scriptId: number;
  line: number;
  column: number;
}

/** Where a closure's function or an object's constructor is defined. 1-based line and column. */
export interface SourceLocation {
  scriptId: number;
  /** Known only when allocation tracking recorded a function from the same script. */
  file: string | null;
  line: number;
  column: number;
}

/** `file:line`, what a user pastes into an editor. */
export function formatSite(f: { file: string | null; line: number; scriptId?: number }): string {
  return `${f.file ?? `script#${f.scriptId ?? '?'}`}:${f.line}`;
}

/** V8's script name as a user sees it: file: URLs become paths. */
export function displayFile(scriptName: string): string {
  if (scriptName.startsWith('file://')) {
    try {
      return fileURLToPath(scriptName);
    } catch {
      return scriptName;
    }
  }
  return scriptName;
}

/** True for frames of the program being examined rather than Node's own code. */
export function isUserFile(file: string): boolean {
  return file !== '' && !file.startsWith('node:') && !file.startsWith('internal/') && !file.startsWith('evalmachine');
}

/**
 * Allocation stacks from `trace_function_infos` + `trace_tree` (filled only with allocation tracking on) and
 * definition sites from `locations`. A node's `trace_node_id` names a trace tree node; walking to the tree's
 * root gives the stack, innermost frame first.
 */
export class AllocationTraces {
  /** True when the snapshot carries allocation stacks. */
  readonly available: boolean;
  private readonly frames: StackFrame[] = [];
  /** Per trace node id: index into `frames`, -1 when absent. */
  private readonly frameOf: Int32Array;
  /** Per trace node id: the parent trace node id, 0 at the top. */
  private readonly parentOf: Uint32Array;
  private readonly scriptNames = new Map<number, string>();
  private readonly locationOf = new Map<number, number>();
  private readonly locations: number[];
  private readonly locStride: number;
  private readonly locScript: number;
  private readonly locLine: number;
  private readonly locColumn: number;

  constructor(meta: SnapshotMeta, strings: string[], infos: number[], tree: unknown[], locations: number[], nodeCount: number, nodeFieldCount: number) {
    const ff = meta.traceFunctionInfoFields;
    const stride = ff.length;
    const [fName, fScriptName, fScriptId, fLine, fColumn] = ['name', 'script_name', 'script_id', 'line', 'column'].map((f) => ff.indexOf(f));
    if (stride > 0 && fName >= 0) {
      for (let o = 0; o + stride <= infos.length; o += stride) {
        const scriptName = fScriptName >= 0 ? strings[infos[o + fScriptName]] ?? '' : '';
        const scriptId = fScriptId >= 0 ? infos[o + fScriptId] : 0;
        const file = displayFile(scriptName);
        if (file && scriptId > 0) this.scriptNames.set(scriptId, file);
        this.frames.push({
          functionName: strings[infos[o + fName]] ?? '',
          file,
          scriptId,
          line: fLine >= 0 ? Math.max(0, infos[o + fLine]) : 0,
          column: fColumn >= 0 ? Math.max(0, infos[o + fColumn]) : 0,
        });
      }
    }
    // Flatten the nested trace tree: [id, function_info_index, count, size, [children…], id, …].
    const tf = meta.traceNodeFields;
    const tStride = tf.length;
    const tId = tf.indexOf('id'), tFn = tf.indexOf('function_info_index'), tChildren = tf.indexOf('children');
    const ids: number[] = [], fns: number[] = [], parents: number[] = [];
    let maxId = 0;
    if (tStride > 0 && tId >= 0 && tFn >= 0 && tChildren >= 0) {
      const stack: Array<{ list: unknown[]; parent: number }> = [{ list: tree, parent: 0 }];
      while (stack.length > 0) {
        const { list, parent } = stack.pop()!;
        for (let o = 0; o + tStride <= list.length; o += tStride) {
          const id = Number(list[o + tId]);
          if (!Number.isInteger(id) || id <= 0) continue;
          ids.push(id);
          fns.push(Number(list[o + tFn]));
          parents.push(parent);
          if (id > maxId) maxId = id;
          const children = list[o + tChildren];
          if (Array.isArray(children) && children.length > 0) stack.push({ list: children, parent: id });
        }
      }
    }
    this.frameOf = new Int32Array(maxId + 1).fill(-1);
    this.parentOf = new Uint32Array(maxId + 1);
    for (let k = 0; k < ids.length; k++) {
      this.frameOf[ids[k]] = fns[k] >= 0 && fns[k] < this.frames.length ? fns[k] : -1;
      this.parentOf[ids[k]] = parents[k];
    }
    this.available = ids.length > 0 && this.frames.length > 0;

    const lf = meta.locationFields;
    this.locStride = lf.length;
    const lObj = lf.indexOf('object_index');
    [this.locScript, this.locLine, this.locColumn] = ['script_id', 'line', 'column'].map((f) => lf.indexOf(f));
    this.locations = locations;
    if (this.locStride > 0 && lObj >= 0) {
      for (let o = 0; o + this.locStride <= locations.length; o += this.locStride) {
        const ordinal = locations[o + lObj] / nodeFieldCount;
        if (Number.isInteger(ordinal) && ordinal < nodeCount) this.locationOf.set(ordinal, o);
      }
    }
  }

  /** The allocation stack of a trace node, innermost frame first (empty when unknown). */
  stack(traceNodeId: number): StackFrame[] {
    const out: StackFrame[] = [];
    let id = traceNodeId;
    let guard = 0;
    while (id > 0 && id < this.frameOf.length && guard++ < 10000) {
      const f = this.frameOf[id];
      if (f >= 0) {
        const frame = this.frames[f];
        if (frame.functionName !== '(root)' || frame.file !== '') out.push(frame);
      }
      id = this.parentOf[id];
    }
    return out;
  }

  /**
   * The frame to show a user for where an object was allocated: the innermost frame in the program's own files
   * (outside node_modules when there is one), else the innermost frame in node_modules, else null.
   */
  allocationSite(traceNodeId: number): StackFrame | null {
    let dependency: StackFrame | null = null;
    for (const f of this.stack(traceNodeId)) {
      if (!isUserFile(f.file)) continue;
      if (!f.file.includes('/node_modules/')) return f;
      dependency ??= f;
    }
    return dependency;
  }

  /** Where a closure's function (or an object's constructor) is defined, from `locations`. */
  location(nodeOrdinal: number): SourceLocation | null {
    const o = this.locationOf.get(nodeOrdinal);
    if (o === undefined) return null;
    const scriptId = this.locScript >= 0 ? this.locations[o + this.locScript] : 0;
    return {
      scriptId,
      file: this.scriptNames.get(scriptId) ?? null,
      // `locations` is 0-based; everything we show is 1-based like editors.
      line: this.locLine >= 0 ? this.locations[o + this.locLine] + 1 : 0,
      column: this.locColumn >= 0 ? this.locations[o + this.locColumn] + 1 : 0,
    };
  }

  /** Calls `fn` for every node that has a definition location. */
  forEachLocation(fn: (nodeOrdinal: number, scriptId: number) => void): void {
    for (const [node, o] of this.locationOf) fn(node, this.locScript >= 0 ? this.locations[o + this.locScript] : 0);
  }

  /** The file of a script id, when allocation tracking saw a function of that script. */
  scriptName(scriptId: number): string | null {
    return this.scriptNames.get(scriptId) ?? null;
  }
}
