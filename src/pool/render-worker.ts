/**
 * The piscina worker module: one render job at a time per thread. libvips gets one thread here, because
 * the pool already runs one worker per core.
 */
import { workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { offHeapCollector } from '../memory/collect-garbage.js';
import { renderEach } from '../filters/render.js';
import { BufferPool } from '../filters/workspace.js';
import { renderJob, type RenderJob, type RenderResult } from './render-job.js';
import { serializeError } from './worker-protocol.js';
import { warmUp } from './warm-up.js';
import { DEFAULT_GC_THRESHOLD_BYTES, DEFAULT_IDLE_RELEASE_MS, WARM_UP_TASK, WORKER_POOL_MAX_FREE_BYTES, type RenderWorkerData } from './worker-data.js';
// The memory guard sums every worker's V8 heap (WorkerMemoryTracker); only the worker itself can measure it.
import { reportAlso } from '../memory/worker-memory-reporter.js';

sharp.concurrency(1);
// Every upload is new, so libvips' operation cache would only hold memory.
sharp.cache(false);

const pool = new BufferPool({ maxFreeBytes: WORKER_POOL_MAX_FREE_BYTES, sizeClasses: true });

/**
 * A job leaves ArrayBuffers dead (copies of its artworks, scratch outside the pool); V8 would let ~64 MB of them
 * pile up per thread before collecting. The pool's free buffers are alive on purpose, so they do not count. sharp's
 * own buffers (the decoded image, the encodes) are external memory the check does not see: counting them too
 * lowered the peak but cost 6–9% CPU per upload (BENCHMARKS.md, "Studio load", session 9).
 */
const data = (workerData ?? {}) as Partial<RenderWorkerData>;
const collector = offHeapCollector({ thresholdBytes: data.gcThresholdBytes ?? DEFAULT_GC_THRESHOLD_BYTES, retained: () => pool.stats().freeBytes });
reportAlso(() => {
  const c = collector.stats();
  return { bufferPoolFree: pool.stats().freeBytes, gcCollections: c.collections, gcMs: c.gcMs };
});

const idleReleaseMs = data.idleReleaseMs ?? DEFAULT_IDLE_RELEASE_MS;
let idleTimer: NodeJS.Timeout | undefined;
let running = 0;
function releaseWhenIdle(): void {
  pool.clear();
  collector.check();
}

/** Between jobs: keep only the latest job's working set, collect what it left dead, and start the idle clock. */
function settle(): void {
  pool.trim();
  collector.check();
  if (running > 0) return;
  // Unref'd: an idle worker's timer must not keep the thread (or a CLI batch) alive.
  if (idleReleaseMs === 0) releaseWhenIdle();
  else idleTimer = setTimeout(releaseWhenIdle, idleReleaseMs).unref();
}

export default async function run(job: RenderJob | typeof WARM_UP_TASK): Promise<RenderResult | null> {
  clearTimeout(idleTimer);
  running++;
  try {
    if ('warmUp' in job) {
      await warmUp(pool);
      return null;
    }
    return await renderJob(job, renderEach, pool);
  } catch (e) {
    throw serializeError(e);
  } finally {
    running--;
    settle();
  }
}
