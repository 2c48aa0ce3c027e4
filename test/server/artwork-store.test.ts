/**
 * Where the result cache keeps artworks: files in a private folder by default (so they are not the server's
 * memory), memory when asked; a disk that fails costs memory, never a render.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { get, metric, postRaw, smallPhoto, startStudio } from './harness.js';

const QUERY = 'styles=sketch,oil&format=png';

it('keeps artworks as files in a private folder, serves them byte for byte, and removes the folder at shutdown', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'atelier-store-test-'));
  const s = await startStudio({ cacheDir: parent, threads: 1 });
  let dir = '';
  try {
    assert.equal(s.studio.cache.store.kind, 'disk');
    dir = s.studio.cache.store.dir!;
    assert.ok(dir.startsWith(join(parent, `atelier-cache-${process.pid}-`)), dir);
    const a = await postRaw(s.url, await smallPhoto(1, 200), 'image/png', QUERY);
    assert.equal(a.status, 201);
    const files = readdirSync(dir);
    assert.equal(files.length, 2, `one file per artwork: ${files.join(', ')}`);
    const oil = await get(s.url, a.json.artworks.oil);
    assert.equal(oil.status, 200);
    assert.equal(oil.headers.get('content-type'), 'image/png');
    assert.equal(Number(oil.headers.get('content-length')), oil.body.length);
    const file = files.find((f) => f.includes('.oil.'))!;
    assert.ok(oil.body.equals(readFileSync(join(dir, file))), 'the answer is the stored file');
    const text = (await get(s.url, '/metrics')).body.toString();
    assert.ok(metric(text, 'atelier_cache_bytes') >= oil.body.length);
    assert.equal(metric(text, 'atelier_cache_memory_bytes'), 0, 'no artwork bytes in memory');
    // A file gone under the cache (as if evicted between lookup and read) is a 404, not a 500.
    unlinkSync(join(dir, file));
    const gone = await get(s.url, a.json.artworks.oil);
    assert.equal(gone.status, 404);
    assert.equal(gone.json.error.code, 'NOT_FOUND');
  } finally {
    await s.close();
  }
  assert.ok(!existsSync(dir), 'the folder is removed at shutdown');
  rmSync(parent, { recursive: true, force: true });
});

it('keeps rendering, from memory, when the disk store cannot write, and says so in /metrics', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'atelier-store-test-'));
  const s = await startStudio({ cacheDir: parent, threads: 1 });
  try {
    // The folder vanishes under the running server (a cleaner, a full or remounted disk).
    rmSync(s.studio.cache.store.dir!, { recursive: true, force: true });
    const a = await postRaw(s.url, await smallPhoto(2, 200), 'image/png', QUERY);
    assert.equal(a.status, 201, JSON.stringify(a.json));
    const sketch = await get(s.url, a.json.artworks.sketch);
    assert.equal(sketch.status, 200);
    assert.equal((await sharp(sketch.body).metadata()).format, 'png', 'it decodes');
    const text = (await get(s.url, '/metrics')).body.toString();
    assert.equal(metric(text, 'atelier_cache_store_failures_total'), 2, 'both artworks failed to write');
    assert.equal(metric(text, 'atelier_cache_memory_bytes'), metric(text, 'atelier_cache_bytes') - 256 - 2 * 64, 'both are in memory (the bound counts a small record allowance too)');
    assert.equal((await get(s.url, '/healthz')).status, 200);
  } finally {
    await s.close();
    rmSync(parent, { recursive: true, force: true });
  }
});

it('falls back to memory when the cache folder cannot be made at start', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'atelier-store-test-'));
  const notAFolder = join(parent, 'file');
  spawnSync('touch', [notAFolder]);
  const s = await startStudio({ cacheDir: notAFolder, threads: 1 });
  try {
    assert.equal(s.studio.cache.store.kind, 'memory');
    const a = await postRaw(s.url, await smallPhoto(3, 200), 'image/png', QUERY);
    assert.equal(a.status, 201);
    assert.equal((await get(s.url, a.json.artworks.oil)).status, 200);
    assert.equal(metric((await get(s.url, '/metrics')).body.toString(), 'atelier_cache_store_failures_total'), 1);
  } finally {
    await s.close();
    rmSync(parent, { recursive: true, force: true });
  }
});

it('removes the folders of killed servers at start, and keeps those of live ones', async () => {
  const parent = mkdtempSync(join(tmpdir(), 'atelier-store-test-'));
  // A pid that certainly belonged to a process now gone.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const orphan = join(parent, `atelier-cache-${dead.stdout}-abc123`);
  const live = join(parent, `atelier-cache-${process.ppid}-def456`);
  const other = join(parent, 'unrelated');
  for (const d of [orphan, live, other]) mkdirSync(d);
  const s = await startStudio({ cacheDir: parent, threads: 1 });
  try {
    assert.ok(!existsSync(orphan), "a dead server's folder is removed");
    assert.ok(existsSync(live), "a live server's folder is kept");
    assert.ok(existsSync(other), 'other folders are left alone');
  } finally {
    await s.close();
    rmSync(parent, { recursive: true, force: true });
  }
});

it('keeps artworks in memory with ATELIER_CACHE_STORE=memory', async () => {
  const s = await startStudio({ cacheStore: 'memory', threads: 1 });
  try {
    assert.equal(s.studio.cache.store.dir, undefined);
    const a = await postRaw(s.url, await smallPhoto(4, 200), 'image/png', QUERY);
    assert.equal(a.status, 201);
    assert.equal((await get(s.url, a.json.artworks.sketch)).status, 200);
    const { bytes, memoryBytes } = s.studio.cache.stats();
    assert.equal(memoryBytes, bytes - 256 - 2 * 64);
  } finally {
    await s.close();
  }
});
