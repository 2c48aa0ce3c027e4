/**
 * Leak regression of the render path, under the toolkit's assertNoLeak: 400 small renders (100 iterations of four)
 * through the render worker's own module, both in this thread (so what the worker code retains shows in the
 * measured heap and external memory) and through the real piscina pool (so what the pool and the result hand-off
 * retain in the main thread shows too). Generous, deterministic: only memory that grows with the iterations fails.
 * The warm-up is long because the filters' code keeps compiling for a while: after 10 iterations the heap still
 * grew ~1 KB per iteration with no object behind it (sign test p ≈ 0.03–0.17, failing 2 runs in 12 at p < 0.001);
 * after 40, ~60 B (p ≈ 0.2–0.5), while a leak of two 60-element arrays per iteration fails at p < 1e-8.
 */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Piscina } from 'piscina';
import sharp from 'sharp';
import { assertNoLeak } from '../../src/memory/index.js';
import { createRenderPool } from '../../src/pool/index.js';
import renderInWorker from '../../src/pool/render-worker.js';
import type { RenderJob, RenderResult } from '../../src/pool/render-job.js';
import { photo } from '../imaging/inputs.js';

it('the render path retains nothing per render (assertNoLeak, 400 renders)', { timeout: 240_000 }, async () => {
  const inputs = await Promise.all(
    Array.from({ length: 8 }, (_, i) => sharp(photo(i % 2 ? 'coffee' : 'astronaut')).extract({ left: i * 9, top: i * 5, width: 240, height: 240 }).resize(72, 72).jpeg().toBuffer()),
  );
  const job = (i: number): RenderJob => ({ input: new Uint8Array(inputs[i % inputs.length]), requests: [{ style: 'sketch' }, { style: 'oil' }], maxSide: 72, format: 'png' });
  const pool = createRenderPool({ threads: 1, maxQueue: 4 });
  let n = 0;
  let rendered = 0;
  try {
    const report = await assertNoLeak(async () => {
      for (let k = 0; k < 2; k++) {
        // The worker hands its result to piscina wrapped for transfer; unwrapped here as piscina would.
        const moved = (await renderInWorker(job(n++))) as unknown as Record<symbol, RenderResult>;
        const a = moved[Piscina.valueSymbol as symbol] ?? (moved as unknown as RenderResult);
        const b = await pool.run(job(n++));
        if (a.width !== 72 || b.width !== 72) throw new Error('unexpected render size');
        rendered += 2;
      }
    }, { iterations: 60, warmup: 40, snapshots: false });
    assert.equal(report.verdict, 'clean');
    assert.equal(rendered, 400);
  } finally {
    await pool.close();
  }
});
