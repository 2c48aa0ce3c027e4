/**
 * One reading of where the studio's memory is: the kernel's RSS/USS, V8 (main thread plus every render worker),
 * libvips' tracked allocations, the result cache, and the remainder nobody accounts for. Also the load that
 * goes with it (queue, renders per second, latency), so the dashboard can put the two side by side.
 */
import sharp from 'sharp';
import { processMemoryAsync, residentFileBytes } from '../memory/process-memory.js';
import type { Studio } from '../server/studio.js';
import type { WorkerMemoryTracker } from '../memory/worker-memory-tracker.js';

const MiB = 1024 * 1024;

export interface MemorySample {
  /** Date.now() of the reading. */
  t: number;
  rss: number;
  uss: number;
  /** Resident code of node and its shared libraries (RssFile). */
  code: number;
  /** V8 heap committed (heapTotal) and used, main thread + workers. */
  heapTotal: number;
  /** Of heapTotal, the main thread's (the rest is the workers'). */
  mainHeapTotal: number;
  heapUsed: number;
  mainHeapUsed: number;
  workersHeapUsed: number;
  workers: number;
  /** V8 external memory (ArrayBuffers included), main + workers, WITHOUT the result cache's bytes. */
  external: number;
  arrayBuffers: number;
  /** Free buffers the workers' pools keep for their next jobs (part of external: alive on purpose). */
  bufferPools: number;
  /** Full GCs run because dead buffers piled up (main thread + workers), and their total milliseconds. */
  gcCollections: number;
  gcMs: number;
  /** libvips' tracked allocations (pixel buffers), process-wide: sharp in workers is the same libvips. */
  libvips: number;
  libvipsHigh: number;
  libvipsMax: number;
  /**
   * Encoded artworks the result cache holds in this process's memory (Buffers: external memory of the main
   * thread). With the disk store these are only the artworks it failed to write; the rest are files.
   */
  cache: number;
  /** All the cache's bytes, on disk or in memory, and its renders. */
  cacheBytes: number;
  cacheEntries: number;
  /** RSS − (code + heap + external + cache + libvips): allocator retention and native memory no one reports. */
  unexplained: number;
  queued: number;
  running: number;
  utilisation: number;
}

export interface LoadReading {
  /** POST /api/renders answered per second since the previous reading. */
  rps: number;
  /** Mean and 95th percentile latency (seconds) of the renders answered since the previous reading; null if none. */
  latencyMean: number | null;
  latencyP95: number | null;
}

/** Reads the kernel's figures off the event loop (processMemoryAsync), then everything else at once after them. */
export type MemorySampler = () => Promise<MemorySample>;

export function createMemorySampler(studio: Studio, workers: WorkerMemoryTracker): MemorySampler {
  return async () => {
    const p = await processMemoryAsync(process.pid);
    const m = process.memoryUsage();
    const pool = studio.poolStats();
    const w = workers.sum(pool.threads);
    const vips = sharp.cache().memory;
    const c = studio.cache.stats();
    const code = residentFileBytes(process.pid);
    const heapTotal = m.heapTotal + w.heapTotal;
    const externalAll = m.external + w.external;
    const cache = Math.min(c.memoryBytes, externalAll);
    const external = externalAll - cache;
    const libvips = vips.current * MiB;
    const main = studio.offHeap.stats();
    workers.request();
    return {
      t: Date.now(),
      rss: p.rss,
      uss: p.uss,
      code,
      heapTotal,
      mainHeapTotal: m.heapTotal,
      heapUsed: m.heapUsed + w.heapUsed,
      mainHeapUsed: m.heapUsed,
      workersHeapUsed: w.heapUsed,
      workers: w.workers,
      external,
      arrayBuffers: m.arrayBuffers + w.arrayBuffers,
      bufferPools: w.bufferPoolFree,
      gcCollections: main.collections + w.gcCollections,
      gcMs: main.gcMs + w.gcMs,
      libvips,
      libvipsHigh: vips.high * MiB,
      libvipsMax: vips.max * MiB,
      cache,
      cacheBytes: c.bytes,
      cacheEntries: c.entries,
      unexplained: Math.max(0, p.rss - code - heapTotal - external - cache - libvips),
      queued: pool.queued,
      running: pool.running,
      utilisation: pool.utilisation,
    };
  };
}
