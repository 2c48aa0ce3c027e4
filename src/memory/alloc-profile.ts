/**
 * Allocation sites, the Node counterpart of tracemalloc: V8's sampling heap profiler (HeapProfiler.startSampling)
 * keeps, by default, only sampled objects still alive when the profile is taken. This module starts and takes
 * profiles in-process, reads saved .heapprofile files, aggregates live bytes by file:line or by function (self
 * and total), and diffs two profiles (tracemalloc's compare_to).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AtelierError } from '../errors.js';
import { InspectorSession } from './inspector-session.js';
import { isToolkitFile } from './toolkit-files.js';

export interface CallFrame { functionName: string; scriptId: string; url: string; lineNumber: number; columnNumber: number }
export interface SamplingNode { callFrame: CallFrame; selfSize: number; id: number; children: SamplingNode[] }
export interface SamplingProfile { head: SamplingNode; samples?: { size: number; nodeId: number; ordinal: number }[] }

export interface AllocationSite {
  /** "function (file:line)" or "file" depending on the grouping. */
  key: string;
  functionName: string;
  /** A path for files, a URL for anything else ('' for V8 and native frames). */
  file: string;
  /** 1-based line where the allocating function is defined (V8 samples record functions, not lines); 0 if unknown. */
  line: number;
  /** Live bytes allocated at this site itself. */
  selfBytes: number;
  /** Live bytes allocated at this site or in anything it called. */
  totalBytes: number;
}

/** 'function': per function, keyed by where it is defined (tracemalloc's lineno as V8 allows); 'file': per file. */
export type GroupBy = 'function' | 'file';

export interface SiteOptions {
  by?: GroupBy;
  /**
   * Attribute each allocation to the innermost frame of user code (default), so `Buffer.alloc(n)` counts at the
   * caller's line, not inside node:buffer. With `internals: true` the innermost frame wins whatever it is.
   */
  internals?: boolean;
}

// ---- taking profiles in this process ----

let active: InspectorSession | undefined;

/** Starts sampling live allocations in this process (mean interval in bytes, 32 KiB by default). */
export async function startAllocationSampling(opts: { samplingInterval?: number } = {}): Promise<void> {
  if (active) throw new AtelierError('INVALID_ARGUMENT', 'allocation sampling is already running in this process');
  const s = new InspectorSession().connect();
  await s.post('HeapProfiler.enable');
  await s.post('HeapProfiler.startSampling', { samplingInterval: opts.samplingInterval ?? 32768 });
  active = s;
}

/** The live allocations sampled so far (after a full GC, so "live" means reachable), sampling continues. */
export async function takeAllocationProfile(opts: { gc?: boolean } = {}): Promise<SamplingProfile> {
  if (!active) throw new AtelierError('INVALID_ARGUMENT', 'allocation sampling is not running (call startAllocationSampling first)');
  if (opts.gc !== false) await active.post('HeapProfiler.collectGarbage');
  const { profile } = await active.post<{ profile: SamplingProfile }>('HeapProfiler.getSamplingProfile');
  return profile;
}

/** Stops sampling and returns the final profile. */
export async function stopAllocationSampling(opts: { gc?: boolean } = {}): Promise<SamplingProfile> {
  const profile = await takeAllocationProfile(opts);
  const s = active as InspectorSession;
  active = undefined;
  await s.post('HeapProfiler.stopSampling');
  s.disconnect();
  return profile;
}

// ---- reading and aggregating ----

