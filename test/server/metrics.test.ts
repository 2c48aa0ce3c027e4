import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Gauge } from 'prom-client';
import { createMetrics } from '../../src/server/metrics.js';

test('scrape waits for asynchronous collectors: the first scrape already shows what they read', async () => {
  const metrics = createMetrics({ defaultMetrics: false });
  const gauge = new Gauge({ name: 'test_read_later', help: 'set by a collector after an await', registers: [metrics.registry] });
  let reads = 0;
  metrics.addCollector(async () => {
    await sleep(20);
    gauge.set(++reads * 7);
  });
  metrics.addCollector(() => metrics.queueDepth.set(3));
  const first = await metrics.scrape();
  assert.match(first, /^test_read_later 7$/m);
  assert.match(first, /^atelier_queue_depth 3$/m);
  assert.match(first, /^atelier_scrape_collectors 2$/m);
  assert.match(await metrics.scrape(), /^test_read_later 14$/m);
});
