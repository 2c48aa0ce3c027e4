import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJob } from '../../src/pool/render-job.js';
import { renderStyles } from '../../src/filters/render.js';
import { BufferPool } from '../../src/filters/workspace.js';
import { photo } from '../imaging/inputs.js';

test('render jobs through one long-lived pool: after the first job it allocates nothing, and the artworks are the same bytes', async () => {
  const pool = new BufferPool({ maxFreeBytes: 64 * 1024 * 1024 });
  const job = { requests: [{ style: 'sketch' as const }, { style: 'color-sketch' as const }, { style: 'oil' as const }, { style: 'watercolor' as const }], maxSide: 96, format: 'png' as const };
  const grown: number[] = [];
  for (const name of ['horse', 'coffee', 'horse', 'coffee', 'horse'] as const) {
    const want = await renderJob({ ...job, input: photo(name) });
    const got = await renderJob({ ...job, input: photo(name) }, renderStyles, pool);
    for (const style of Object.keys(want.artworks) as (keyof typeof want.artworks)[]) {
      assert.ok(Buffer.from(got.artworks[style]!).equals(Buffer.from(want.artworks[style]!)), `${name} ${style}`);
      assert.equal(got.artworks[style]!.buffer.byteLength, got.artworks[style]!.byteLength, 'artworks are whole buffers, not pooled views');
    }
    grown.push(pool.stats().allocatedBytes);
  }
  // horse and coffee differ in shape; once both have been seen, every buffer comes from the pool.
  assert.ok(grown[0] > 0);
  assert.equal(grown[4], grown[1], `allocated bytes after each job: ${grown.join(', ')}`);
  assert.ok(pool.stats().freeBytes > 0 && pool.stats().freeBytes <= 64 * 1024 * 1024);
});
