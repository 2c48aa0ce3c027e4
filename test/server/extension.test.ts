/** The seams later modules (the memory guard) build on: extra plugins, the metrics registry, readiness holds. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { Gauge } from 'prom-client';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { startServer } from '../../src/server/lifecycle.js';
import type { StudioPlugin } from '../../src/server/app.js';
import { get, metric, postRaw, smallPhoto, untilWarm } from './harness.js';

it('extra plugins get the studio services; holds make the server not ready and shed renders', async () => {
  const probe: StudioPlugin = async (app, { studio }) => {
    const gauge = new Gauge({ name: 'atelier_test_extension', help: 'set by the test plugin', registers: [studio.metrics.registry] });
    studio.metrics.addCollector(() => gauge.set(studio.poolStats().threads));
    app.get('/extension', async () => ({ threads: studio.poolStats().threads, cacheBytes: studio.cache.stats().maxBytes }));
  };
  const config = loadConfig({ env: {}, overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', threads: 1 } });
  const server = await startServer(await buildApp({ config, plugins: [probe] }));
  await untilWarm(server.app.studio);
  try {
    assert.deepEqual((await get(server.url, '/extension')).json, { threads: 1, cacheBytes: 128 * 1024 * 1024 });
    assert.equal(metric((await get(server.url, '/metrics')).body.toString(), 'atelier_test_extension'), 1);
    server.app.studio.lifecycle.holds.add('memory above the hard limit');
    const ready = await get(server.url, '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.json.reason, 'memory above the hard limit');
    const shed = await postRaw(server.url, await smallPhoto(60), 'image/png', 'styles=sketch');
    assert.equal(shed.status, 503);
    assert.equal(shed.json.error.code, 'OVERLOADED');
    assert.match(shed.json.error.message, /memory above the hard limit/);
    server.app.studio.lifecycle.holds.clear();
    assert.equal((await get(server.url, '/readyz')).status, 200);
    assert.equal((await postRaw(server.url, await smallPhoto(60), 'image/png', 'styles=sketch')).status, 201);
  } finally {
    await server.shutdown();
  }
});
