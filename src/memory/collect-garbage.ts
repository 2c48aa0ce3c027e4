/**
 * Garbage collections on demand, for code that knows better than V8's heuristics when garbage is worth
 * collecting. Typed arrays and Buffers live outside the V8 heap: a program that makes many large ones and keeps
 * few (an image server, a big analysis) can hold tens of megabytes of dead ones until V8's external-memory
 * heuristic decides on a full GC. A scavenge frees the dead ones that are still young (V8's array-buffer sweeper
 * releases them just after it, concurrently), for a fraction of a full GC's cost (BENCHMARKS.md, "Studio CPU by
 * thread").
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type GcFunction = (options?: { type?: 'major' | 'minor' }) => void;
let gcFunction: GcFunction | null | undefined;

/**
 * A full-GC function: the global `gc` under --expose-gc, or one obtained by turning the flag on now (a fresh
 * context then hands out `gc`). Null where neither works.
 */
export function gcFunctionOrNull(): GcFunction | null {
  if (gcFunction === undefined) {
    const exposed = (globalThis as { gc?: GcFunction }).gc;
    if (typeof exposed === 'function') {
      gcFunction = exposed;
    } else {
      try {
        setFlagsFromString('--expose-gc');
        gcFunction = runInNewContext('gc') as GcFunction;
      } catch {
        gcFunction = null;
      }
    }
  }
  return gcFunction;
}

/** A full-GC function; throws where none can be had. */
export function getGc(): GcFunction {
  const gc = gcFunctionOrNull();
  if (!gc) throw new Error('no garbage collection function: run node with --expose-gc');
  return gc;
}

/** Runs a full GC if one can be had (a no-op otherwise). */
export function collectGarbage(): void {
  gcFunctionOrNull()?.();
}

export interface OffHeapCollectorOptions {
  /** Off-heap bytes (ArrayBuffers) above `retained()` that trigger a collection. */
  thresholdBytes: number;
  /** Off-heap bytes the program knows it keeps alive (a cache, a buffer pool): not garbage. Default 0. */
  retained?: () => number;
}

export interface OffHeapCollector {
  /** Collects if the ArrayBuffer bytes beyond what is retained exceed the threshold; true when it did. */
  check(): boolean;
  /**
   * collections counts both kinds, fullCollections the full ones. collectedBytes is what had been freed when the
   * GC returned; V8 frees more a moment later (its sweeper releases dead backing stores concurrently), so it is
   * a lower bound.
   */
  stats(): { checks: number; collections: number; fullCollections: number; collectedBytes: number; gcMs: number };
}

/**
 * Keeps dead ArrayBuffers from piling up: call check() at quiet points (after a job, on a timer). It costs one
 * process.memoryUsage() call, and a collection only when the threshold is passed: first a scavenge (a fraction of
 * a millisecond; it frees the dead buffers that are still young, the usual case for a job's own), and a full GC
 * (milliseconds, and V8's helper threads with it) when the next check finds the threshold still passed, i.e. the
 * garbage had grown old.
 */
export function offHeapCollector(opts: OffHeapCollectorOptions): OffHeapCollector {
  if (!(Number.isFinite(opts.thresholdBytes) && opts.thresholdBytes >= 0)) {
    throw new RangeError(`thresholdBytes must be a number of bytes ≥ 0, got ${String(opts.thresholdBytes)}`);
  }
  const retained = opts.retained ?? (() => 0);
  const s = { checks: 0, collections: 0, fullCollections: 0, collectedBytes: 0, gcMs: 0 };
  let scavengedLast = false;
  return {
    check() {
      s.checks++;
      const before = process.memoryUsage().arrayBuffers;
      if (before - retained() <= opts.thresholdBytes) {
        scavengedLast = false;
        return false;
      }
      const gc = gcFunctionOrNull();
      if (!gc) return false;
      const t = performance.now();
      const full = scavengedLast;
      gc(full ? undefined : { type: 'minor' });
      scavengedLast = !full;
      s.gcMs += performance.now() - t;
      s.collections++;
      if (full) s.fullCollections++;
      s.collectedBytes += Math.max(0, before - process.memoryUsage().arrayBuffers);
      return true;
    },
    stats: () => ({ ...s }),
  };
}
