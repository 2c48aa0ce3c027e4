/**
 * The measuring loop of the leak test, shared by the child process of `atelier mem leaks` and by the in-process
 * `assertNoLeak`: warm up, then run the iterations, forcing full GCs after each one and recording what is still
 * retained (V8 heap and external/ArrayBuffer memory), with heap snapshots at iterations k, 2k and 3k.
 */
import v8 from 'node:v8';
import { join } from 'node:path';
import { getGc } from './collect-garbage.js';

export interface RetainedSample {
  /** 1-based index of the measured iteration after which the sample was taken. */
  iteration: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** Resident set size of the whole process: shown, never judged (allocators keep freed pages resident). */
  rss: number;
}

export interface MeasureOptions {
  warmup: number;
  iterations: number;
  /** Called after GC at iterations k, 2k, 3k with k = floor(iterations / 3) (the last one at `iterations`). */
  snapshot?: (index: 0 | 1 | 2, iteration: number) => Promise<void> | void;
}

export interface MeasureResult { samples: RetainedSample[]; snapshotIterations: number[] }


const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Collects until what is left is what is retained. Twice, with the event loop turning in between, so that
 * FinalizationRegistry callbacks, WeakRef targets and objects freed by the first pass's weak callbacks go too.
 */
export async function settle(gc: () => void): Promise<void> {
  gc();
  await tick();
  gc();
}

/**
 * Writes a heap snapshot from a fresh macrotask. With the measuring loop on the stack, every retainer path would
 * start at "(Stack roots)" through the scenario's function instead of at the module or global holding the leak.
 * The path is computed by the caller before measuring, so no string is born between snapshots.
 */
export function writeSnapshotFromFreshTask(path: string): Promise<void> {
  return new Promise((done, fail) => setImmediate(() => {
    try {
      v8.writeHeapSnapshot(path);
      done();
    } catch (e) {
      fail(e);
    }
  }));
}

/** The three snapshot files of a run, named before it starts. */
export function snapshotFiles(dir: string): [string, string, string] {
  return [1, 2, 3].map((k) => join(dir, `s${k}.heapsnapshot`)) as [string, string, string];
}

/** Snapshot points: k, 2k, 3k with 3k = the last iteration. */
export function snapshotPoints(iterations: number): [number, number, number] {
  const k = Math.floor(iterations / 3);
  return [iterations - 2 * k, iterations - k, iterations];
}

export async function measureIterations(iteration: () => unknown, opts: MeasureOptions): Promise<MeasureResult> {
  const gc = getGc();
  for (let i = 0; i < opts.warmup; i++) await iteration();
  const points = snapshotPoints(opts.iterations);
  // Preallocated: a growing array of samples would itself be a leak of ~100 bytes per iteration.
  const heapUsed = new Float64Array(opts.iterations);
  const external = new Float64Array(opts.iterations);
  const arrayBuffers = new Float64Array(opts.iterations);
  const rss = new Float64Array(opts.iterations);
  for (let i = 1; i <= opts.iterations; i++) {
    await iteration();
    await settle(gc);
    const m = process.memoryUsage();
    heapUsed[i - 1] = m.heapUsed;
    external[i - 1] = m.external;
    arrayBuffers[i - 1] = m.arrayBuffers;
    rss[i - 1] = m.rss;
    const at = points.indexOf(i);
    if (at >= 0 && opts.snapshot) {
      await opts.snapshot(at as 0 | 1 | 2, i);
      // Taking a snapshot allocates; settle again so the next sample does not carry it.
      await settle(gc);
    }
  }
  const samples: RetainedSample[] = Array.from(heapUsed, (h, i) => ({ iteration: i + 1, heapUsed: h, external: external[i], arrayBuffers: arrayBuffers[i], rss: rss[i] }));
  return { samples, snapshotIterations: points };
}
