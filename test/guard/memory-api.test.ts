/** The guard inside a real studio: metrics, /api/memory, the capture routes and who may use them. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../../src/server/lifecycle.js';
import { get, metric, postRaw, smallPhoto, until } from '../server/harness.js';
import { startGuarded } from './helpers.js';

const TOKEN = 'a-very-secret-token-0123';

describe('memory guard API', () => {
  let server: RunningServer;
  before(async () => {
    // A zero threshold: every render ends with a collection of dead buffers, on each thread, so they show up.
    server = await startGuarded({ threads: 2, gcThresholdBytes: 0 });
  });
  after(() => server.shutdown());

  it('exports the atelier_ memory metrics, with the workers\' heaps reported by the workers', async () => {
    assert.equal((await postRaw(server.url, await smallPhoto(1), 'image/png', 'styles=sketch')).status, 201);
    await until(async () => metric((await get(server.url, '/metrics')).body.toString(), 'atelier_memory_workers_reporting') === 2, 'both workers reporting');
    const text = (await get(server.url, '/metrics')).body.toString();
    const rss = metric(text, 'atelier_memory_rss_bytes');
    assert.ok(rss > 20e6, `rss ${rss}`);
    assert.ok(metric(text, 'atelier_memory_uss_bytes') > 0 && metric(text, 'atelier_memory_uss_bytes') <= rss);
    assert.ok(metric(text, 'atelier_memory_heap_used_bytes', { thread: 'main' }) > 1e6);
    assert.ok(metric(text, 'atelier_memory_heap_used_bytes', { thread: 'workers' }) > 1e6, 'worker heaps are counted');
    assert.ok(metric(text, 'atelier_memory_heap_total_bytes') > metric(text, 'atelier_memory_heap_used_bytes', { thread: 'main' }));
    assert.ok(metric(text, 'atelier_memory_external_bytes') > 0);
    assert.ok(metric(text, 'atelier_memory_array_buffers_bytes') > 0);
    assert.match(text, /^atelier_libvips_memory_bytes\{kind="current"\} \d+/m);
    assert.ok(metric(text, 'atelier_memory_unexplained_bytes') >= 0);
    assert.ok(metric(text, 'atelier_cache_bytes') > 0, 'the studio\'s cache gauge is kept, not duplicated');
    assert.equal(metric(text, 'atelier_http_requests_total', { method: 'POST', route: '/api/renders', status: '201' }), 1);
    await until(async () => metric((await get(server.url, '/metrics')).body.toString(), 'atelier_worker_buffer_pool_free_bytes') > 0, 'the worker reports its pool');
    const later = (await get(server.url, '/metrics')).body.toString();
    assert.ok(metric(later, 'atelier_offheap_gc_total') >= 2, 'the main thread and the worker each collected after the render');
    assert.ok(metric(later, 'atelier_offheap_gc_seconds_total') > 0);
    assert.match(text, /^atelier_allocator_info\{allocator="(jemalloc|arena2|glibc)"\} 1/m);
    assert.equal(metric(text, 'atelier_memory_limit_bytes', { limit: 'soft' }) < metric(text, 'atelier_memory_limit_bytes', { limit: 'hard' }), true);
    // Everything of RSS is accounted for once: the parts never exceed it.
    const parts = ['atelier_memory_code_bytes', 'atelier_memory_heap_total_bytes', 'atelier_memory_external_bytes', 'atelier_memory_unexplained_bytes'].reduce((s, m) => s + metric(text, m), 0);
    assert.ok(parts <= rss * 1.05 + metric(text, 'atelier_libvips_memory_bytes', { kind: 'current' }), `parts ${parts} vs rss ${rss}`);
  });

  it('GET /api/memory gives limits, state, the latest reading and the history since a time', async () => {
    await until(async () => (await get(server.url, '/api/memory')).json.points.length >= 3, 'three samples');
    const m = (await get(server.url, '/api/memory')).json;
    assert.equal(typeof m.limits.soft, 'number');
    assert.equal(m.state.ready, true);
    assert.ok(m.latest.rss > 0 && m.latest.workers >= 1);
    for (const k of ['heapTotal', 'external', 'libvips', 'cache', 'unexplained', 'queued', 'running', 'rps']) assert.equal(typeof m.latest[k], 'number', k);
    const since = m.points[m.points.length - 2].t;
    const newer = (await get(server.url, `/api/memory?since=${since}`)).json.points;
    assert.ok(newer.length >= 1 && newer.every((p: { t: number }) => p.t > since));
    assert.equal((await get(server.url, '/api/memory?since=abc')).status, 400);
  });

  it('takes a capture on request and serves its toolkit analysis', async () => {
    const res = await fetch(`${server.url}/api/memory/captures`, { method: 'POST' });
    assert.equal(res.status, 202);
    const { capture } = (await res.json()) as { capture: { id: string; status: string } };
    assert.equal(capture.status, 'running');
    const busy = await fetch(`${server.url}/api/memory/captures`, { method: 'POST' });
    assert.equal(busy.status, 429);
    let listed: { id: string; status: string; files: string[]; error: string | null } | undefined;
    await until(async () => {
      listed = (await get(server.url, '/api/memory/captures')).json.captures.find((c: { id: string }) => c.id === capture.id);
      return listed?.status !== 'running';
    }, 'capture written', 60_000);
    assert.equal(listed?.status, 'done', listed?.error ?? '');
    assert.deepEqual(listed?.files, ['allocations.heapprofile', 'heap.heapsnapshot', 'report.html']);
    const report = await get(server.url, `/api/memory/captures/${capture.id}/report.html`);
    assert.equal(report.status, 200);
    assert.match(report.headers.get('content-type') ?? '', /text\/html/);
    const html = report.body.toString();
    assert.match(html, /Heap of the main thread: [\d,]+ objects/);
    assert.match(html, /Who holds the largest objects/);
    assert.match(html, /Live allocations sampled/);
    const snap = await get(server.url, `/api/memory/captures/${capture.id}/heap.heapsnapshot`);
    assert.equal(snap.status, 200);
    assert.ok(snap.body.subarray(0, 200).toString().includes('"snapshot"'));
    assert.equal((await get(server.url, `/api/memory/captures/${capture.id}/..%2f..%2fetc%2fpasswd`)).status, 404);
    assert.equal((await get(server.url, '/api/memory/captures/nope/report.html')).status, 404);
  });

  it('refuses captures from another machine when no token is configured', async () => {
    const res = await server.app.inject({ method: 'POST', url: '/api/memory/captures', remoteAddress: '10.1.2.3' });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'FORBIDDEN');
    assert.equal((await server.app.inject({ method: 'GET', url: '/api/memory/captures', remoteAddress: '192.168.0.9' })).statusCode, 403);
    // The dashboard data itself is not secret.
    assert.equal((await server.app.inject({ method: 'GET', url: '/api/memory', remoteAddress: '10.1.2.3' })).statusCode, 200);
  });
});

describe('memory guard with a token', () => {
  it('requires the token, even from loopback, and accepts it as a bearer or a query parameter', async () => {
    const server = await startGuarded({ memoryToken: TOKEN });
    try {
      assert.equal((await get(server.url, '/api/memory/captures')).status, 401);
      assert.equal((await get(server.url, '/api/memory/captures', { authorization: 'Bearer wrong-token-wrong-token' })).status, 403);
      assert.equal((await get(server.url, '/api/memory/captures', { authorization: `Bearer ${TOKEN}` })).status, 200);
      assert.equal((await get(server.url, `/api/memory/captures?token=${TOKEN}`)).status, 200);
      const remote = await server.app.inject({ method: 'GET', url: '/api/memory/captures', remoteAddress: '10.1.2.3', headers: { authorization: `Bearer ${TOKEN}` } });
      assert.equal(remote.statusCode, 200);
      assert.equal((await get(server.url, '/api/memory')).json.captures.allowedHere, false);
    } finally {
      await server.shutdown();
    }
  });
});

describe('memory guard when the diagnostics folder is unwritable', () => {
  it('warns in the alerts and keeps serving', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'atelier-guard-'));
    writeFileSync(join(parent, 'file'), 'x');
    const server = await startGuarded({ diagnosticsDir: join(parent, 'file', 'diagnostics') });
    try {
      const res = await fetch(`${server.url}/api/memory/captures`, { method: 'POST' });
      assert.equal(res.status, 202);
      await until(async () => (await get(server.url, '/api/memory')).json.alerts.some((a: { kind: string }) => a.kind === 'diagnostics'), 'a diagnostics alert', 30_000);
      const alert = (await get(server.url, '/api/memory')).json.alerts.find((a: { kind: string }) => a.kind === 'diagnostics');
      assert.match(alert.message, /failed: ENOTDIR/);
      assert.equal((await postRaw(server.url, await smallPhoto(3), 'image/png', 'styles=sketch')).status, 201);
      assert.equal((await get(server.url, '/readyz')).status, 200);
    } finally {
      await server.shutdown();
    }
  });
});

describe('memory guard above the hard limit', () => {
  it('turns the server not ready and sheds new renders with 503, with a critical alert', async () => {
    const written: string[] = [];
    // Limits far below any real RSS: the first reading is over both.
    const server = await startGuarded({ memorySoftLimit: 16 * 1024 * 1024, memoryHardLimit: 20 * 1024 * 1024 }, { writeCapture: async (folder) => void written.push(folder) });
    try {
      await until(async () => (await get(server.url, '/readyz')).status === 503, 'not ready');
      const ready = await get(server.url, '/readyz');
      assert.match(ready.json.reason, /memory above the hard limit/);
      const shed = await postRaw(server.url, await smallPhoto(7), 'image/png', 'styles=sketch');
      assert.equal(shed.status, 503);
      assert.equal(shed.json.error.code, 'OVERLOADED');
      assert.ok(shed.headers.get('retry-after'));
      const m = (await get(server.url, '/api/memory')).json;
      assert.equal(m.state.hard, true);
      assert.equal(m.state.ready, false);
      assert.ok(m.alerts.some((a: { kind: string; level: string }) => a.kind === 'hard' && a.level === 'critical'));
      assert.ok(m.alerts.some((a: { kind: string }) => a.kind === 'soft'));
      await until(() => written.length === 1, 'the soft limit captured diagnostics once');
      const text = (await get(server.url, '/metrics')).body.toString();
      assert.equal(metric(text, 'atelier_memory_alert_active', { kind: 'hard' }), 1);
      assert.equal(metric(text, 'atelier_diagnostics_captures_total', { trigger: 'soft' }), 1);
      assert.ok(metric(text, 'atelier_load_shed_total') >= 1);
    } finally {
      await server.shutdown();
    }
  });
});
