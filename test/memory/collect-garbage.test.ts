/** GCs on demand, and the off-heap collector that runs one only when dead ArrayBuffers pile up. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { collectGarbage, getGc, offHeapCollector } from '../../src/memory/collect-garbage.js';

const MB = 1024 * 1024;

function makeGarbage(bytes: number): void {
  let keep: ArrayBuffer[] | null = [];
  for (let made = 0; made < bytes; made += MB) keep.push(new ArrayBuffer(MB));
  keep = null;
}

/** V8 may hand the freeing of dead backing stores to a concurrent sweeper: give it a bounded moment. */
async function arrayBuffersBelow(limit: number, ms = 2000): Promise<boolean> {
  const end = Date.now() + ms;
  while (process.memoryUsage().arrayBuffers >= limit) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

it('collects when dead ArrayBuffers pass the threshold, and frees them', async () => {
  collectGarbage();
  await arrayBuffersBelow(Infinity);
  const base = process.memoryUsage().arrayBuffers;
  const collector = offHeapCollector({ thresholdBytes: 16 * MB, retained: () => base });
  assert.equal(collector.check(), false, 'nothing dead yet');
  makeGarbage(48 * MB);
  assert.ok(process.memoryUsage().arrayBuffers - base >= 40 * MB, 'V8 has not collected them on its own yet');
  assert.equal(collector.check(), true);
  assert.equal(collector.stats().fullCollections, 0, 'a scavenge first');
  // Most of them go with the scavenge. Those V8 already promoted while they were being made (its own scavenges
  // under the allocation) survive it, and the next check's full GC takes them: freed within two checks.
  if (!(await arrayBuffersBelow(base + 8 * MB, 300))) assert.equal(collector.check(), true);
  assert.ok(await arrayBuffersBelow(base + 8 * MB), `the dead buffers are freed (${process.memoryUsage().arrayBuffers - base} bytes above the start)`);
  const s = collector.stats();
  assert.ok(s.collections === 1 || (s.collections === 2 && s.fullCollections === 1), JSON.stringify(s));
  assert.ok(s.gcMs > 0);
});

it('runs a full GC when a scavenge left the threshold passed (the dead buffers had grown old)', async () => {
  collectGarbage();
  await arrayBuffersBelow(Infinity);
  const base = process.memoryUsage().arrayBuffers;
  const collector = offHeapCollector({ thresholdBytes: 16 * MB, retained: () => base });
  let old: ArrayBuffer[] | null = Array.from({ length: 48 }, () => new ArrayBuffer(MB));
  // Two scavenges survived: the buffers' objects are promoted to the old generation.
  getGc()({ type: 'minor' });
  getGc()({ type: 'minor' });
  assert.equal(old.length, 48);
  old = null;
  assert.equal(collector.check(), true);
  assert.equal(collector.stats().fullCollections, 0, 'a scavenge first');
  // Whatever the scavenge freed is freed by now; old garbage is not.
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(process.memoryUsage().arrayBuffers - base > 40 * MB, 'old garbage survives a scavenge');
  assert.equal(collector.check(), true);
  assert.equal(collector.stats().fullCollections, 1);
  assert.ok(await arrayBuffersBelow(base + 8 * MB), `freed by the full GC (${process.memoryUsage().arrayBuffers - base} bytes above the start)`);
  assert.equal(collector.check(), false);
});

it('does not count what the program says it retains', () => {
  collectGarbage();
  const base = process.memoryUsage().arrayBuffers;
  const live = Array.from({ length: 32 }, () => new ArrayBuffer(MB));
  const collector = offHeapCollector({ thresholdBytes: 16 * MB, retained: () => base + live.length * MB });
  assert.equal(collector.check(), false, '32 MB alive on purpose is not garbage');
  assert.equal(live.length, 32);
  assert.throws(() => offHeapCollector({ thresholdBytes: -1 }), /thresholdBytes must be a number of bytes ≥ 0, got -1/);
});
