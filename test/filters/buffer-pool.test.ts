import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { renderEach, renderStyles, type RenderRequest } from '../../src/filters/render.js';
import { STYLE_IDS } from '../../src/filters/registry.js';
import { BufferPool, sizeClass } from '../../src/filters/workspace.js';
import { closeFilterThreads, renderStylesParallel } from '../../src/parallel/index.js';
import { image, photoRgb, random } from './helpers.js';

after(() => closeFilterThreads());

const ALL = STYLE_IDS.map((style) => ({ style }));

function noisy(width: number, height: number, channels: 1 | 3 | 4, seed: number) {
  const r = random(seed);
  return image(width, height, channels, () => Math.floor(r() * 256));
}

test('a warm pool: the next renderStyles call allocates no working buffer, and renders the same bits', () => {
  const pool = new BufferPool();
  const img = noisy(96, 72, 3, 1);
  const fresh = renderStyles(img, ALL);
  const first = renderStyles(img, ALL, { pool });
  const warm = pool.stats();
  assert.ok(warm.allocations > 0 && warm.allocatedBytes > 0, 'the first call allocates through the pool');
  for (const [style, want] of fresh) assert.deepEqual(first.get(style)!.data, want.data, `${style}, cold pool`);
  for (const out of first.values()) pool.give(out.data.buffer as ArrayBuffer);
  const second = renderStyles(img, ALL, { pool });
  assert.equal(pool.stats().allocations, warm.allocations, 'no new buffer on the second call');
  assert.equal(pool.stats().allocatedBytes, warm.allocatedBytes);
  for (const [style, want] of fresh) assert.deepEqual(second.get(style)!.data, want.data, `${style}, warm pool`);
});

test('buffers left dirty by a larger image are zeroed for a smaller one: results stay bit-identical', () => {
  const pool = new BufferPool();
  const cases = [noisy(120, 90, 3, 2), noisy(64, 48, 1, 3), noisy(80, 100, 4, 4), noisy(120, 90, 3, 5)];
  let afterFirst = -1;
  for (const img of cases) {
    const want = renderStyles(img, ALL);
    const got = renderStyles(img, ALL, { pool });
    for (const [style, w] of want) {
      assert.equal(got.get(style)!.channels, w.channels);
      assert.deepEqual(got.get(style)!.data, w.data, `${style} at ${img.width}×${img.height}×${img.channels}`);
    }
    for (const out of got.values()) pool.give(out.data.buffer as ArrayBuffer);
    if (afterFirst < 0) afterFirst = pool.stats().allocatedBytes;
  }
  // Nothing was larger than the first image: after it, the pool only reused.
  assert.equal(pool.stats().allocatedBytes, afterFirst);
});

test('BufferPool keeps at most maxFreeBytes free, dropping the largest first, and zeroes what it hands out', () => {
  const pool = new BufferPool({ maxFreeBytes: 1000 });
  const small = pool.take(300);
  const big = pool.take(900);
  new Uint8Array(small).fill(7);
  pool.give(small);
  pool.give(big); // 1200 > 1000: the 900-byte one goes
  assert.deepEqual(pool.stats(), { allocatedBytes: 1200, allocations: 2, freeBytes: 300, freeBuffers: 1, trims: 0, trimmedBytes: 0 });
  pool.give(small); // twice is once
  assert.equal(pool.stats().freeBuffers, 1);
  const again = pool.take(200);
  assert.equal(again, small, 'the free buffer is reused');
  assert.ok(new Uint8Array(again, 0, 200).every((v) => v === 0), 'the part asked for is zeroed');
  assert.equal(pool.take(301).byteLength, 301, 'nothing free fits: a new buffer');
  assert.equal(pool.stats().allocations, 3);
  const none = new BufferPool({ maxFreeBytes: 0 });
  none.give(none.take(10));
  assert.equal(none.stats().freeBytes, 0);
  assert.throws(() => new BufferPool({ maxFreeBytes: -1 }), /maxFreeBytes must be a number ≥ 0/);
  assert.throws(() => new BufferPool({ maxFreeBytes: NaN }), /maxFreeBytes must be a number ≥ 0/);
});

