/**
 * Memory over time of any command (mprof run): RSS, USS, PSS and swap of the command's whole process tree,
 * sampled from /proc, plus V8 heap, external and ArrayBuffers of every Node process in the tree, reported by
 * a preloaded sampler. The result carries the peak and the least-squares slope.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtelierError } from '../errors.js';
import { runChildCommand, withPreload } from './child-command.js';
import { processMemory, unexplainedBytes, type HeapSpace } from './process-memory.js';
import { processTree } from './process-tree.js';
import { leastSquares } from './stats.js';
import { toolkitModule } from './toolkit-files.js';

export interface TimelineSample {
  /** Seconds since the command started. */
  t: number;
  rss: number;
  uss: number;
  pss: number;
  swap: number;
  processes: number;
  /** Sums over the Node processes alive at that moment; null when none reported. */
  heapUsed: number | null;
  heapTotal: number | null;
  external: number | null;
  arrayBuffers: number | null;
}

export interface TimelineResult {
  command: string[];
  exitCode: number;
  signal: string | null;
  durationSeconds: number;
  intervalMs: number;
  /** True when at least one Node process in the tree reported V8 figures. */
  node: boolean;
  peak: { rss: number; uss: number; pss: number; heapUsed: number | null; external: number | null };
  /** The last V8 reading of every Node process of the tree (from its exit), as `mem info` shows for itself. */
  nodeProcesses: NodeProcessSummary[];
  /** Least-squares slopes over the whole run, bytes per second. */
  slope: { rss: number; uss: number; heapUsed: number | null };
  /** The slopes' standard errors (LinearFit.slopeError), bytes per second: how far noise alone moves them. */
  slopeError: { rss: number; uss: number; heapUsed: number | null };
  samples: TimelineSample[];
}

export interface NodeProcessSummary {
  pid: number;
  argv: string[];
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  code: number;
  /** RSS − (heapTotal + external + code) at the process's exit. */
  unexplained: number;
  spaces: HeapSpace[];
}

export interface TimelineOptions {
  intervalMs?: number;
  /** Sum the descendants too (default true). */
  includeChildren?: boolean;
  /** Inject the V8 sampler into Node processes through NODE_OPTIONS (default true). */
  sampleNode?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  stdio?: 'inherit' | 'ignore';
}

interface V8Line {
  pid: number; t: number; rss: number; heapUsed: number; heapTotal: number; external: number; arrayBuffers: number;
  /** Only on a process's last line. */
  code?: number; argv?: string[]; spaces?: HeapSpace[];
}

/** Runs `argv` to completion while sampling it. Resolves with the samples; the exit code is the command's. */
export async function runTimeline(argv: string[], opts: TimelineOptions = {}): Promise<TimelineResult> {
  if (argv.length === 0) throw new AtelierError('INVALID_ARGUMENT', 'no command given (usage: atelier mem run -- <command…>)');
  const intervalMs = opts.intervalMs ?? 100;
  if (!(intervalMs >= 10 && intervalMs <= 3_600_000)) throw new AtelierError('INVALID_ARGUMENT', `interval must be between 10ms and 1h (got ${intervalMs}ms)`);
  const dir = mkdtempSync(join(tmpdir(), 'atelier-mem-run-'));
  const samplesFile = join(dir, 'v8.ndjson');
  const env: NodeJS.ProcessEnv = { ...(opts.env ?? process.env) };
  if (opts.sampleNode !== false) {
    env.NODE_OPTIONS = withPreload(env, toolkitModule('sampler-preload').url);
    env.ATELIER_MEM_SAMPLES = samplesFile;
    env.ATELIER_MEM_INTERVAL = String(intervalMs);
  }
  const start = Date.now();
  const samples: Omit<TimelineSample, 'heapUsed' | 'heapTotal' | 'external' | 'arrayBuffers'>[] = [];
  let pid: number | undefined;
  const takeSample = (): void => {
    if (pid === undefined) return;
    const pids = opts.includeChildren === false ? [pid] : processTree(pid);
    let rss = 0, uss = 0, pss = 0, swap = 0, n = 0;
    for (const p of pids) {
      try {
        const m = processMemory(p);
        rss += m.rss; uss += m.uss; pss += m.pss; swap += m.swap; n++;
      } catch {
        // The process ended between the listing and the read.
      }
    }
    if (n > 0) samples.push({ t: (Date.now() - start) / 1000, rss, uss, pss, swap, processes: n });
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    const { exitCode, signal } = await runChildCommand(argv, {
      env, cwd: opts.cwd, stdio: opts.stdio,
      onSpawn: (child) => {
        pid = child.pid;
        takeSample();
        timer = setInterval(takeSample, intervalMs);
      },
    });
    if (timer) clearInterval(timer);
    const v8Lines = readV8Lines(samplesFile);
    const merged = mergeV8(samples, v8Lines, start, intervalMs);
    return summarize(argv, merged, exitCode, signal, (Date.now() - start) / 1000, intervalMs, nodeProcessSummaries(v8Lines));
  } finally {
    if (timer) clearInterval(timer);
    rmSync(dir, { recursive: true, force: true });
  }
}

