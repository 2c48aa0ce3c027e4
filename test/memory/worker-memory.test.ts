/** Summing the workers' own memory reports: busy workers stay counted, replaced ones drop out. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { BroadcastChannel } from 'node:worker_threads';
import { WorkerMemoryTracker } from '../../src/memory/worker-memory-tracker.js';
import { WORKER_MEMORY_CHANNEL, type WorkerMemoryReport } from '../../src/memory/worker-memory-channel.js';

it('sums the latest report of each live worker, capped at the pool size, forgetting long-silent ones', async () => {
  let now = 1000;
  const tracker = new WorkerMemoryTracker(60_000, () => now);
  const channel = new BroadcastChannel(WORKER_MEMORY_CHANNEL);
  const report = (threadId: number, heapUsed: number): void => {
    const r: WorkerMemoryReport = { threadId, heapUsed, heapTotal: heapUsed * 2, external: 10, arrayBuffers: 5, bufferPoolFree: 7, gcCollections: threadId, gcMs: 1.5, at: now };
    channel.postMessage(r);
  };
  const delivered = () => new Promise((r) => setTimeout(r, 50));
  try {
    report(1, 100);
    report(2, 200);
    await delivered();
    assert.deepEqual(tracker.sum(2), { workers: 2, heapUsed: 300, heapTotal: 600, external: 20, arrayBuffers: 10, bufferPoolFree: 14, gcCollections: 3, gcMs: 3 });
    // Worker 1 is busy for 20 s and silent; worker 2 keeps reporting: both are still counted.
    now += 20_000;
    report(2, 220);
    await delivered();
    assert.equal(tracker.sum(2).heapUsed, 320);
    // Worker 1 died and worker 3 replaced it: the pool has two threads, so the one silent longest goes.
    now += 1000;
    report(3, 50);
    await delivered();
    assert.deepEqual(tracker.sum(2), { workers: 2, heapUsed: 270, heapTotal: 540, external: 20, arrayBuffers: 10, bufferPoolFree: 14, gcCollections: 5, gcMs: 3 });
    // A long silence (longer than any render) drops everyone.
    now += 61_000;
    assert.equal(tracker.sum(2).workers, 0);
  } finally {
    channel.close();
    tracker.close();
  }
});