test('trim() keeps the buffers the latest job took and drops the rest', () => {
  const pool = new BufferPool();
  const small = pool.take(1000);
  const big = pool.take(5000);
  pool.give(small);
  pool.give(big);
  pool.trim(); // both were taken since the pool began: both kept
  assert.equal(pool.stats().freeBuffers, 2);
  const again = pool.take(900); // the smallest that fits
  assert.equal(again, small);
  pool.give(again);
  pool.trim(); // only `small` was taken by this "job": the 5000-byte buffer fits nothing it asked for
  assert.deepEqual({ free: pool.stats().freeBytes, trimmed: pool.stats().trimmedBytes, trims: pool.stats().trims }, { free: 1000, trimmed: 5000, trims: 2 });
  pool.trim(); // nothing taken since: the pool empties
  assert.equal(pool.stats().freeBytes, 0);
});

test('clear() drops every free buffer, however recently taken, and the next take allocates', () => {
  const pool = new BufferPool();
  const a = pool.take(1000);
  pool.give(a);
  pool.give(pool.take(3000));
  pool.clear();
  assert.deepEqual({ free: pool.stats().freeBytes, buffers: pool.stats().freeBuffers, trimmed: pool.stats().trimmedBytes }, { free: 0, buffers: 0, trimmed: 4000 });
  assert.notEqual(pool.take(1000), a);
  assert.equal(pool.stats().allocations, 3);
});

test('renderEach: artworks one at a time, the same bits, and fewer buffers when each goes back before the next', () => {
  const img = noisy(160, 120, 3, 7);
  const seeds = (['sketch', 'color-sketch', 'oil', 'watercolor'] as const).map((style) => ({ style }));
  const all = new BufferPool();
  const want = renderStyles(img, seeds, { pool: all });
  const each = new BufferPool();
  const order: string[] = [];
  for (const [style, out] of renderEach(img, seeds, { pool: each })) {
    order.push(style);
    assert.deepEqual(out.data, want.get(style)!.data, style);
    each.give(out.data.buffer as ArrayBuffer);
  }
  assert.deepEqual(order, seeds.map((s) => s.style));
  assert.ok(each.stats().allocatedBytes < all.stats().allocatedBytes, `one output at a time: ${each.stats().allocatedBytes} < ${all.stats().allocatedBytes} bytes allocated`);
  // Abandoned half-way (a job aborted): the shared pencil pass still goes back to the pool.
  const early = new BufferPool();
  for (const [style] of renderEach(img, seeds, { pool: early })) if (style === 'sketch') break;
  assert.ok(early.stats().freeBuffers > 0);
});

test('size classes: half an octave apart, and a slightly larger next image reuses the pool instead of doubling it', () => {
  assert.equal(sizeClass(100), 100, 'small buffers are exact');
  for (const bytes of [4097, 5000, 65_536, 65_537, 1_000_000, 3_145_728, 12_345_678]) {
    const c = sizeClass(bytes);
    const octave = 2 ** Math.floor(Math.log2(bytes));
    assert.ok(c >= bytes && c <= bytes * 1.5, `${bytes} → ${c}`);
    assert.ok(c === octave || c === octave * 1.5 || c === octave * 2, `${c} is 1, 1.5 or 2 × ${octave}`);
  }
  // One job after another on images of various sizes, the largest first, with trims between as the render
  // workers do. With exact sizes, a smaller job takes some buffers of another kind than the larger one did (the
  // best fit of its own sizes), the trim drops those it left, and a later larger job allocates them again.
  const sizes = [[160, 150], [160, 90], [150, 160], [160, 100], [160, 140], [120, 160]];
  const seeds = (['sketch', 'color-sketch', 'oil', 'watercolor'] as const).map((style) => ({ style }));
  const run = (pool: BufferPool) => {
    let peak = 0;
    let laterAllocations = 0;
    sizes.forEach(([width, height], i) => {
      const before = pool.stats().allocations;
      for (const [, out] of renderEach(noisy(width, height, 3, i), seeds, { pool })) pool.give(out.data.buffer as ArrayBuffer);
      const s = pool.stats();
      peak = Math.max(peak, s.allocatedBytes - s.trimmedBytes);
      if (i > 0) laterAllocations += s.allocations - before;
      pool.trim();
    });
    return { peak, laterAllocations };
  };
  const exact = run(new BufferPool());
  const classes = run(new BufferPool({ sizeClasses: true }));
  assert.equal(classes.laterAllocations, 0, "with classes, the first job's buffers serve every later one");
  assert.ok(exact.laterAllocations > 0, `exact sizes allocate again (${exact.laterAllocations} buffers)`);
  assert.ok(classes.peak < exact.peak, `peak held: ${classes.peak} with classes, ${exact.peak} exact`);
});

