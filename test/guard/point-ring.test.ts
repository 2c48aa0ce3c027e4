import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PointRing } from '../../src/guard/point-ring.js';

test('PointRing keeps the last `capacity` points, oldest first, with nulls, and answers since()', () => {
  const ring = new PointRing<{ t: number; rss: number; p95: number | null }>(4);
  assert.equal(ring.at(0), undefined);
  assert.deepEqual(ring.since('t', -Infinity), []);
  for (let t = 1; t <= 6; t++) ring.push({ t, rss: t * 10, p95: t % 2 ? null : t / 10 });
  assert.equal(ring.size, 4);
  assert.deepEqual(ring.at(0), { t: 6, rss: 60, p95: 0.6 });
  assert.deepEqual(ring.at(3), { t: 3, rss: 30, p95: null });
  assert.equal(ring.at(4), undefined);
  assert.deepEqual(ring.since('t', -Infinity).map((p) => p.t), [3, 4, 5, 6]);
  assert.deepEqual(ring.since('t', 4).map((p) => p.t), [5, 6]);
  assert.deepEqual(ring.since('t', 6), []);
  assert.throws(() => ring.since('nope' as 't', 0), /no field nope/);
  assert.throws(() => new PointRing(0), /capacity must be an integer ≥ 1/);
  assert.throws(() => new PointRing<{ a: unknown }>(2).push({ a: 'x' }), /field a must be a number or null/);
});
