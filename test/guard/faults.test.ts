/** Faults the server survives: a render worker that dies mid-job (exit, or out of memory), and SIGTERM under load. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { createRenderPool } from '../../src/pool/index.js';
import { get, metric, postRaw, until } from '../server/harness.js';
import { photo } from '../imaging/inputs.js';
import { spawnServe, startGuarded, tagged } from './helpers.js';
import { findJemalloc } from '../../src/guard/allocator.js';

const faultWorker = new URL('./fixtures/fault-worker.ts', import.meta.url);

async function smallJpeg(variant: number): Promise<Buffer> {
  return sharp(photo('horse')).extract({ left: variant * 3, top: 0, width: 200, height: 200 }).resize(64, 64).jpeg().toBuffer();
}

describe('a render worker that dies mid-job', () => {
  it('answers that request 500 JSON, replaces the worker, and serves the next requests', async () => {
    const pool = createRenderPool({ workerFile: faultWorker, threads: 1, maxQueue: 8, resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } });
    const server = await startGuarded({}, { pool });
    try {
      assert.equal((await postRaw(server.url, await smallJpeg(1), 'image/jpeg', 'styles=sketch')).status, 201);
      for (const fault of ['crash', 'oom']) {
        const res = await postRaw(server.url, tagged(await smallJpeg(2), `atelier-fault:${fault}`), 'image/jpeg', 'styles=sketch');
        assert.equal(res.status, 500, `${fault}: ${JSON.stringify(res.json)}`);
        assert.equal(res.json.error.code, 'WORKER_CRASHED');
        assert.match(res.json.error.message, fault === 'oom' ? /ran out of memory/ : /crashed/);
        // The pool starts a new worker: the next renders succeed.
        for (let i = 0; i < 2; i++) {
          const ok = await postRaw(server.url, await smallJpeg(10 + i + (fault === 'oom' ? 5 : 0)), 'image/jpeg', 'styles=sketch');
          assert.equal(ok.status, 201, `after ${fault}: ${JSON.stringify(ok.json)}`);
        }
      }
      assert.equal(server.app.studio.poolStats().crashed, 2);
      // The replacement worker reports its memory like the first did.
      await until(async () => metric((await get(server.url, '/metrics')).body.toString(), 'atelier_memory_workers_reporting') === 1, 'the new worker reporting', 15_000);
      assert.equal((await get(server.url, '/readyz')).status, 200);
    } finally {
      await server.shutdown();
    }
  });
});

describe('SIGTERM during load (bin/atelier serve, with its allocator)', () => {
  it('completes the renders in flight, refuses new ones, and exits 0', async () => {
    const { base, child, exited } = await spawnServe(['--threads', '1']);
    try {
      const mem = (await get(base, '/api/memory')).json;
      const serverPid = mem.pid as number;
      assert.equal(serverPid, child.pid, 'bin/atelier execs node: the server is the process started, with no launcher above it');
      if (findJemalloc()) assert.equal(mem.allocator, 'jemalloc', 'the default allocator is applied at exec');
      const big = await sharp(photo('coffee')).resize(1600, 1067).jpeg().toBuffer();
      const inFlight = [0, 1, 2].map((i) => postRaw(base, tagged(big, `load-${i}`), 'image/jpeg', 'styles=oil,watercolor&maxSide=1600'));
      await until(async () => ((await get(base, '/api/memory')).json.latest?.running ?? 0) + ((await get(base, '/api/memory')).json.latest?.queued ?? 0) >= 2, 'renders in flight', 30_000);
      child.kill('SIGTERM');
      await until(async () => (await get(base, '/readyz').catch(() => ({ status: 0 }))).status !== 200, 'draining');
      const late = await postRaw(base, tagged(big, 'late'), 'image/jpeg', 'styles=sketch').catch((e: Error) => ({ status: 0, json: { error: { code: e.message } } }));
      assert.ok(late.status === 503 || late.status === 0, `a new render is refused (got ${late.status})`);
      for (const r of await Promise.all(inFlight)) assert.equal(r.status, 201, JSON.stringify(r.json));
      assert.equal(await exited, 0);
      assert.throws(() => process.kill(serverPid, 0), 'the server exited');
    } finally {
      child.kill('SIGKILL');
    }
  });
});
