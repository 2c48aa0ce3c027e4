/**
 * Process memory as the kernel and V8 see it (psutil's memory_full_info, plus what only V8 knows).
 * Any process: RSS, USS, PSS and swap from /proc/<pid>/smaps_rollup. This process: V8 heap per space,
 * external, ArrayBuffers, and the RSS that neither explains (allocator retention, native addons, thread stacks).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import v8 from 'node:v8';
import { AtelierError } from '../errors.js';

export interface ProcessMemory {
  pid: number;
  /** Resident set size: every resident page, shared ones included. */
  rss: number;
  /** Unique set size: Private_Clean + Private_Dirty, what would be freed if the process died. */
  uss: number;
  /** Proportional set size: shared pages divided among their sharers. */
  pss: number;
  swap: number;
}

export interface HeapSpace { name: string; used: number; size: number; available: number; physical: number }

export interface NodeMemory extends ProcessMemory {
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Resident code of the binary and shared libraries (RssFile); V8's JIT code is inside heapTotal. */
  code: number;
  spaces: HeapSpace[];
  /** RSS − (heapTotal + external + code): allocator retention, native memory unknown to V8, thread stacks. */
  unexplained: number;
}

/** Fields of smaps_rollup we read, in kB. */
function parseSmapsRollup(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s+(\d+)\s+kB/.exec(line);
    if (m) out[m[1]] = Number(m[2]) * 1024;
  }
  return out;
}

export function validatePid(pid: unknown): number {
  const n = typeof pid === 'string' ? Number(pid) : pid;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0 || (typeof pid === 'string' && !/^\d+$/.test(pid.trim()))) {
    throw new AtelierError('INVALID_ARGUMENT', `pid must be a positive integer (got "${String(pid)}")`);
  }
  return n;
}

/** RSS, USS, PSS and swap of any process this user may inspect. Linux only. */
export function processMemory(pid: number = process.pid): ProcessMemory {
  const id = validatePid(pid);
  try {
    return fromRollup(id, readFileSync(rollupPath(id), 'utf8'));
  } catch (e) {
    throw rollupError(e, id);
  }
}

/**
 * processMemory without blocking the event loop. The kernel walks every mapping of the process to build
 * smaps_rollup, which takes milliseconds for a process the size of the studio (~4 ms measured with its render
 * workers busy); a server that samples itself every second reads it on a libuv thread instead.
 */
export async function processMemoryAsync(pid: number = process.pid): Promise<ProcessMemory> {
  const id = validatePid(pid);
  try {
    return fromRollup(id, await readFile(rollupPath(id), 'utf8'));
  } catch (e) {
    throw rollupError(e, id);
  }
}

const rollupPath = (id: number): string => `/proc/${id}/smaps_rollup`;

function fromRollup(id: number, text: string): ProcessMemory {
  const f = parseSmapsRollup(text);
  // A zombie or kernel thread has an empty rollup: report zeros rather than failing.
  return {
    pid: id,
    rss: f.Rss ?? 0,
    uss: (f.Private_Clean ?? 0) + (f.Private_Dirty ?? 0),
    pss: f.Pss ?? 0,
    swap: f.Swap ?? 0,
  };
}

function rollupError(e: unknown, id: number): AtelierError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ESRCH') return new AtelierError('PROCESS_NOT_FOUND', `no process with pid ${id}`);
  if (code === 'EACCES' || code === 'EPERM') {
    return new AtelierError('INVALID_ARGUMENT', `permission denied reading ${rollupPath(id)} (the process belongs to another user)`);
  }
  return new AtelierError('INTERNAL', `cannot read ${rollupPath(id)}: ${(e as Error).message}`);
}

/** The V8 side of a Node process, measured inside it. */
export function v8Memory(): Omit<NodeMemory, keyof ProcessMemory | 'unexplained'> & { rss: number } {
  const mu = process.memoryUsage();
  return {
    rss: mu.rss,
    heapUsed: mu.heapUsed,
    heapTotal: mu.heapTotal,
    external: mu.external,
    arrayBuffers: mu.arrayBuffers,
    code: residentFileBytes(process.pid),
    spaces: v8.getHeapSpaceStatistics().map((s) => ({
      name: s.space_name,
      used: s.space_used_size,
      size: s.space_size,
      available: s.space_available_size,
      physical: s.physical_space_size,
    })),
  };
}

/**
 * Resident file-backed pages (RssFile in /proc/<pid>/status): the node binary and shared libraries' code.
 * V8's own generated code lives in the heap and is already in heapTotal.
 */
export function residentFileBytes(pid: number): number {
  try {
    const m = /^RssFile:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Everything about this Node process: kernel view plus V8 view plus the unexplained remainder. */
export function nodeMemory(): NodeMemory {
  const v = v8Memory();
  const p = processMemory(process.pid);
  return combineNodeMemory(p, v);
}

/** RSS that V8 does not account for: allocator retention, native memory unknown to V8, thread stacks. */
export function unexplainedBytes(rss: number, heapTotal: number, external: number, code: number): number {
  return Math.max(0, rss - (heapTotal + external + code));
}

/** Joins a kernel reading with a V8 reading of the same process (also used for a Node child's report). */
export function combineNodeMemory(p: ProcessMemory, v: Omit<NodeMemory, keyof ProcessMemory | 'unexplained'>): NodeMemory {
  const { heapUsed, heapTotal, external, arrayBuffers, code, spaces } = v;
  return { ...p, heapUsed, heapTotal, external, arrayBuffers, code, spaces, unexplained: unexplainedBytes(p.rss, heapTotal, external, code) };
}
