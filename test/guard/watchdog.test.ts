/** The watchdog's judgement and the guard's reactions, driven by a test clock and a scripted sampler. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, type ServerConfig } from '../../src/server/config.js';
import type { Studio } from '../../src/server/studio.js';
import { Watchdog } from '../../src/guard/watchdog.js';
import { MemoryGuard } from '../../src/guard/memory-guard.js';
import { DiagnosticsStore, type CaptureWriter } from '../../src/guard/diagnostics.js';
import type { MemorySample } from '../../src/guard/memory-sample.js';

const MB = 1024 * 1024;

describe('Watchdog', () => {
  const limits = { softLimit: 300 * MB, hardLimit: 500 * MB, hysteresisPercent: 10, slopeLimit: 10 * MB, slopeWindowMs: 60_000 };

  it('raises soft and hard when RSS crosses them, and releases hard only below the hysteresis mark', () => {
    const w = new Watchdog(limits);
    assert.deepEqual(w.observe(0, 200 * MB), []);
    assert.deepEqual(w.observe(1000, 310 * MB).map((e) => [e.kind, e.active]), [['soft', true]]);
    assert.deepEqual(w.observe(2000, 520 * MB).map((e) => [e.kind, e.active]), [['hard', true]]);
    // 460 MB is below the hard limit but above 450 (hard − 10%): still held.
    assert.deepEqual(w.observe(3000, 460 * MB), []);
    assert.equal(w.current.hard, true);
    assert.deepEqual(w.observe(4000, 440 * MB).map((e) => [e.kind, e.active]), [['hard', false]]);
    assert.deepEqual(w.observe(5000, 250 * MB).map((e) => [e.kind, e.active]), [['soft', false]]);
  });

  it('judges the slope only once half the window is covered, from a least-squares fit', () => {
    const w = new Watchdog(limits);
    // 20 MB per minute, one reading a second: above the 10 MB/min limit.
    const events = [];
    for (let s = 0; s <= 40; s++) events.push(...w.observe(s * 1000, 100 * MB + (s / 60) * 20 * MB));
    const start = events.find((e) => e.kind === 'slope');
    assert.ok(start && start.active, 'slope alert raised');
    assert.ok(start.t >= 30_000, `not before half the window (at ${start.t})`);
    assert.ok(Math.abs((w.current.slopePerMinute ?? 0) - 20 * MB) < MB, `slope ${w.current.slopePerMinute}`);
    // Flat from here on: once the climb leaves the window, the alert ends.
    const later = [];
    for (let s = 41; s <= 140; s++) later.push(...w.observe(s * 1000, 100 * MB + (40 / 60) * 20 * MB));
    assert.ok(later.some((e) => e.kind === 'slope' && !e.active));
  });

  it('does not call a cache filling to its bound a slope, but still counts it against the limits', () => {
    const w = new Watchdog(limits);
    const events = [];
    // The result cache grows 20 MB a minute (the same climb as above) while the rest stays flat.
    for (let s = 0; s <= 60; s++) {
      const cache = (s / 60) * 20 * MB;
      events.push(...w.observe(s * 1000, 100 * MB + cache, cache));
    }
    assert.equal(events.filter((e) => e.kind === 'slope').length, 0);
    assert.ok(Math.abs(w.current.slopePerMinute ?? 1) < MB / 10);
    assert.deepEqual(w.observe(61_000, 310 * MB, 200 * MB).map((e) => e.kind), ['soft'], 'RSS itself is still judged');
  });

  it('does not call noise a slope', () => {
    const w = new Watchdog(limits);
    const events = [];
    for (let s = 0; s <= 120; s++) events.push(...w.observe(s * 1000, 100 * MB + ((s * 7919) % 13) * MB));
    assert.equal(events.filter((e) => e.kind === 'slope').length, 0);
  });
});

function fakeStudio(overrides: Partial<ServerConfig>): Studio {
  const config = loadConfig({ env: {}, overrides: { logLevel: 'silent', ...overrides } });
  return { config, lifecycle: { draining: false, activeRequests: 0, holds: new Set<string>() } } as unknown as Studio;
}

function sampleOf(rss: number): MemorySample {
  return { t: 0, rss, uss: rss, code: 0, heapTotal: 0, heapUsed: 0, mainHeapUsed: 0, workersHeapUsed: 0, workers: 0, external: 0, arrayBuffers: 0, libvips: 0, libvipsHigh: 0, libvipsMax: 0, cache: 0, cacheBytes: 0, cacheEntries: 0, mainHeapTotal: 0, unexplained: 0, queued: 0, running: 0, utilisation: 0 };
}

interface Logged { level: string; msg: string }
function recordingLog(): { log: pino.Logger; lines: Logged[] } {
  const lines: Logged[] = [];
  const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Logged & { level: never }) });
  return { log, lines };
}

describe('MemoryGuard', () => {
  it('warns, captures diagnostics the first time, rate-limits later captures, and holds the server not ready above the hard limit', async () => {
    let now = 1_000_000;
    let rss = 100 * MB;
    const writes: string[] = [];
    const write: CaptureWriter = async (folder) => {
      writes.push(folder);
      writeFileSync(join(folder, 'report.html'), '<p>analysis</p>');
    };
    const studio = fakeStudio({ memorySoftLimit: 200 * MB, memoryHardLimit: 400 * MB, memoryHysteresisPercent: 10, captureMinIntervalMs: 60_000, memorySlopeLimit: 1024 * MB });
    const { log, lines } = recordingLog();
    const dir = mkdtempSync(join(tmpdir(), 'guard-diag-'));
    const diagnostics = new DiagnosticsStore({ dir, maxCaptures: 5, maxBytes: 10 * MB, minIntervalMs: 60_000, profileMs: 0, log, history: () => [], now: () => now, write });
    const guard = new MemoryGuard({ studio, log, sample: async () => sampleOf(rss), load: async () => ({ rps: 0, latencyMean: null, latencyP95: null }), diagnostics, now: () => now });
    const step = async (mb: number) => {
      rss = mb * MB;
      now += 1000;
      await guard.tick();
      await new Promise((r) => setImmediate(r));
    };
    await step(100);
    await step(250);
    assert.equal(writes.length, 1, 'first soft crossing captures');
    assert.ok(lines.some((l) => l.level === (40 as unknown as string) && /above the soft limit/.test(l.msg)), 'a pino warning');
    assert.equal(guard.activeAlerts()[0].kind, 'soft');
    await step(150);
    await step(260); // a second crossing 2 s later: rate-limited
    assert.equal(writes.length, 1);
    now += 60_000;
    await step(150);
    await step(270); // past the minimum interval: captured again
    assert.equal(writes.length, 2);

    await step(420);
    assert.equal(studio.lifecycle.holds.size, 1, 'held not ready above the hard limit');
    assert.match([...studio.lifecycle.holds][0], /hard limit/);
    await step(380); // below the limit, above the 360 MB mark
    assert.equal(studio.lifecycle.holds.size, 1);
    await step(350);
    assert.equal(studio.lifecycle.holds.size, 0, 'released below the hysteresis mark');
    const kinds = guard.alertList().map((a) => `${a.kind}:${a.until === null ? 'open' : 'closed'}`);
    assert.ok(kinds.includes('hard:closed'), kinds.join());
    assert.equal(guard.points().length, 9);
  });
});

describe('DiagnosticsStore', () => {
  const log = pino({ level: 'silent' });

  it('keeps the folder within the count and byte bounds, removing the oldest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guard-diag-'));
    let now = 0;
    const write: CaptureWriter = async (folder) => writeFileSync(join(folder, 'heap.heapsnapshot'), Buffer.alloc(300 * 1024));
    const store = new DiagnosticsStore({ dir, maxCaptures: 2, maxBytes: 10 * MB, minIntervalMs: 0, profileMs: 0, log, history: () => [], now: () => (now += 1000), write });
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await store.start('manual', 'test', 0).done).id);
    assert.deepEqual(store.list().map((c) => c.id), [ids[2], ids[1]]);
    assert.deepEqual(readdirSync(dir).sort(), [ids[1], ids[2]].sort());
    // A byte bound smaller than two captures keeps one.
    const tight = new DiagnosticsStore({ dir, maxCaptures: 10, maxBytes: 500 * 1024, minIntervalMs: 0, profileMs: 0, log, history: () => [], now: () => (now += 1000), write });
    assert.equal(tight.list().length, 2, 'captures of an earlier run are listed');
    const last = await tight.start('manual', 'test', 0).done;
    assert.deepEqual(readdirSync(dir), [last.id]);
  });

  it('removes the unfinished capture a stopped run left behind, and keeps the finished ones and foreign files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guard-diag-'));
    const write: CaptureWriter = async (folder) => writeFileSync(join(folder, 'heap.heapsnapshot'), Buffer.alloc(1024));
    const done = await new DiagnosticsStore({ dir, maxCaptures: 5, maxBytes: 10 * MB, minIntervalMs: 0, profileMs: 0, log, history: () => [], write }).start('manual', 'test', 0).done;
    // A run killed mid-capture: a folder with a partial snapshot and no capture.json.
    const unfinished = '20261122T010203Z-007';
    mkdirSync(join(dir, unfinished));
    writeFileSync(join(dir, unfinished, 'heap.heapsnapshot'), Buffer.alloc(4096));
    writeFileSync(join(dir, 'notes.txt'), 'not ours');
    const { log: recLog, lines } = recordingLog();
    const store = new DiagnosticsStore({ dir, maxCaptures: 5, maxBytes: 10 * MB, minIntervalMs: 0, profileMs: 0, log: recLog, history: () => [], write });
    assert.deepEqual(store.list().map((c) => c.id), [done.id]);
    assert.deepEqual(readdirSync(dir).sort(), [done.id, 'notes.txt'].sort());
    assert.ok(lines.some((l) => /unfinished diagnostics capture/.test(l.msg)));
  });

  it('refuses a second capture while one runs, and automatic ones inside the minimum interval', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guard-diag-'));
    let release: (() => void) | undefined;
    const write: CaptureWriter = () => (release ? Promise.resolve() : new Promise<void>((r) => (release = r)));
    const store = new DiagnosticsStore({ dir, maxCaptures: 5, maxBytes: 10 * MB, minIntervalMs: 60_000, profileMs: 0, log, history: () => [], write });
    const first = store.start('soft', 'test', 0);
    assert.throws(() => store.start('manual', 'again', 0), { code: 'RATE_LIMITED' });
    release?.();
    await first.done;
    assert.equal(store.automaticAllowed(), false);
    assert.throws(() => store.start('slope', 'again', 0), { code: 'RATE_LIMITED' });
    assert.equal((await store.start('manual', 'button', 0).done).status, 'done', 'manual captures are not rate-limited by the interval');
  });

  it('a full or unwritable disk fails the capture with a warning, and leaves nothing behind', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'guard-diag-'));
    const file = join(parent, 'not-a-folder');
    writeFileSync(file, 'x');
    const { log: recLog, lines } = recordingLog();
    const unwritable = new DiagnosticsStore({ dir: join(file, 'diagnostics'), maxCaptures: 5, maxBytes: 10 * MB, minIntervalMs: 0, profileMs: 0, log: recLog, history: () => [] });
    const c = await unwritable.start('manual', 'test', 0).done;
    assert.equal(c.status, 'failed');
    assert.match(c.error ?? '', /ENOTDIR/);
    assert.ok(lines.some((l) => /keeps serving/.test(l.msg)));
    const full: CaptureWriter = async () => {
      throw Object.assign(new Error('no space left on device, write'), { code: 'ENOSPC' });
    };
    const dir = join(parent, 'diag');
    const store = new DiagnosticsStore({ dir, maxCaptures: 5, maxBytes: 10 * MB, minIntervalMs: 0, profileMs: 0, log: recLog, history: () => [], write: full });
    const d = await store.start('manual', 'test', 0).done;
    assert.equal(d.status, 'failed');
    assert.match(d.error ?? '', /ENOSPC/);
    assert.equal(existsSync(join(dir, d.id)), false);
  });
});
