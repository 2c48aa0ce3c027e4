/** What every render worker thread is started with (piscina's workerData), and its defaults. */
export interface RenderWorkerData {
  /** Dead ArrayBuffer bytes a worker may hold after a job before it collects them (offHeapCollector). */
  gcThresholdBytes: number;
  /** A worker with no job for this long drops its pooled buffers (0: right after every job). */
  idleReleaseMs: number;
}

export const DEFAULT_GC_THRESHOLD_BYTES = 8 * 1024 * 1024;
/**
 * Long enough that a worker under load keeps its buffers from one job to the next, short enough that memory
 * returns soon after a burst. Allocating them again costs the next job a few ms (fresh pages are zeroed).
 */
export const DEFAULT_IDLE_RELEASE_MS = 10_000;

/**
 * Free working buffers a render worker keeps between jobs (trimmed after each to what that job used). At the default
 * maxSide 1024 the pool holds ~30 MiB for the four seed styles rendered one at a time, in size classes so that
 * images of similar sizes share one set (`npm run bench:pools`): keeping up to 64 MB lets the next such job
 * allocate nothing, while the buffers of a rare larger job (maxSide 0: a 4096-px image needs ~200 MB per buffer)
 * are dropped to the garbage collector instead of pinned for the thread's life.
 */
export const WORKER_POOL_MAX_FREE_BYTES = 64 * 1024 * 1024;

/** The task the pool sends each worker at start-up instead of a job (RenderPoolOptions.warmUp; warm-up.ts). */
export const WARM_UP_TASK = { warmUp: true } as const;
