/**
 * The render pool: piscina worker threads behind a bounded queue. The CLI and the studio both render through
 * it, so the event loop never touches pixels. Admission is counted here, not left to piscina, so "full" means
 * exactly `threads + maxQueue` jobs in the pool and an extra one is refused at once with OVERLOADED.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { ResourceLimits } from 'node:worker_threads';
import { Piscina } from 'piscina';
// sharp's maintainers ask for it to be loaded in the main thread when workers use it: otherwise glibc may
// unload libvips when a worker is stopped (idle timeout, abort) while another still runs it.
import 'sharp';
import { AtelierError, isAtelierError, reviveError } from '../errors.js';
import { validateInteger } from '../imaging/limits.js';
import type { RenderJob, RenderResult } from './render-job.js';
import { DEFAULT_GC_THRESHOLD_BYTES, DEFAULT_IDLE_RELEASE_MS, WARM_UP_TASK, type RenderWorkerData } from './worker-data.js';
import { linkedAbort } from './linked-abort.js';

export interface RenderPoolOptions {
  /** Worker threads; default one per core. */
  threads?: number;
  /** Threads kept alive while idle; default all of them, so a request never waits for a thread to start. */
  minThreads?: number;
  /** Jobs that may wait for a thread; one more is refused with OVERLOADED. Default 32. */
  maxQueue?: number;
  /** Milliseconds before a thread above minThreads that has nothing to do is stopped. Default 30 000. */
  idleTimeout?: number;
  /** V8 heap limits per worker; a worker that exceeds them dies and the job fails with WORKER_CRASHED. */
  resourceLimits?: ResourceLimits;
  /** The worker module. Default: render-worker next to this file. Tests substitute one with the same contract. */
  workerFile?: string | URL;
  /** Dead ArrayBuffer bytes a worker may hold after a job before it collects them (default 8 MiB; offHeapCollector). */
  gcThresholdBytes?: number;
  /** A worker idle this long drops its pooled working buffers (default 10 s; 0: after every job). */
  idleReleaseMs?: number;
  /**
   * Each worker renders a small synthetic photo (as RGB, grey and RGBA) through every style when the pool starts
   * (one warm-up task per thread), so that the first real jobs run optimised code (default false; the studio turns
   * it on, and reports not ready until it is done). Jobs that arrive meanwhile wait behind it.
   */
  warmUp?: boolean;
}

export interface RunOptions {
  /** Aborts the job whether it is queued or running. An AtelierError given as the reason is what run() rejects with. */
  signal?: AbortSignal;
  /** Aborts the job with TIMEOUT after this many milliseconds. */
  timeoutMs?: number;
  /**
   * Hand the input's memory to the worker instead of copying it (default true). The caller's buffer is then
   * detached (length 0). A view on part of a larger or shared buffer is always copied.
   */
  transferInput?: boolean;
}

export interface RenderPoolStats {
  threads: number;
  /** Jobs waiting for a thread. */
  queued: number;
  /** Jobs on a thread. */
  running: number;
  /** threads + maxQueue: how many jobs the pool holds before refusing. */
  capacity: number;
  /** The next job would be refused with OVERLOADED. */
  full: boolean;
  /** Share of the threads' time spent on jobs since the pool started, 0–1. */
  utilisation: number;
  /** The workers' start-up warm-up (RenderPoolOptions.warmUp) is still running. */
  warming: boolean;
  completed: number;
  failed: number;
  aborted: number;
  overloaded: number;
  crashed: number;
}

export interface RenderPool {
  run(job: RenderJob, options?: RunOptions): Promise<RenderResult>;
  stats(): RenderPoolStats;
  /** Refuses new jobs, lets queued and running ones finish (or aborts them with force), stops the threads. */
  close(options?: { force?: boolean }): Promise<void>;
}

export const DEFAULT_MAX_QUEUE = 32;

const here = import.meta.url;
/** Under tsx the sources run as .ts; built, they are .js. The worker is whichever sits next to this file. */
const DEFAULT_WORKER = new URL(`./render-worker${here.endsWith('.ts') ? '.ts' : '.js'}`, here);

function workerExecArgv(file: string): string[] | undefined {
  // Workers inherit the parent's execArgv; a TypeScript worker also needs tsx if the parent was started without it.
  if (!file.endsWith('.ts') || process.execArgv.some((a) => a.includes('tsx'))) return undefined;
  return [...process.execArgv, '--import', 'tsx'];
}

function transferable(input: RenderJob['input'], transfer: boolean): { input: RenderJob['input']; transferList: ArrayBuffer[] } {
  if (input instanceof ArrayBuffer) return transfer ? { input, transferList: [input] } : { input: input.slice(0), transferList: [] };
  if (!(input instanceof Uint8Array)) return { input, transferList: [] };
  const whole = input.buffer instanceof ArrayBuffer && input.byteOffset === 0 && input.byteLength === input.buffer.byteLength;
  if (transfer && whole) return { input, transferList: [input.buffer as ArrayBuffer] };
  const copy = new Uint8Array(input);
  return { input: copy, transferList: [copy.buffer] };
}

