/**
 * Bounded work: a full queue answers 503 at once, a client that leaves aborts its job, a request past its time
 * limit gets 504, and a draining server is not ready. Every slow job here is stopped by the test (abort or
 * time limit), so the file stays fast whatever the filters' speed.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bigPhoto, get, metric, postRaw, smallPhoto, startStudio, until, type Answer } from './harness.js';

const SLOW = 'styles=oil,watercolor&maxSide=2400&oil.size=20&watercolor.sigmaS=200';

describe('load shedding, aborts and time limits', () => {
  it('answers 503 with Retry-After at once when the queue is full, and readyz says so', async () => {
    const s = await startStudio({ threads: 1, maxQueue: 1, retryAfterSeconds: 3 });
    try {
      const small = await smallPhoto(40);
      assert.equal((await postRaw(s.url, small, 'image/png', 'styles=sketch')).status, 201);
      const controllers = [0, 1].map(() => new AbortController());
      const photos = await Promise.all([0, 1, 2, 3].map((i) => bigPhoto(i)));
      const pending = [0, 1].map((i) => postRaw(s.url, photos[i], 'image/jpeg', SLOW, controllers[i].signal).catch((e: Error) => e));
      await until(() => s.studio.poolStats().queued === 1 && s.studio.poolStats().running === 1, 'one job running and one queued');
      const ready = await get(s.url, '/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.json.reason, 'queue full');
      const started = performance.now();
      const shed = await Promise.all([2, 3].map((i) => postRaw(s.url, photos[i], 'image/jpeg', SLOW)));
      const elapsed = performance.now() - started;
      for (const a of shed) {
        assert.equal(a.status, 503);
        assert.equal(a.json.error.code, 'OVERLOADED');
        assert.equal(a.headers.get('retry-after'), '3');
      }
      assert.ok(elapsed < 2000, `shed at once, took ${elapsed.toFixed(0)} ms`);
      const text = (await get(s.url, '/metrics')).body.toString();
      assert.equal(metric(text, 'atelier_load_shed_total'), 2);
      assert.equal(metric(text, 'atelier_queue_depth'), 1);
      // A cached render is still served while the queue is full: it costs no rendering.
      const hit = await postRaw(s.url, small, 'image/png', 'styles=sketch');
      assert.equal(hit.status, 201);
      assert.equal(hit.json.cached, true);
      for (const c of controllers) c.abort();
      const results = await Promise.all(pending);
      for (const r of results) assert.ok(r instanceof Error, 'aborted by the test');
      await until(() => s.studio.poolStats().running === 0 && s.studio.poolStats().queued === 0, 'the pool to empty');
      assert.equal((await get(s.url, '/readyz')).status, 200);
    } finally {
      await s.close();
    }
  });

  it('sheds renders with 503 when the uploads held by requests in flight would pass their byte bound', async () => {
    const photos = await Promise.all([70, 71].map((i) => bigPhoto(i)));
    const s = await startStudio({ threads: 1, maxQueue: 8, maxPendingUploadBytes: Math.ceil(photos[0].length * 1.5) });
    try {
      const first = new AbortController();
      const pending = postRaw(s.url, photos[0], 'image/jpeg', SLOW, first.signal).catch((e: Error) => e);
      await until(() => s.studio.poolStats().running === 1, 'the first render to start');
      const shed = await postRaw(s.url, photos[1], 'image/jpeg', SLOW);
      assert.equal(shed.status, 503);
      assert.equal(shed.json.error.code, 'OVERLOADED');
      assert.match(shed.json.error.message, /uploads in flight already hold/);
      first.abort();
      await pending;
    } finally {
      await s.close();
    }
  });

  it('a client that disconnects aborts its running job and its queued one', async () => {
    const s = await startStudio({ threads: 1, maxQueue: 4 });
    try {
      const running = new AbortController();
      const queued = new AbortController();
      const a = postRaw(s.url, await bigPhoto(10), 'image/jpeg', SLOW, running.signal).catch((e: Error) => e);
      await until(() => s.studio.poolStats().running === 1, 'the job to start');
      const b = postRaw(s.url, await bigPhoto(11), 'image/jpeg', SLOW, queued.signal).catch((e: Error) => e);
      await until(() => s.studio.poolStats().queued === 1, 'the second job to queue');
      queued.abort();
      await until(() => s.studio.poolStats().queued === 0, 'the queued job to be dropped', 3000);
      assert.equal(s.studio.poolStats().running, 1, 'the other job still runs');
      running.abort();
      await until(() => s.studio.poolStats().running === 0, 'the running job to stop', 3000);
      assert.ok((await a) instanceof Error && (await b) instanceof Error);
      await until(() => s.studio.renders.inFlight === 0, 'the service to settle', 3000);
      const text = (await get(s.url, '/metrics')).body.toString();
      assert.equal(metric(text, 'atelier_jobs_aborted_total', { reason: 'client_closed' }), 2);
      assert.equal(s.studio.pool.stats().completed, 0, 'neither job ran to its end');
      // The pool still renders.
      const ok = await postRaw(s.url, await smallPhoto(20), 'image/png', 'styles=sketch');
      assert.equal(ok.status, 201);
    } finally {
      await s.close();
    }
  });

  it('a request over its time limit gets 504 and its job is stopped', async () => {
    const s = await startStudio({ threads: 1, requestTimeoutMs: 300 });
    try {
      const started = performance.now();
      const a = await postRaw(s.url, await bigPhoto(12), 'image/jpeg', SLOW);
      const elapsed = performance.now() - started;
      assert.equal(a.status, 504, a.body.toString());
      assert.equal(a.json.error.code, 'TIMEOUT');
      assert.match(a.json.error.message, /0\.3 s/);
      assert.ok(elapsed < 3000, `answered soon after the limit (${elapsed.toFixed(0)} ms)`);
      await until(() => s.studio.poolStats().running === 0, 'the job to stop', 3000);
      const text = (await get(s.url, '/metrics')).body.toString();
      assert.equal(metric(text, 'atelier_jobs_aborted_total', { reason: 'timeout' }), 1);
    } finally {
      await s.close();
    }
  });

  it('while draining: readyz is 503, new renders get 503 NOT_READY, the in-flight render finishes', async () => {
    const s = await startStudio({ threads: 1 });
    let closed = false;
    try {
      const inFlight = postRaw(s.url, await bigPhoto(30), 'image/jpeg', 'styles=oil&maxSide=1600&oil.size=15');
      await until(() => s.studio.renders.inFlight === 1, 'the render to start');
      const closing = s.shutdown('test').then(() => (closed = true));
      const ready = await get(s.url, '/readyz');
      assert.equal(ready.status, 503);
      assert.equal(ready.json.reason, 'draining');
      const refused = await postRaw(s.url, await smallPhoto(31), 'image/png', 'styles=sketch');
      assert.equal(refused.status, 503);
      assert.equal(refused.json.error.code, 'NOT_READY');
      assert.ok(refused.headers.get('retry-after'));
      const done: Answer = await inFlight;
      assert.equal(done.status, 201, done.body.toString());
      await closing;
      assert.ok(closed);
    } finally {
      if (!closed) await s.close();
    }
  });
});