test('a pool in size classes keeps a free buffer more than twice the class asked for for a request its size', () => {
  const pool = new BufferPool({ sizeClasses: true });
  const rgb = pool.take(3 * 65_536);
  pool.give(rgb);
  const grey = pool.take(65_536);
  assert.notEqual(grey, rgb, "a grey plane does not take the RGB plane's buffer");
  assert.equal(grey.byteLength, 65_536);
  assert.equal(pool.take(3 * 65_536), rgb, 'which is there for the next RGB plane');
  const exact = new BufferPool();
  exact.give(exact.take(3 * 65_536));
  assert.equal(exact.take(65_536).byteLength, 3 * 65_536, 'an exact pool still gives the smallest that fits');
});

/** Fills every free buffer of the pool with 0xA5 bytes (a buffer marked 'overwritten' comes back as it was left). */
function dirty(pool: BufferPool): number {
  const taken: ArrayBuffer[] = [];
  while (pool.stats().freeBuffers > 0) taken.push(pool.take(1));
  for (const b of taken) {
    new Uint8Array(b).fill(0xa5);
    pool.give(b);
  }
  return taken.length;
}

test('free buffers full of garbage: every style renders the same bits as with fresh buffers, and as on two threads', async () => {
  const photo = await photoRgb('astronaut');
  const crop = (w: number, h: number, channels: 1 | 3 | 4) =>
    image(w, h, channels, (x, y, c) => (c === 3 ? (x * 7 + y) & 255 : photo.data[((y + 120) * photo.width + x + 90) * 3 + (channels === 1 ? 1 : c)]));
  const cases = [crop(301, 217, 3), crop(160, 97, 1), crop(123, 88, 4), noisy(1, 1, 3, 6), noisy(2, 2, 3, 7), noisy(1, 37, 3, 8), noisy(41, 1, 4, 9), noisy(33, 17, 1, 10)];
  const requests: RenderRequest[][] = [
    ...STYLE_IDS.map((style) => [{ style }]),
    ALL,
    [{ style: 'oil', params: { size: 20, dynRatio: 3 } }, { style: 'sketch', params: { sigmaS: 5, sigmaR: 0.5, shade: 0.08 } }, { style: 'detail', params: { sigmaS: 150, sigmaR: 0.9 } }],
  ];
  const pool = new BufferPool();
  for (const img of cases) {
    const at = `${img.width}×${img.height}×${img.channels}`;
    for (const reqs of requests) {
      const want = renderStyles(img, reqs);
      // Warm the pool with this request's buffer sizes, then spoil everything it holds.
      for (const out of renderStyles(img, reqs, { pool }).values()) pool.give(out.data.buffer as ArrayBuffer);
      assert.ok(dirty(pool) > 0, 'the pool holds free buffers to spoil');
      const got = renderStyles(img, reqs, { pool });
      for (const [style, w] of want) assert.ok(Buffer.from(got.get(style)!.data).equals(Buffer.from(w.data)), `${style} at ${at} through a dirty pool`);
      for (const out of got.values()) pool.give(out.data.buffer as ArrayBuffer);
    }
    // The parallel path makes its own (shared, zeroed) buffers from the same steps: it must agree too.
    const want = renderStyles(img, ALL);
    const multi = await renderStylesParallel(img, ALL, { threads: 2 });
    for (const [style, w] of want) assert.ok(Buffer.from(multi.get(style)!.data).equals(Buffer.from(w.data)), `${style} at ${at} on two threads`);
  }
});
