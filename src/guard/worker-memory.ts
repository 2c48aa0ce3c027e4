/**
 * The main thread's view of the render workers' memory: the last report of each live worker, summed. A worker
 * that stops reporting (it died, or was stopped when idle) drops out after a few missed reports.
 */
import { BroadcastChannel } from 'node:worker_threads';
import { WORKER_MEMORY_CHANNEL, type WorkerMemoryReport } from './worker-channel.js';

export interface WorkersMemory {
  workers: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export class WorkerMemoryTracker {
  private readonly reports = new Map<number, WorkerMemoryReport & { seen: number }>();
  private readonly channel = new BroadcastChannel(WORKER_MEMORY_CHANNEL);

  constructor(private readonly staleAfterMs = 3500, private readonly now: () => number = Date.now) {
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

  sum(): WorkersMemory {
    const out: WorkersMemory = { workers: 0, heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0 };
    const now = this.now();
    // A worker is gone when it stopped reporting while others went on. When every report is old at once, the
    // main thread was the one held up (a heap snapshot, a long GC): the reports queued meanwhile are still coming.
    let newest = -Infinity;
    for (const r of this.reports.values()) newest = Math.max(newest, r.seen);
    for (const [id, r] of this.reports) {
      const silent = now - r.seen;
      if (silent > this.staleAfterMs && (newest - r.seen > this.staleAfterMs / 2 || silent > this.staleAfterMs * 10)) {
        this.reports.delete(id);
        continue;
      }
      out.workers++;
      out.heapUsed += r.heapUsed;
      out.heapTotal += r.heapTotal;
      out.external += r.external;
      out.arrayBuffers += r.arrayBuffers;
    }
    return out;
  }

  close(): void {
    this.channel.close();
  }
}
