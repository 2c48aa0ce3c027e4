import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import sharp from 'sharp';
import { createRenderPool, type RenderJob, type RenderPool } from '../../src/pool/index.js';
import { AtelierError, type ErrorCode } from '../../src/errors.js';
import { decode } from '../../src/imaging/index.js';
import { photo, truncate, pngBomb } from '../imaging/inputs.js';
import type { TestJob } from './fixtures/test-worker.js';

const testWorker = new URL('./fixtures/test-worker.ts', import.meta.url);
const pools: RenderPool[] = [];
function pool(options: Parameters<typeof createRenderPool>[0] = {}): RenderPool {
  const p = createRenderPool({ workerFile: testWorker, threads: 1, ...options });
  pools.push(p);
  return p;
}
after(async () => {
  await Promise.all(pools.map((p) => p.close({ force: true })));
});

const job = (t: Partial<TestJob>): RenderJob => ({ input: new Uint8Array(0), requests: [{ style: 'oil' }], format: 'png', ...t }) as RenderJob;
/** The test worker's answer to a sleep job. */
type Slept = { slept: number; thread: number };
const fails = (code: ErrorCode, message?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof AtelierError, `expected AtelierError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

test('a job round-trips: decoded, rendered and encoded in a worker, artworks transferred back', async () => {
  const p = pool();
  const input = new Uint8Array(photo('coffee'));
  const r = await p.run(job({ input, requests: [{ style: 'oil' }, { style: 'sketch' }], maxSide: 0 }));
  assert.equal(input.byteLength, 0, 'the input was transferred, not copied');
  assert.deepEqual([r.width, r.height, r.channels, r.source.format], [600, 400, 3, 'png']);
  assert.deepEqual(Object.keys(r.artworks).sort(), ['oil', 'sketch']);
  const original = (await decode(photo('coffee'), { maxSide: 0 })).data;
  const back = await sharp(r.artworks.oil!).raw().toBuffer();
  assert.equal(back.length, original.length);
  for (let i = 0; i < back.length; i += 997) assert.equal(back[i], 255 - original[i]);
  assert.equal(p.stats().completed, 1);
});

test('errors from the worker come back as AtelierError with their codes', async () => {
  const p = pool();
  await assert.rejects(p.run(job({ input: truncate(photo('coffee')) })), fails('CORRUPT_IMAGE', /truncated or corrupt/));
  await assert.rejects(p.run(job({ input: Buffer.alloc(0) })), fails('EMPTY_INPUT'));
  await assert.rejects(p.run(job({ input: pngBomb(20000, 20000) })), (e: unknown) => {
    fails('TOO_MANY_PIXELS')(e);
    assert.equal((e as AtelierError).status, 413);
    assert.equal((e as AtelierError).details?.width, 20000);
    return true;
  });
  await assert.rejects(p.run(job({ input: photo('coffee'), format: 'bmp' as never })), fails('INVALID_ARGUMENT', /format must be one of/));
  await assert.rejects(p.run(job({ input: photo('coffee'), quality: 101 })), fails('INVALID_ARGUMENT', /quality must be an integer from 1 to 100/));
  // Requests are checked before the input is decoded: an empty input with a bad style is a style error.
  await assert.rejects(p.run(job({ input: Buffer.alloc(0), requests: [{ style: 'pastel' as never }] })), fails('UNKNOWN_STYLE', /unknown style "pastel"/));
  await assert.rejects(p.run(job({ input: photo('coffee'), requests: [{ style: 'oil', params: { size: 40 } }] })), fails('INVALID_ARGUMENT', /oil\.size must be an integer from 1 to 20/));
  assert.equal(p.stats().failed, 7);
});

test('jobs run on all the threads at once', async () => {
  const p = pool({ threads: 2 });
  const [a, b] = (await Promise.all([p.run(job({ testMode: 'sleep', ms: 200 })), p.run(job({ testMode: 'sleep', ms: 200 }))])) as unknown as Slept[];
  assert.notEqual(a.thread, b.thread, 'two jobs, two threads');
  assert.equal(p.stats().threads, 2);
});

test('a full queue refuses the next job at once with OVERLOADED', async () => {
  const p = pool({ maxQueue: 1 });
  const running = p.run(job({ testMode: 'sleep', ms: 400 }));
  const queued = p.run(job({ testMode: 'sleep', ms: 10 }));
  const t0 = performance.now();
  await assert.rejects(p.run(job({ testMode: 'sleep', ms: 10 })), fails('OVERLOADED', /queue is full/));
  assert.ok(performance.now() - t0 < 100, 'refused without waiting');
  assert.equal(p.stats().overloaded, 1);
  assert.equal(p.stats().capacity, 2);
  assert.equal(p.stats().full, true);
  await Promise.all([running, queued]);
  assert.equal(p.stats().full, false);
  await p.run(job({ testMode: 'sleep', ms: 1 })); // room again
});

test('aborting a queued job removes it; the running one is untouched', async () => {
  const p = pool({ maxQueue: 4 });
  const running = p.run(job({ testMode: 'sleep', ms: 300 }));
  const ac = new AbortController();
  const queued = p.run(job({ testMode: 'sleep', ms: 10 }), { signal: ac.signal });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(p.stats().queued, 1);
  ac.abort();
  await assert.rejects(queued, fails('CLIENT_CLOSED', /aborted/));
  assert.equal(((await running) as unknown as Slept).slept, 300);
});

test('aborting a running job stops its worker, and the pool replaces it', async () => {
  const p = pool();
  await p.run(job({ testMode: 'sleep', ms: 1 })); // worker up
  const ac = new AbortController();
  const spinning = p.run(job({ testMode: 'spin', ms: 20_000 }), { signal: ac.signal });
  await new Promise((r) => setTimeout(r, 100));
  const t0 = performance.now();
  ac.abort(new AtelierError('TIMEOUT', 'took too long'));
  await assert.rejects(spinning, fails('TIMEOUT', /took too long/));
  assert.ok(performance.now() - t0 < 1000);
  assert.equal(((await p.run(job({ testMode: 'sleep', ms: 1 }))) as unknown as Slept).slept, 1);
});

test('timeoutMs aborts a running job with TIMEOUT', async () => {
  const p = pool();
  await assert.rejects(p.run(job({ testMode: 'spin', ms: 20_000 }), { timeoutMs: 200 }), fails('TIMEOUT', /longer than 200 ms/));
  await assert.rejects(p.run(job({ testMode: 'sleep', ms: 1 }), { signal: AbortSignal.abort() }), fails('CLIENT_CLOSED'));
});

test('a long-lived caller signal keeps nothing from the jobs run under it with a time limit', async () => {
  const p = pool();
  const batch = new AbortController();
  for (let i = 0; i < 5; i++) await p.run(job({ testMode: 'sleep', ms: 1 }), { signal: batch.signal, timeoutMs: 10_000 });
  await assert.rejects(p.run(job({ testMode: 'spin', ms: 20_000 }), { signal: batch.signal, timeoutMs: 200 }), fails('TIMEOUT'));
  assert.equal(getEventListeners(batch.signal, 'abort').length, 0, 'every job let go of the caller\'s signal');
  const aborted = p.run(job({ testMode: 'spin', ms: 20_000 }), { signal: batch.signal, timeoutMs: 10_000 });
  batch.abort();
  await assert.rejects(aborted, fails('CLIENT_CLOSED'), 'and the link still carries an abort through');
});

test('a crashed worker becomes WORKER_CRASHED and the next job succeeds', async () => {
  const p = pool();
  await assert.rejects(p.run(job({ testMode: 'exit' })), fails('WORKER_CRASHED', /crashed \(worker exited with code: 3\)/));
  await assert.rejects(p.run(job({ testMode: 'uncaught' })), fails('WORKER_CRASHED', /boom outside the job/));
  const r = await p.run(job({ input: photo('horse'), maxSide: 100 }));
  assert.deepEqual([r.width, r.height, r.channels], [100, 82, 4]);
  assert.equal(p.stats().crashed, 2);
});

test('a worker out of memory becomes WORKER_CRASHED and is replaced', async () => {
  const p = pool({ resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 } });
  await assert.rejects(p.run(job({ testMode: 'oom' })), fails('WORKER_CRASHED', /ran out of memory/));
  assert.equal(((await p.run(job({ testMode: 'sleep', ms: 1 }))) as unknown as Slept).slept, 1);
});

test('a closed pool refuses jobs; options are validated', async () => {
  const p = pool();
  await p.close();
  await assert.rejects(p.run(job({ testMode: 'sleep', ms: 1 })), fails('NOT_READY'));
  assert.throws(() => createRenderPool({ threads: 0 }), /threads must be an integer from 1 to 256, got 0/);
  assert.throws(() => createRenderPool({ maxQueue: -1 }), /maxQueue must be an integer/);
});
