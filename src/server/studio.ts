/**
 * The studio's services, built once per app from the config and shared by every route plugin (and by later
 * plugins such as the memory guard): config, metrics, result cache, render pool, render service, lifecycle.
 */
import type { ServerConfig } from './config.js';
import { createMetrics, type StudioMetrics } from './metrics.js';
import { ResultCache } from './result-cache.js';
import { RenderService } from './render-service.js';
import { createStudioPool, type StudioPool, type StudioPoolStats } from './studio-pool.js';

export interface Lifecycle {
  /** Set when shutdown begins: /readyz turns 503 and new renders are refused. */
  draining: boolean;
}

export interface Studio {
  config: ServerConfig;
  metrics: StudioMetrics;
  cache: ResultCache;
  pool: StudioPool;
  renders: RenderService;
  lifecycle: Lifecycle;
  /** Pool statistics, for readiness, metrics and dashboards. */
  poolStats(): StudioPoolStats;
  /** True when a new render would be refused for lack of queue room. */
  queueFull(): boolean;
}

export interface StudioDeps {
  /** An already built pool (tests, embedding); otherwise one is created from the config. */
  pool?: StudioPool;
  metrics?: StudioMetrics;
}

export function createStudio(config: ServerConfig, deps: StudioDeps = {}): Studio {
  const metrics = deps.metrics ?? createMetrics();
  const cache = new ResultCache({ maxBytes: config.cacheMaxBytes, ttlMs: config.cacheTtlMs, onEvict: () => metrics.cacheEvictions.inc() });
  const pool = deps.pool ?? createStudioPool(config);
  const renders = new RenderService({ pool, cache, metrics, config });
  const poolStats = (): StudioPoolStats => pool.stats();
  const queueFull = (): boolean => {
    const s = pool.stats();
    return s.queued >= s.maxQueue && s.running >= s.threads;
  };
  metrics.addCollector(() => {
    const c = cache.stats();
    metrics.cacheBytes.set(c.bytes);
    metrics.cacheEntries.set(c.entries);
    const s = pool.stats();
    metrics.queueDepth.set(s.queued);
    metrics.inFlight.set(s.running);
    metrics.poolUtilization.set(s.utilization);
  });
  return { config, metrics, cache, pool, renders, lifecycle: { draining: false }, poolStats, queueFull };
}
