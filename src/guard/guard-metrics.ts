/**
 * The guard's `atelier_` metrics, added to the studio's registry (the request, queue, cache, shed, abort and
 * rejection metrics are the studio's own, in src/server/metrics.ts). Values are read at scrape time from a
 * fresh memory sample, so /metrics never shows a reading older than the scrape.
 */
import { Counter, Gauge } from 'prom-client';
import type { StudioMetrics } from '../server/metrics.js';
import type { MemorySample } from './memory-sample.js';
import type { MemoryGuard } from './memory-guard.js';

export function registerGuardMetrics(metrics: StudioMetrics, guard: MemoryGuard, sample: () => Promise<MemorySample>, allocator: string): void {
  const registers = [metrics.registry];
  const g = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers });
  const rss = g('atelier_memory_rss_bytes', 'Resident set size of the process (smaps_rollup)');
  const uss = g('atelier_memory_uss_bytes', 'Unique set size: private pages, freed if the process exits');
  const code = g('atelier_memory_code_bytes', 'Resident code of node and its shared libraries (RssFile)');
  const heapUsed = g('atelier_memory_heap_used_bytes', 'V8 heap used, by thread group (main, workers)', ['thread']);
  const heapTotal = g('atelier_memory_heap_total_bytes', 'V8 heap committed, main thread plus render workers');
  const external = g('atelier_memory_external_bytes', 'V8 external memory (ArrayBuffers included), main thread plus workers, result cache included');
  const arrayBuffers = g('atelier_memory_array_buffers_bytes', 'ArrayBuffer and Buffer memory, main thread plus workers');
  const libvips = g('atelier_libvips_memory_bytes', "libvips' tracked memory (sharp.cache()): current, high water mark, operation-cache max", ['kind']);
  const unexplained = g('atelier_memory_unexplained_bytes', 'RSS minus code, V8 heaps, external memory and libvips: allocator retention and untracked native memory');
  const pools = g('atelier_worker_buffer_pool_free_bytes', "Free working buffers the render workers' pools keep for their next jobs (trimmed to the latest job's set)");
  const gcRuns = new Counter({ name: 'atelier_offheap_gc_total', help: 'GCs (scavenges, and full GCs when a scavenge was not enough) run because dead buffers passed ATELIER_GC_THRESHOLD (main thread and workers)', registers });
  const gcSeconds = new Counter({ name: 'atelier_offheap_gc_seconds_total', help: 'Time spent in those GCs', registers });
  const gcSeen = { runs: 0, ms: 0 };
  const workers = g('atelier_memory_workers_reporting', 'Render workers whose memory is included');
  const slope = g('atelier_memory_rss_slope_bytes_per_minute', 'RSS slope fitted over the watchdog window (NaN until half the window is covered)');
  const limits = g('atelier_memory_limit_bytes', 'Watchdog limits (soft, hard)', ['limit']);
  const active = g('atelier_memory_alert_active', 'Watchdog conditions in force (soft, slope, hard)', ['kind']);
  const alerts = new Counter({ name: 'atelier_memory_alerts_total', help: 'Watchdog alerts raised, by kind', labelNames: ['kind'], registers });
  const captures = new Counter({ name: 'atelier_diagnostics_captures_total', help: 'Diagnostics captures started, by trigger', labelNames: ['trigger'], registers });
  g('atelier_allocator_info', 'The malloc in use (label allocator)', ['allocator']).set({ allocator }, 1);
  const seen = { alerts: new Map<string, number>(), captures: new Map<string, number>() };
  const catchUp = (c: Counter<string>, now: Map<string, number>, before: Map<string, number>, label: string) => {
    for (const [k, v] of now) {
      const d = v - (before.get(k) ?? 0);
      if (d > 0) c.inc({ [label]: k }, d);
      before.set(k, v);
    }
  };
  metrics.addCollector(async () => {
    const s = await sample();
    rss.set(s.rss);
    uss.set(s.uss);
    code.set(s.code);
    heapUsed.set({ thread: 'main' }, s.mainHeapUsed);
    heapUsed.set({ thread: 'workers' }, s.workersHeapUsed);
    heapTotal.set(s.heapTotal);
    external.set(s.external + s.cache);
    arrayBuffers.set(s.arrayBuffers);
    libvips.set({ kind: 'current' }, s.libvips);
    libvips.set({ kind: 'high' }, s.libvipsHigh);
    libvips.set({ kind: 'max' }, s.libvipsMax);
    unexplained.set(s.unexplained);
    pools.set(s.bufferPools);
    // A replaced worker takes its counts with it: only growth is added.
    if (s.gcCollections > gcSeen.runs) gcRuns.inc(s.gcCollections - gcSeen.runs);
    if (s.gcMs > gcSeen.ms) gcSeconds.inc((s.gcMs - gcSeen.ms) / 1000);
    gcSeen.runs = s.gcCollections;
    gcSeen.ms = s.gcMs;
    workers.set(s.workers);
    const state = guard.watchdog.current;
    slope.set(state.slopePerMinute ?? NaN);
    limits.set({ limit: 'soft' }, guard.watchdog.limits.softLimit);
    limits.set({ limit: 'hard' }, guard.watchdog.limits.hardLimit);
    for (const k of ['soft', 'slope', 'hard'] as const) active.set({ kind: k }, state[k] ? 1 : 0);
    catchUp(alerts, guard.counts.alerts, seen.alerts, 'kind');
    catchUp(captures, guard.counts.captures, seen.captures, 'trigger');
  });
}
