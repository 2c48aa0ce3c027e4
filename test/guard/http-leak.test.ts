/**
 * Leak regression of the studio's HTTP path, under the toolkit's assertNoLeak: a real server on 127.0.0.1 (real
 * routes, multipart parsing, render service, result cache, pool and worker) is sent, per iteration, a new upload
 * (a cache miss), the same upload again (a hit), an artwork fetch, an unknown artwork, and three hostile bodies
 * (empty, text, truncated JPEG). The worker's own retention is render-leak.test.ts's; this one measures the main
 * thread, where per-request state lives (signals, sockets, cache entries, metrics). The cache is 1 MB, so it is
 * full, and evicting, before the measured iterations begin. Generous and deterministic: only memory that grows
 * with the iterations fails. The client runs in its own thread: its JIT code and sockets would otherwise grow the
 * measured heap by ~1 KB per iteration. The snapshots are what catch a small leak: this test, run on the render
 * service as it was before linkedAbort (AbortSignal.any on the long-lived shutdown signal), fails naming WeakRef,
 * 2 per iteration, retained by the shutdown signal's dependants set.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { assertNoLeak } from '../../src/memory/index.js';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { startStudio } from '../server/harness.js';
import { photo } from '../imaging/inputs.js';
import { tagged } from './helpers.js';

const WARMUP = 40;
const ITERATIONS = 80;

it('the HTTP path retains nothing per request (assertNoLeak over misses, hits, fetches and hostile input)', { timeout: 240_000 }, async () => {
  // 256 px artworks as PNG are ~100 KB each, so a few renders fill the 1 MB cache during the warm-up.
  const jpeg = await sharp(photo('coffee')).resize(256, 192).jpeg({ quality: 90 }).toBuffer();
  const studio = await startStudio({ threads: 1, cacheMaxBytes: 1024 * 1024 });
  const query = 'styles=sketch,oil&maxSide=256&format=png';
  let n = 0;
  const statuses = new Map<number | string, number>();
  const client = new Worker(new URL('./http-client.worker.mjs', import.meta.url));
  try {
    const report = await assertNoLeak(async () => {
      const upload = tagged(jpeg, `leak-test ${n++}`);
      client.postMessage({ url: studio.url, upload, query, truncated: jpeg.subarray(0, jpeg.length >> 1) });
      const [answer] = (await once(client, 'message')) as [{ statuses?: (number | string)[]; error?: string }];
      if (!answer.statuses) throw new Error(answer.error);
      for (const s of answer.statuses) statuses.set(s, (statuses.get(s) ?? 0) + 1);
    }, { iterations: ITERATIONS, warmup: WARMUP, snapshots: true });
    assert.equal(report.verdict, 'clean');
    const runs = ITERATIONS + WARMUP;
    assert.deepEqual(Object.fromEntries(statuses), { 201: 2 * runs, 'miss-hit': runs, 200: runs, 404: runs, 400: runs, 415: runs, 422: runs });
  } finally {
    await client.terminate();
    await studio.close();
  }
});
