/**
 * The studio's services, built once per app from the config and shared by every route plugin (and by later
 * plugins such as the memory guard): config, metrics, result cache, render pool, render service, lifecycle.
 */
import sharp from 'sharp';
import { createArtworkStore } from './artwork-store.js';
import type { ServerConfig } from './config.js';
import { createMetrics, type StudioMetrics } from './metrics.js';
import { ResultCache } from './result-cache.js';
import { RenderService } from './render-service.js';
import { UploadBudget } from './upload-budget.js';
import { createRenderPool, type RenderPool, type RenderPoolStats } from '../pool/index.js';
import { offHeapCollector, type OffHeapCollector } from '../memory/collect-garbage.js';

export interface Lifecycle {
  /** Set when shutdown begins: /readyz turns 503 and new renders are refused. */
  draining: boolean;
  /** HTTP requests being answered now (a socket without one can be closed safely). */
  activeRequests: number;
  /**
   * Reasons other modules hold the server not ready (e.g. a memory limit): while any is held, /readyz answers
   * 503 with them and new renders are shed with 503 OVERLOADED.
   */
  holds: Set<string>;
}

export interface Studio {
  config: ServerConfig;
  metrics: StudioMetrics;
  cache: ResultCache;
  pool: RenderPool;
  renders: RenderService;
  /** Upload bytes held by render requests in flight (ATELIER_MAX_PENDING_UPLOADS). */
  uploads: UploadBudget;
  /** The main thread's collector of dead buffers (see ATELIER_GC_THRESHOLD). */
  offHeap: OffHeapCollector;
  lifecycle: Lifecycle;
  /** Pool statistics, for readiness, metrics and dashboards. */
  poolStats(): RenderPoolStats;
  /** True when a new render would be refused for lack of queue room. */
  queueFull(): boolean;
}

export interface StudioDeps {
  /** An already built pool (tests, embedding); otherwise one is created from the config. */
  pool?: RenderPool;
  metrics?: StudioMetrics;
  /** Where the studio's own warnings go (the app's logger). */
  log?: { warn(details: object, message: string): void };
}

/** Within this long, repeated disk-store failures make one warning (a full disk fails every render). */
const STORE_WARNING_INTERVAL_MS = 60_000;

export function createStudio(config: ServerConfig, deps: StudioDeps = {}): Studio {
  // The main thread only reads headers; libvips' operation cache would just hold memory here.
  sharp.cache(false);
  const metrics = deps.metrics ?? createMetrics();
  let lastWarning = -Infinity;
  let unwarned = 0;
  const store = createArtworkStore({
    kind: config.cacheStore,
    parent: config.cacheDir,
    onWriteError: (error) => {
      metrics.cacheStoreFailures.inc();
      unwarned++;
      if (performance.now() - lastWarning < STORE_WARNING_INTERVAL_MS) return;
      lastWarning = performance.now();
      deps.log?.warn({ err: error, failures: unwarned, cacheDir: config.cacheDir }, 'the result cache could not write to disk; artworks are kept in memory meanwhile');
      unwarned = 0;
    },
  });
  const cache = new ResultCache({ maxBytes: config.cacheMaxBytes, ttlMs: config.cacheTtlMs, store, onEvict: () => metrics.cacheEvictions.inc() });
  const pool = deps.pool ?? createRenderPool({ threads: config.threads, maxQueue: config.maxQueue, gcThresholdBytes: config.gcThresholdBytes, warmUp: true });
  // The main thread's dead buffers (upload chunks, answers sent): the cache's artworks are alive on purpose.
  const offHeap = offHeapCollector({ thresholdBytes: config.gcThresholdBytes, retained: () => cache.stats().memoryBytes });
  const renders = new RenderService({ pool, cache, metrics, config, offHeap });
  const uploads = new UploadBudget(config.maxPendingUploadBytes);
  const poolStats = (): RenderPoolStats => pool.stats();
  const queueFull = (): boolean => {
    const s = pool.stats();
    return s.queued + s.running >= s.capacity;
  };
  metrics.addCollector(() => {
    const c = cache.stats();
    metrics.cacheBytes.set(c.bytes);
    metrics.cacheMemoryBytes.set(c.memoryBytes);
    metrics.cacheEntries.set(c.entries);
    const s = pool.stats();
    metrics.queueDepth.set(s.queued);
    metrics.inFlight.set(s.running);
    metrics.poolUtilization.set(s.utilisation);
    metrics.uploadBytes.set(uploads.heldBytes);
  });
  return { config, metrics, cache, pool, renders, uploads, offHeap, lifecycle: { draining: false, activeRequests: 0, holds: new Set() }, poolStats, queueFull };
}
