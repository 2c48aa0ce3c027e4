/**
 * A render worker's BufferPool between jobs: kept while jobs keep coming, dropped once the worker has been idle.
 * Alone in its file: the tracker hears every worker of the process, and this pool's must be the only one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRenderPool } from '../../src/pool/index.js';
import { WorkerMemoryTracker } from '../../src/memory/index.js';
import { photo } from '../imaging/inputs.js';

test('a worker keeps its working buffers between jobs and gives them back once idle', async () => {
  const tracker = new WorkerMemoryTracker();
  const p = createRenderPool({ threads: 1, idleReleaseMs: 1500 });
  const poolFree = async (until: (bytes: number) => boolean, within: number): Promise<number> => {
    const end = Date.now() + within;
    let bytes = -1;
    while (Date.now() < end) {
      tracker.request();
      await new Promise((r) => setTimeout(r, 50));
      bytes = tracker.sum().bufferPoolFree;
      if (until(bytes)) return bytes;
    }
    return bytes;
  };
  try {
    const started = Date.now();
    await p.run({ input: photo('coffee'), requests: [{ style: 'watercolor' }, { style: 'oil' }], maxSide: 256, format: 'png' });
    const kept = await poolFree((b) => b > 0, 1000);
    // Float RGB of 256×171 alone is 525 KB; checked before the idle time can have passed.
    assert.ok(kept > 500_000 && Date.now() - started < 1500, `kept ${kept} B after the job`);
    assert.equal(await poolFree((b) => b === 0, 6000), 0, 'released once idle');
  } finally {
    tracker.close();
    await p.close();
  }
});