/** Reads and validates a .heapprofile (the JSON that DevTools, `--heap-prof` and this toolkit write). */
export function readAllocationProfile(file: string): SamplingProfile {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new AtelierError(code === 'ENOENT' ? 'NOT_FOUND' : 'INVALID_ARGUMENT', code === 'ENOENT' ? `no such profile: ${file}` : `cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try { json = JSON.parse(text); } catch {
    throw new AtelierError('BAD_SNAPSHOT', `${file} is not a heap profile: not valid JSON (truncated?)`);
  }
  if (!isSamplingNode((json as SamplingProfile)?.head)) throw new AtelierError('BAD_SNAPSHOT', `${file} is not a heap profile: no "head" call tree`);
  return json as SamplingProfile;
}

function isSamplingNode(n: unknown): n is SamplingNode {
  const node = n as SamplingNode;
  return typeof node === 'object' && node !== null && typeof node.selfSize === 'number' && typeof node.callFrame === 'object' && node.callFrame !== null && Array.isArray(node.children);
}

function displayFile(url: string): string {
  if (url.startsWith('file://')) { try { return fileURLToPath(url); } catch { return url; } }
  return url;
}

/** Node's own code, V8's pseudo-frames and the toolkit: places a user cannot fix. */
export function isInternalFrame(cf: CallFrame): boolean {
  const url = cf.url;
  return url === '' || url.startsWith('node:') || url.startsWith('internal/') || !(url.includes('/') || url.includes('\\')) || isToolkitFile(displayFile(url));
}

function siteOf(cf: CallFrame, by: GroupBy): { key: string; functionName: string; file: string; line: number } {
  const file = displayFile(cf.url);
  const line = cf.lineNumber >= 0 ? cf.lineNumber + 1 : 0;
  const functionName = cf.functionName || '(anonymous)';
  if (!file) return { key: functionName, functionName, file: '', line: 0 };
  if (by === 'file') return { key: file, functionName: '', file, line: 0 };
  return { key: `${functionName} (${file}:${line})`, functionName, file, line };
}

/**
 * Live bytes per site, largest self size first. V8's samples record, for each frame, the function and the line
 * where it is defined; no position inside the function exists in the profile, so a site is a function.
 */
export function allocationSites(profile: SamplingProfile, opts: SiteOptions = {}): AllocationSite[] {
  const by = opts.by ?? 'function';
  const sites = new Map<string, AllocationSite>();
  const get = (cf: CallFrame): AllocationSite => {
    const s = siteOf(cf, by);
    let site = sites.get(s.key);
    if (!site) sites.set(s.key, (site = { ...s, selfBytes: 0, totalBytes: 0 }));
    return site;
  };
  // Depth-first with an explicit stack: deep recursion in the profiled program must not overflow ours.
  type Frame = { node: SamplingNode; path: AllocationSite[]; user: AllocationSite | undefined; toolkit: boolean };
  const stack: Frame[] = [{ node: profile.head, path: [], user: undefined, toolkit: false }];
  while (stack.length > 0) {
    const { node, path, user, toolkit: underToolkit } = stack.pop() as Frame;
    const isRoot = node === profile.head;
    const site = isRoot ? undefined : get(node.callFrame);
    const userHere = site && !isInternalFrame(node.callFrame) ? site : user;
    const toolkit = underToolkit || isToolkitFile(displayFile(node.callFrame.url));
    const here = site ? [...path, site] : path;
    // What the toolkit's own preload allocates (its inspector session) is not the program's memory.
    if (node.selfSize > 0 && site && !(toolkit && !userHere)) {
      const owner = opts.internals ? site : (userHere ?? site);
      owner.selfBytes += node.selfSize;
      for (const s of new Set(here)) s.totalBytes += node.selfSize;
    }
    for (const c of node.children) stack.push({ node: c, path: here, user: userHere, toolkit });
  }
  // Frames with no script and nothing allocated by themselves (V8's pseudo-frames) say nothing.
  return [...sites.values()].filter((s) => s.selfBytes > 0 || (s.file !== '' && s.totalBytes > 0)).sort((a, b) => b.selfBytes - a.selfBytes || b.totalBytes - a.totalBytes);
}

export interface SiteDiff { key: string; functionName: string; file: string; line: number; before: number; after: number; diff: number }

/** The growth of live bytes per site from profile a to profile b, largest absolute change first. */
export function compareProfiles(a: SamplingProfile, b: SamplingProfile, opts: SiteOptions = {}): SiteDiff[] {
  const before = new Map(allocationSites(a, opts).map((s) => [s.key, s]));
  const after = new Map(allocationSites(b, opts).map((s) => [s.key, s]));
  const out: SiteDiff[] = [];
  for (const key of new Set([...before.keys(), ...after.keys()])) {
    const x = before.get(key), y = after.get(key);
    const site = (y ?? x) as AllocationSite;
    const diff = (y?.selfBytes ?? 0) - (x?.selfBytes ?? 0);
    if (diff !== 0 || (x?.selfBytes ?? 0) > 0) {
      out.push({ key, functionName: site.functionName, file: site.file, line: site.line, before: x?.selfBytes ?? 0, after: y?.selfBytes ?? 0, diff });
    }
  }
  return out.sort((p, q) => Math.abs(q.diff) - Math.abs(p.diff) || q.after - p.after);
}

/** Profiles of several processes as one, under a synthetic root, so they aggregate and save like one. */
export function mergeProfiles(profiles: SamplingProfile[]): SamplingProfile {
  if (profiles.length === 1) return profiles[0];
  let id = 0;
  const head: SamplingNode = { callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, selfSize: 0, id: ++id, children: [] };
  for (const p of profiles) head.children.push(p.head);
  return { head, samples: profiles.flatMap((p) => p.samples ?? []) };
}
