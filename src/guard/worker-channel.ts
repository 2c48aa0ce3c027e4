/**
 * How render workers tell the main thread about their own V8 memory (heap, external, ArrayBuffers): a
 * BroadcastChannel every thread of the process can post on. Only the worker can read its isolate's numbers.
 */
export const WORKER_MEMORY_CHANNEL = 'atelier:worker-memory';

export interface WorkerMemoryReport {
  threadId: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Date.now() in the worker when measured. */
  at: number;
}
