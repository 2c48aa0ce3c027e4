/**
 * How worker threads tell the main thread about their own V8 memory (heap, external, ArrayBuffers): a
 * BroadcastChannel every thread of the process can post on. Only a worker can read its own isolate's numbers.
 */
export const WORKER_MEMORY_CHANNEL = 'atelier:worker-memory';

export interface WorkerMemoryReport {
  threadId: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Free bytes the worker's buffer pool keeps for the next job (alive on purpose). */
  bufferPoolFree?: number;
  /** Full GCs the worker ran because dead buffers piled up, and the milliseconds they took. */
  gcCollections?: number;
  gcMs?: number;
  /** Date.now() in the worker when measured. */
  at: number;
}
