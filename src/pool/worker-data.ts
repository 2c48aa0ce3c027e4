/** What every render worker thread is started with (piscina's workerData), and its defaults. */
export interface RenderWorkerData {
  /** Dead ArrayBuffer bytes a worker may hold after a job before it runs a full GC. */
  gcThresholdBytes: number;
}

export const DEFAULT_GC_THRESHOLD_BYTES = 8 * 1024 * 1024;
