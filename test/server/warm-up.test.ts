/** The studio warms its render workers at start-up and is not ready until they are warm. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { buildApp } from '../../src/server/app.js';
import { loadConfig } from '../../src/server/config.js';
import { startServer } from '../../src/server/lifecycle.js';
import { get, postRaw, smallPhoto, untilWarm } from './harness.js';

it('reports "warming up" on /readyz until every worker has rendered the warm-up photo, and renders meanwhile', async () => {
  const config = loadConfig({ env: {}, overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', threads: 2 } });
  const app = await buildApp({ config });
  assert.equal(app.studio.poolStats().warming, true, 'the warm-up starts with the pool');
  const server = await startServer(app);
  try {
    const early = await get(server.url, '/readyz');
    // The warm-up (a 192 px photo through all six styles, twice, per worker) outlasts a first request unless the
    // machine is very fast: check the answer when it is still under way.
    if (app.studio.poolStats().warming) {
      assert.equal(early.status, 503);
      assert.equal(early.json.reason, 'warming up');
    }
    assert.equal((await get(server.url, '/healthz')).status, 200, 'alive while warming');
    // A render sent now waits behind the warm-up and succeeds.
    assert.equal((await postRaw(server.url, await smallPhoto(3), 'image/png', 'styles=sketch')).status, 201);
    await untilWarm(app.studio);
    assert.equal((await get(server.url, '/readyz')).status, 200);
    assert.equal(app.studio.poolStats().completed, 1, 'the warm-up tasks are not counted as jobs');
  } finally {
    await server.shutdown('test over');
  }
});