function readV8Lines(file: string): V8Line[] {
  let text = '';
  try { text = readFileSync(file, 'utf8'); } catch { return []; }
  const out: V8Line[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try { out.push(JSON.parse(line) as V8Line); } catch { /* a line cut by a crash */ }
  }
  return out.sort((a, b) => a.t - b.t);
}

/** For each /proc sample, the sum over Node processes of their latest V8 report not older than two intervals. */
function mergeV8(samples: Omit<TimelineSample, 'heapUsed' | 'heapTotal' | 'external' | 'arrayBuffers'>[], lines: V8Line[], start: number, intervalMs: number): TimelineSample[] {
  const latest = new Map<number, V8Line>();
  let j = 0;
  return samples.map((s) => {
    const at = start + s.t * 1000;
    while (j < lines.length && lines[j].t <= at + intervalMs / 2) { latest.set(lines[j].pid, lines[j]); j++; }
    let heapUsed = 0, heapTotal = 0, external = 0, arrayBuffers = 0, n = 0;
    for (const l of latest.values()) {
      if (at - l.t > 2 * intervalMs + 50) continue;
      heapUsed += l.heapUsed; heapTotal += l.heapTotal; external += l.external; arrayBuffers += l.arrayBuffers; n++;
    }
    return n === 0 ? { ...s, heapUsed: null, heapTotal: null, external: null, arrayBuffers: null } : { ...s, heapUsed, heapTotal, external, arrayBuffers };
  });
}

function nodeProcessSummaries(lines: V8Line[]): NodeProcessSummary[] {
  const out: NodeProcessSummary[] = [];
  for (const l of lines) {
    if (!l.spaces) continue;
    const code = l.code ?? 0;
    out.push({
      pid: l.pid, argv: l.argv ?? [], rss: l.rss, heapUsed: l.heapUsed, heapTotal: l.heapTotal, external: l.external,
      arrayBuffers: l.arrayBuffers, code, unexplained: unexplainedBytes(l.rss, l.heapTotal, l.external, code), spaces: l.spaces,
    });
  }
  return out;
}

function maxOf(values: (number | null)[]): number | null {
  let m: number | null = null;
  for (const v of values) if (v !== null && (m === null || v > m)) m = v;
  return m;
}

export function summarize(command: string[], samples: TimelineSample[], exitCode: number, signal: string | null, durationSeconds: number, intervalMs: number, nodeProcesses: NodeProcessSummary[] = []): TimelineResult {
  const t = samples.map((s) => s.t);
  const withHeap = samples.filter((s) => s.heapUsed !== null);
  const rssFit = leastSquares(t, samples.map((s) => s.rss));
  const ussFit = leastSquares(t, samples.map((s) => s.uss));
  const heapFit = withHeap.length >= 2 ? leastSquares(withHeap.map((s) => s.t), withHeap.map((s) => s.heapUsed as number)) : null;
  return {
    command,
    exitCode,
    signal,
    durationSeconds,
    intervalMs,
    node: withHeap.length > 0 || nodeProcesses.length > 0,
    nodeProcesses,
    peak: {
      rss: maxOf(samples.map((s) => s.rss)) ?? 0,
      uss: maxOf(samples.map((s) => s.uss)) ?? 0,
      pss: maxOf(samples.map((s) => s.pss)) ?? 0,
      heapUsed: maxOf(samples.map((s) => s.heapUsed)),
      external: maxOf(samples.map((s) => s.external)),
    },
    slope: { rss: rssFit.slope, uss: ussFit.slope, heapUsed: heapFit?.slope ?? null },
    slopeError: { rss: rssFit.slopeError, uss: ussFit.slopeError, heapUsed: heapFit?.slopeError ?? null },
    samples,
  };
}

const CSV_COLUMNS = ['t', 'rss', 'uss', 'pss', 'swap', 'processes', 'heapUsed', 'heapTotal', 'external', 'arrayBuffers'] as const;

/** CSV with a header; sizes in bytes, time in seconds, empty cells where a Node figure is missing. */
export function timelineCsv(result: TimelineResult): string {
  const rows = result.samples.map((s) => CSV_COLUMNS.map((c) => (s[c] === null ? '' : c === 't' ? s.t.toFixed(3) : String(s[c]))).join(','));
  return [CSV_COLUMNS.join(','), ...rows].join('\n') + '\n';
}
