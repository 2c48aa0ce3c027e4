/**
 * Diagnostics captures on disk: each one a folder holding a heap snapshot of the main thread, a sampling
 * allocation profile and the toolkit's HTML analysis of both. One capture runs at a time; automatic ones are
 * rate-limited; the folder is kept under a count and a byte bound by removing the oldest captures. A capture
 * that cannot be written (disk full, folder unwritable) fails with a warning and nothing else: the server
 * keeps serving.
 */
import { fork } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import { AtelierError } from '../errors.js';
import { startAllocationSampling, stopAllocationSampling, type SamplingProfile } from '../memory/index.js';
import { captureHeapSnapshot } from '../memory/snapshot/index.js';
import type { AnalysisInput } from './capture-analysis.js';
import type { MemorySample } from './memory-sample.js';

export type CaptureTrigger = 'manual' | 'soft' | 'slope';

export interface CaptureInfo {
  id: string;
  trigger: CaptureTrigger;
  reason: string;
  startedAt: number;
  finishedAt: number | null;
  status: 'running' | 'done' | 'failed';
  error: string | null;
  /** RSS when the capture started. */
  rss: number;
  /** Bytes on disk. */
  bytes: number;
  /** Files of the capture, by role (report.html is the analysis). */
  files: string[];
}

export interface DiagnosticsOptions {
  dir: string;
  maxCaptures: number;
  maxBytes: number;
  minIntervalMs: number;
  profileMs: number;
  log: FastifyBaseLogger;
  /** Samples leading to the capture, for its chart. */
  history: () => MemorySample[];
  now?: () => number;
  /** Writes one capture's files into its (existing) folder; default: snapshot + profile + analysis (writeCapture). */
  write?: CaptureWriter;
}

export type CaptureWriter = (folder: string, capture: CaptureInfo, opts: { profileMs: number; log: FastifyBaseLogger; history: MemorySample[] }) => Promise<void>;

/**
 * The real capture: sample allocations for `profileMs`, take a heap snapshot of the main thread, stop the
 * sampling, and write the toolkit's HTML analysis of both (in a worker thread).
 */
export const writeCapture: CaptureWriter = async (folder, capture, { profileMs, log, history }) => {
  let sampling = false;
  try {
    try {
      await startAllocationSampling();
      sampling = true;
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'diagnostics: allocation sampling unavailable; capturing the heap snapshot only');
    }
    if (profileMs > 0) await new Promise((r) => setTimeout(r, profileMs).unref());
    const snapshotPath = join(folder, CAPTURE_FILES.snapshot);
    await captureHeapSnapshot(snapshotPath);
    let profile: SamplingProfile | null = null;
    if (sampling) {
      sampling = false;
      profile = await stopAllocationSampling({ gc: false });
      writeFileSync(join(folder, CAPTURE_FILES.profile), JSON.stringify(profile));
    }
    const facts: [string, string][] = [
      ['Captured', new Date(capture.startedAt).toISOString()],
      ['Trigger', capture.trigger],
      ['Reason', capture.reason],
      ['RSS at the start', `${(capture.rss / 1048576).toFixed(1)} MiB`],
      ['Process', `pid ${process.pid}, node ${process.version}`],
    ];
    await analyse({ title: `Atelier diagnostics ${capture.id}`, facts, snapshotPath, profile, profileSeconds: profileMs / 1000, history }, join(folder, CAPTURE_FILES.report));
  } finally {
    if (sampling) await stopAllocationSampling({ gc: false }).catch(() => undefined);
  }
};

export const CAPTURE_FILES = { report: 'report.html', snapshot: 'heap.heapsnapshot', profile: 'allocations.heapprofile', meta: 'capture.json' } as const;
const ID = /^\d{8}T\d{6}Z-\d{3}$/;

export function isCaptureId(id: string): boolean {
  return ID.test(id);
}

const here = import.meta.url;
const ANALYSIS_CHILD = fileURLToPath(new URL(`./capture-analysis-child${here.endsWith('.ts') ? '.ts' : '.js'}`, here));

/**
 * Parses the snapshot in a child process: the event loop keeps serving, and the parse's memory (typed arrays
 * of the whole graph) never lands in the server's RSS, where it would look like the very growth being diagnosed.
 */
