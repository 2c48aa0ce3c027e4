/** The result cache is bounded by the bytes of its artworks and by a TTL; evicted renders are 404. */
import { readdirSync } from 'node:fs';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { get, metric, postRaw, smallPhoto, startStudio } from './harness.js';

const MB = 1024 * 1024;

it('evicts the least recently used renders past its byte bound, and expired ones after the TTL', async () => {
  const s = await startStudio({ cacheMaxBytes: 1 * MB, cacheTtlMs: 1500, threads: 1 });
  try {
    const ids: string[] = [];
    const urls: string[] = [];
    for (let i = 0; i < 40 && s.studio.cache.stats().entries === ids.length; i++) {
      const a = await postRaw(s.url, await smallPhoto(100 + i, 256), 'image/png', 'styles=oil,sketch&format=png');
      assert.equal(a.status, 201);
      ids.push(a.json.id);
      urls.push(a.json.artworks.oil);
    }
    const { bytes, entries, maxBytes } = s.studio.cache.stats();
    assert.ok(entries < ids.length, `something was evicted (${entries} of ${ids.length} kept)`);
    assert.ok(bytes <= maxBytes, `${bytes} bytes held, bound ${maxBytes}`);
    assert.equal((await get(s.url, urls[0])).status, 404, 'the oldest render was evicted');
    assert.equal((await get(s.url, urls[urls.length - 1])).status, 200, 'the newest is kept');
    const text = (await get(s.url, '/metrics')).body.toString();
    assert.ok(metric(text, 'atelier_cache_evictions_total') >= 1);
    assert.ok(metric(text, 'atelier_cache_bytes') <= MB);
    // The disk store (the default) holds exactly the kept renders' artworks: an evicted render's files are gone.
    const dir = s.studio.cache.store.dir!;
    assert.equal(readdirSync(dir).length, entries * 2, 'two files per kept render');
    await new Promise((r) => setTimeout(r, 1700));
    assert.equal((await get(s.url, urls[urls.length - 1])).status, 404, 'expired after the TTL');
    assert.equal(s.studio.cache.stats().entries, 0);
    assert.deepEqual(readdirSync(dir), [], 'expired renders leave no files');
  } finally {
    await s.close();
  }
});
