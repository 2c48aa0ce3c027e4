/**
 * Imported by a worker thread (the studio's render workers do): posts this thread's V8 memory on the
 * worker-memory channel once a second, and whenever the main thread asks (WorkerMemoryTracker.request). Nothing
 * here keeps the thread alive; in the main thread it does nothing.
 */
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import { WORKER_MEMORY_CHANNEL, type WorkerMemoryReport } from './worker-memory-channel.js';

const REPORT_EVERY_MS = 1000;

type Extra = Pick<WorkerMemoryReport, 'bufferPoolFree' | 'gcCollections' | 'gcMs'>;
let extra: () => Extra = () => ({});

/** What else the worker reports with its memory, e.g. its buffer pool and off-heap collections (render-worker.ts). */
export function reportAlso(fn: () => Extra): void {
  extra = fn;
}

if (!isMainThread) {
  const channel = new BroadcastChannel(WORKER_MEMORY_CHANNEL);
  const report = (): void => {
    const m = process.memoryUsage();
    const msg: WorkerMemoryReport = { threadId, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers, ...extra(), at: Date.now() };
    channel.postMessage(msg);
  };
  channel.onmessage = (event) => {
    if ((event as MessageEvent).data === 'report') report();
  };
  (channel as unknown as { unref(): void }).unref();
  setInterval(report, REPORT_EVERY_MS).unref();
  report();
}
