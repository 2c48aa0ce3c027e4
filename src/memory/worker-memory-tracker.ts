/**
 * The main thread's view of its worker threads' memory (each reports its own, worker-memory-reporter.ts): the
 * last report of each live worker, summed. A worker that stops reporting (it died, or was stopped when idle)
 * drops out after a few missed reports.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { WORKER_MEMORY_CHANNEL, type WorkerMemoryReport } from './worker-memory-channel.js';

export interface WorkersMemory {
  workers: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  bufferPoolFree: number;
  gcCollections: number;
  gcMs: number;
}

export class WorkerMemoryTracker {
  private readonly reports = new Map<number, WorkerMemoryReport & { seen: number }>();
  private readonly channel = new BroadcastChannel(WORKER_MEMORY_CHANNEL);

  constructor(private readonly staleAfterMs = 60_000, private readonly now: () => number = Date.now) {
    this.channel.onmessage = (event) => {
      const r = (event as MessageEvent).data as WorkerMemoryReport;
      if (r && typeof r === 'object' && typeof r.threadId === 'number') this.reports.set(r.threadId, { ...r, seen: this.now() });
    };
    (this.channel as unknown as { unref(): void }).unref();
  }

  /** Asks every worker for a fresh report (answers arrive asynchronously, before the next sample). */
  request(): void {
    this.channel.postMessage('report');
  }

  /**
   * The reports of at most `threads` workers, the most recently heard first. A worker busy with a long render
   * cannot report (its event loop is held by the filters) but is alive, so silence alone says little: a worker
   * is dropped when a newer one takes its place beyond the pool's size (it died and was replaced), or after a
   * silence longer than any render may last.
   */
  sum(threads = Infinity): WorkersMemory {
    const out: WorkersMemory = { workers: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, bufferPoolFree: 0, gcCollections: 0, gcMs: 0 };
    const now = this.now();
    const byRecency = [...this.reports.entries()].sort((a, b) => b[1].seen - a[1].seen);
    for (const [i, [id, r]] of byRecency.entries()) {
      if (i >= threads || now - r.seen > this.staleAfterMs) {
        this.reports.delete(id);
        continue;
      }
      out.workers++;
      out.heapUsed += r.heapUsed;
      out.heapTotal += r.heapTotal;
      out.external += r.external;
      out.arrayBuffers += r.arrayBuffers;
      out.bufferPoolFree += r.bufferPoolFree ?? 0;
      out.gcCollections += r.gcCollections ?? 0;
      out.gcMs += r.gcMs ?? 0;
    }
    return out;
  }

  close(): void {
    this.channel.close();
  }
}
