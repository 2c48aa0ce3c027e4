/**
 * A fixed set of filter workers that run the same step on parts of its range, in lock step. Made on first use,
 * kept for later images, unref'd so it never keeps a process alive.
 */
import { Worker } from 'node:worker_threads';
import { AtelierError } from '../errors.js';
import type { FromWorker, ToWorker } from './protocol.js';

// Built, this file is dist/parallel/thread-pool.js next to worker.js; run from source through tsx (tests,
// benchmarks), the worker is TypeScript and needs tsx too.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(FROM_SOURCE ? './worker.ts' : './worker.js', import.meta.url);

function startWorker(): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL);
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(boot, { eval: true });
}

class FilterThread {
  private readonly worker: Worker;
  private pending: { resolve: () => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor() {
    this.worker = startWorker();
    this.worker.unref();
    this.worker.on('message', (m: FromWorker) => {
      const p = this.pending;
      this.pending = null;
      if (!p) return;
      if (m.type === 'done') p.resolve();
      else p.reject(new AtelierError('INTERNAL', `filter worker: ${m.message}`));
    });
    const fail = (e: Error) => {
      this.failure = new AtelierError('WORKER_CRASHED', `filter worker stopped: ${e.message}`, { cause: e });
      this.pending?.reject(this.failure);
      this.pending = null;
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => fail(new Error(`exit code ${code}`)));
  }

  get failed(): boolean {
    return this.failure !== null;
  }

  send(msg: ToWorker): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.worker.postMessage(msg);
    });
  }

  terminate(): Promise<number> {
    this.worker.removeAllListeners('exit');
    return this.worker.terminate();
  }
}

let threads: FilterThread[] = [];
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `job` with `count` workers to itself: jobs run one at a time, since every step already uses all the
 * workers it was given.
 */
export function withThreads<T>(count: number, job: (t: readonly FilterThreadHandle[]) => Promise<T>): Promise<T> {
  const run = async () => {
    // A worker that stopped is replaced rather than failing every later job.
    threads = threads.filter((t) => !t.failed);
    while (threads.length < count) threads.push(new FilterThread());
    return job(threads.slice(0, count));
  };
  const result = queue.then(run, run);
  queue = result.catch(() => undefined);
  return result;
}

export type FilterThreadHandle = Pick<FilterThread, 'send'>;

/** Stops the workers (they are made again if needed). */
export async function closeFilterThreads(): Promise<void> {
  const old = threads;
  threads = [];
  await Promise.all(old.map((t) => t.terminate()));
}