function analyse(input: AnalysisInput, out: string): Promise<void> {
  const tsx = ANALYSIS_CHILD.endsWith('.ts') && !process.execArgv.some((a) => a.includes('tsx')) ? ['--import', 'tsx'] : [];
  return new Promise((resolve, reject) => {
    const child = fork(ANALYSIS_CHILD, [], { execArgv: [...process.execArgv.filter((a) => !a.startsWith('--inspect')), ...tsx, '--max-old-space-size=2048'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the analysis exited with code ${code}: ${stderr.trim().split('\n').pop() ?? ''}`))));
    child.send({ input, out });
  });
}

/** Best-effort removal: a folder that cannot be cleaned up must not turn a warning into a crash. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // unwritable or already gone
  }
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const f of readdirSync(dir)) total += statSync(join(dir, f)).size;
  return total;
}

function stamp(t: number): string {
  return new Date(t).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

export class DiagnosticsStore {
  private readonly captures: CaptureInfo[] = [];
  private inProgress: Promise<CaptureInfo> | undefined;
  private lastAutomatic = -Infinity;
  private seq = 0;
  private readonly now: () => number;

  constructor(private readonly opts: DiagnosticsOptions) {
    this.now = opts.now ?? Date.now;
    this.loadExisting();
  }

  /** Captures on disk (and the one running), newest first. */
  list(): CaptureInfo[] {
    return [...this.captures].sort((a, b) => b.startedAt - a.startedAt || b.id.localeCompare(a.id));
  }

  get(id: string): CaptureInfo | undefined {
    return this.captures.find((c) => c.id === id);
  }

  filePath(id: string, file: string): string {
    return join(this.opts.dir, id, file);
  }

  get busy(): boolean {
    return this.inProgress !== undefined;
  }

  /** Whether an automatic capture may start now (none running, and the minimum interval has passed). */
  automaticAllowed(): boolean {
    return !this.inProgress && this.now() - this.lastAutomatic >= this.opts.minIntervalMs;
  }

  /**
   * Starts a capture and returns its entry at once (status "running"); `done` settles when it is written or has
   * failed. Refused with RATE_LIMITED while another runs, or for an automatic one inside the minimum interval.
   */
  start(trigger: CaptureTrigger, reason: string, rss: number): { capture: CaptureInfo; done: Promise<CaptureInfo> } {
    if (this.inProgress) throw new AtelierError('RATE_LIMITED', 'a diagnostics capture is already running; wait for it to finish');
    if (trigger !== 'manual') {
      if (!this.automaticAllowed()) throw new AtelierError('RATE_LIMITED', 'automatic captures are rate-limited');
      this.lastAutomatic = this.now();
    }
    const t = this.now();
    const id = `${stamp(t)}-${String(this.seq++ % 1000).padStart(3, '0')}`;
    const capture: CaptureInfo = { id, trigger, reason, startedAt: t, finishedAt: null, status: 'running', error: null, rss, bytes: 0, files: [] };
    this.captures.push(capture);
    const done = this.run(capture).finally(() => {
      this.inProgress = undefined;
    });
    this.inProgress = done;
    return { capture, done };
  }

  private async run(capture: CaptureInfo): Promise<CaptureInfo> {
    const { dir, profileMs, log } = this.opts;
    const folder = join(dir, capture.id);
    try {
      mkdirSync(folder, { recursive: true });
      await (this.opts.write ?? writeCapture)(folder, capture, { profileMs, log, history: this.opts.history() });
      capture.status = 'done';
      capture.finishedAt = this.now();
      this.refresh(capture, folder);
      this.writeMeta(capture, folder);
      this.prune(capture);
      log.info({ capture: capture.id, bytes: capture.bytes, trigger: capture.trigger }, 'diagnostics captured');
    } catch (e) {
      capture.status = 'failed';
      capture.finishedAt = this.now();
      capture.error = `${(e as NodeJS.ErrnoException).code ?? 'ERROR'}: ${(e as Error).message}`.slice(0, 500);
      removeQuietly(folder);
      log.warn({ capture: capture.id, dir, err: capture.error }, 'diagnostics capture failed; the server keeps serving');
    }
    return capture;
  }

  private refresh(capture: CaptureInfo, folder: string): void {
    capture.files = readdirSync(folder).filter((f) => f !== CAPTURE_FILES.meta).sort();
    capture.bytes = dirBytes(folder);
  }

  private writeMeta(capture: CaptureInfo, folder: string): void {
    writeFileSync(join(folder, CAPTURE_FILES.meta), JSON.stringify(capture, null, 2));
    capture.bytes = dirBytes(folder);
  }

  /** Removes the oldest finished captures until both bounds hold; the newest keeps at least its report. */
  private prune(newest: CaptureInfo): void {
    const done = () => this.captures.filter((c) => c.status === 'done').sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
    const total = () => done().reduce((s, c) => s + c.bytes, 0);
    for (let d = done(); d.length > 1 && (d.length > this.opts.maxCaptures || total() > this.opts.maxBytes); d = done()) {
      const old = d[0] === newest ? d[1] : d[0];
      removeQuietly(join(this.opts.dir, old.id));
      this.captures.splice(this.captures.indexOf(old), 1);
      this.opts.log.info({ capture: old.id }, 'diagnostics: removed the oldest capture to stay within the disk bound');
    }
    if (newest.bytes > this.opts.maxBytes) {
      const folder = join(this.opts.dir, newest.id);
      removeQuietly(join(folder, CAPTURE_FILES.snapshot));
      newest.error = `the heap snapshot was removed: the capture exceeded the disk bound of ${this.opts.maxBytes} bytes (its analysis is kept)`;
      this.refresh(newest, folder);
      this.writeMeta(newest, folder);
    }
  }

  /** Captures left by an earlier run of the server, so the list survives restarts. */
  private loadExisting(): void {
    let names: string[];
    try {
      names = readdirSync(this.opts.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.opts.log.warn({ dir: this.opts.dir, err: (e as Error).message }, 'diagnostics folder unreadable');
      return;
    }
    for (const name of names) {
      if (!isCaptureId(name)) continue;
      try {
        const c = JSON.parse(readFileSync(join(this.opts.dir, name, CAPTURE_FILES.meta), 'utf8')) as CaptureInfo;
        if (c.id === name && c.status === 'done') this.captures.push(c);
      } catch {
        // An unfinished capture of a run that stopped mid-capture: not a capture, and its partial files (a
        // snapshot can be hundreds of MB) would escape the bound on the folder's bytes.
        removeQuietly(join(this.opts.dir, name));
        this.opts.log.warn({ capture: name }, 'removed an unfinished diagnostics capture left by an earlier run');
      }
    }
  }
}