export function createRenderPool(options: RenderPoolOptions = {}): RenderPool {
  const threads = validateInteger(options.threads ?? availableParallelism(), 'threads', 1, 256);
  const minThreads = validateInteger(options.minThreads ?? threads, 'minThreads', 0, threads);
  const maxQueue = validateInteger(options.maxQueue ?? DEFAULT_MAX_QUEUE, 'maxQueue', 0, 1_000_000);
  const idleTimeout = validateInteger(options.idleTimeout ?? 30_000, 'idleTimeout', 0, 2_147_483_647);
  const file = options.workerFile instanceof URL ? fileURLToPath(options.workerFile) : options.workerFile ?? fileURLToPath(DEFAULT_WORKER);
  const capacity = threads + maxQueue;
  const gcThresholdBytes = validateInteger(options.gcThresholdBytes ?? DEFAULT_GC_THRESHOLD_BYTES, 'gcThresholdBytes', 0, Number.MAX_SAFE_INTEGER);
  const idleReleaseMs = validateInteger(options.idleReleaseMs ?? DEFAULT_IDLE_RELEASE_MS, 'idleReleaseMs', 0, 2_147_483_647);
  const workerData: RenderWorkerData = { gcThresholdBytes, idleReleaseMs };

  const piscina = new Piscina({
    filename: file,
    minThreads,
    maxThreads: threads,
    idleTimeout,
    execArgv: workerExecArgv(file),
    workerData,
    // piscina's default ('sync') parks an idle worker in Atomics.wait, which stops its event loop: the worker's
    // memory reports (src/memory/worker-memory-reporter.ts) then stop after the first job. 'async' waits without blocking;
    // its cost is nothing next to a render.
    atomics: 'async',
    ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
  });
  let active = 0;
  let closing = false;
  const counts = { completed: 0, failed: 0, aborted: 0, overloaded: 0, crashed: 0 };
  // A worker that dies with no job on it is reported here; unhandled, the event would end the process.
  piscina.on('error', () => {
    counts.crashed++;
  });
  let warming = options.warmUp === true;
  if (warming) {
    // One task per thread: idle workers each take one. A failed warm-up only costs speed.
    void Promise.all(Array.from({ length: threads }, () => piscina.run(WARM_UP_TASK).catch(() => {}))).then(() => {
      warming = false;
    });
  }

  function abortReason(reason: unknown, timeoutMs: number | undefined): AtelierError {
    if (isAtelierError(reason)) return reviveError(reason) as AtelierError;
    if ((reason as { name?: string } | undefined)?.name === 'TimeoutError') {
      return new AtelierError('TIMEOUT', `rendering took longer than ${timeoutMs ?? '?'} ms`);
    }
    if (closing) return new AtelierError('NOT_READY', 'the render pool is shutting down');
    return new AtelierError('CLIENT_CLOSED', 'the render was aborted');
  }

  function classify(e: unknown, timeoutMs: number | undefined): AtelierError {
    if ((e as { name?: string } | null)?.name === 'AbortError') {
      counts.aborted++;
      return abortReason((e as { cause?: unknown }).cause, timeoutMs);
    }
    if (isAtelierError(e)) {
      counts.failed++;
      return reviveError(e) as AtelierError;
    }
    // Anything else came from piscina: the worker died (uncaught error, exit, out of memory) or never started.
    counts.crashed++;
    const err = e as { code?: string; message?: string };
    const why = err?.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'ran out of memory' : `crashed (${String(err?.message ?? e).split('\n')[0]})`;
    return new AtelierError('WORKER_CRASHED', `the render worker ${why}`, { cause: e });
  }

  async function run(job: RenderJob, runOptions: RunOptions = {}): Promise<RenderResult> {
    if (closing) throw new AtelierError('NOT_READY', 'the render pool is shutting down');
    const { timeoutMs } = runOptions;
    if (timeoutMs !== undefined) validateInteger(timeoutMs, 'timeoutMs', 1, 2_147_483_647);
    if (active >= capacity) {
      counts.overloaded++;
      throw new AtelierError('OVERLOADED', `the render queue is full (${maxQueue} waiting, ${threads} running); try again shortly`);
    }
    const signals = [runOptions.signal, timeoutMs !== undefined ? AbortSignal.timeout(timeoutMs) : undefined].filter((s): s is AbortSignal => s !== undefined);
    // The caller's signal may live long (a batch, a server's shutdown): link to it, and let go when the job ends.
    const link = signals.length > 1 ? linkedAbort(signals) : undefined;
    const signal = link ? link.signal : signals[0];
    if (signal?.aborted) {
      link?.dispose();
      counts.aborted++;
      throw abortReason(signal.reason, timeoutMs);
    }
    const { input, transferList } = transferable(job.input, runOptions.transferInput !== false);
    active++;
    try {
      const result = (await piscina.run({ ...job, input }, { transferList, signal })) as RenderResult;
      counts.completed++;
      return result;
    } catch (e) {
      throw classify(e, timeoutMs);
    } finally {
      link?.dispose();
      active--;
    }
  }

  function stats(): RenderPoolStats {
    const queued = Math.min(active, piscina.queueSize);
    return { threads, queued, running: active - queued, capacity, full: active >= capacity, utilisation: piscina.utilization, warming, ...counts };
  }

  async function close(closeOptions: { force?: boolean } = {}): Promise<void> {
    closing = true;
    await piscina.close({ force: closeOptions.force === true });
    await piscina.destroy();
  }

  return { run, stats, close };
}
