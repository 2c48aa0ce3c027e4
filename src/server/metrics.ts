/**
 * The studio's Prometheus registry: prom-client's default process metrics plus the `atelier_` counters of
 * requests, the render queue and the result cache. One registry per app instance (tests build many apps);
 * later modules (the memory guard) add their own metrics to `registry` and sample-on-scrape through
 * `addCollector`; `scrape` runs those samplers, then renders the registry.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type RejectReason = string;

export interface StudioMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  requestDuration: Histogram<'method' | 'route'>;
  renders: Counter<'outcome'>;
  renderDuration: Histogram;
  renderStage: Histogram<'stage'>;
  loadShed: Counter;
  abortedJobs: Counter<'reason'>;
  rejectedInputs: Counter<'reason'>;
  cacheHits: Counter;
  cacheMisses: Counter;
  cacheEvictions: Counter;
  cacheBytes: Gauge;
  cacheMemoryBytes: Gauge;
  cacheStoreFailures: Counter;
  cacheEntries: Gauge;
  queueDepth: Gauge;
  inFlight: Gauge;
  uploadBytes: Gauge;
  poolUtilization: Gauge;
  /** Runs before every scrape, to copy live values (queue depth, cache bytes…) into gauges. */
  addCollector(fn: () => void | Promise<void>): void;
  /** The registry in Prometheus text, after every collector has finished (some read files: they are awaited). */
  scrape(): Promise<string>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): StudioMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const collectors: (() => void | Promise<void>)[] = [];
  // Not a gauge's collect(): the registry reads every other metric as soon as the scrape starts, so values an
  // asynchronous collector sets there would come out one scrape late.
  const collectorCount = new Gauge({ name: 'atelier_scrape_collectors', help: 'Number of live-value collectors run at each scrape', registers: [registry] });
  const reg = [registry];
  return {
    registry,
    requests: new Counter({ name: 'atelier_http_requests_total', help: 'HTTP requests answered, by route and status', labelNames: ['method', 'route', 'status'], registers: reg }),
    requestDuration: new Histogram({
      name: 'atelier_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: reg,
    }),
    renders: new Counter({ name: 'atelier_renders_total', help: 'Render requests by outcome (rendered, cached, failed, aborted, timeout, shed)', labelNames: ['outcome'], registers: reg }),
    renderDuration: new Histogram({ name: 'atelier_render_duration_seconds', help: 'Time a render job spent in the pool, queue wait included', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30], registers: reg }),
    renderStage: new Histogram({ name: 'atelier_render_stage_seconds', help: 'Time a worker spent in each stage of a render job (decode, render: the filters, encode)', labelNames: ['stage'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: reg }),
    loadShed: new Counter({ name: 'atelier_load_shed_total', help: 'Requests refused with 503 because the render queue was full or the server was draining', registers: reg }),
    abortedJobs: new Counter({ name: 'atelier_jobs_aborted_total', help: 'Render jobs aborted, by reason (client_closed, timeout, shutdown)', labelNames: ['reason'], registers: reg }),
    rejectedInputs: new Counter({ name: 'atelier_rejected_inputs_total', help: 'Requests refused with a 4xx, by error code', labelNames: ['reason'], registers: reg }),
    cacheHits: new Counter({ name: 'atelier_cache_hits_total', help: 'Render requests answered from the result cache', registers: reg }),
    cacheMisses: new Counter({ name: 'atelier_cache_misses_total', help: 'Render requests not found in the result cache', registers: reg }),
    cacheEvictions: new Counter({ name: 'atelier_cache_evictions_total', help: 'Renders dropped from the result cache (size bound or TTL)', registers: reg }),
    cacheBytes: new Gauge({ name: 'atelier_cache_bytes', help: 'Bytes of encoded artworks held by the result cache, on disk or in memory (bound: ATELIER_CACHE_SIZE)', registers: reg }),
    cacheMemoryBytes: new Gauge({ name: 'atelier_cache_memory_bytes', help: "Of the cache's bytes, those held in the server's memory (all of them with ATELIER_CACHE_STORE=memory; with the disk store, artworks it failed to write)", registers: reg }),
    cacheStoreFailures: new Counter({ name: 'atelier_cache_store_failures_total', help: 'Artworks the disk store could not write (disk full, folder unwritable), kept in memory instead', registers: reg }),
    cacheEntries: new Gauge({ name: 'atelier_cache_entries', help: 'Renders held by the result cache', registers: reg }),
    queueDepth: new Gauge({ name: 'atelier_queue_depth', help: 'Render jobs waiting for a worker', registers: reg }),
    inFlight: new Gauge({ name: 'atelier_pool_in_flight', help: 'Render jobs running in a worker', registers: reg }),
    uploadBytes: new Gauge({ name: 'atelier_upload_bytes_in_flight', help: 'Upload bytes reserved by render requests in flight, from arrival to answer (bound: ATELIER_MAX_PENDING_UPLOADS)', registers: reg }),
    poolUtilization: new Gauge({ name: 'atelier_pool_utilization', help: 'Share of worker time spent rendering (0-1), as piscina reports it', registers: reg }),
    addCollector(fn) {
      collectors.push(fn);
    },
    async scrape() {
      await Promise.all(collectors.map((fn) => fn()));
      collectorCount.set(collectors.length);
      return registry.metrics();
    },
  };
}
