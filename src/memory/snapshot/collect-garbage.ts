import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let gcFunction: (() => void) | null | undefined;

/**
 * A full garbage collection between the phases of a big analysis (one snapshot's columns dropped before the
 * next is read, the transient retainer index after the dominators). Typed arrays that outlived a scavenge are
 * freed only by a full GC, which V8 would otherwise run late: the peak RSS then holds two snapshots' columns.
 * Uses the process's `gc` when exposed; else enables the flag for a fresh context, which then hands out `gc`.
 */
export function collectGarbage(): void {
  if (gcFunction === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') {
      gcFunction = exposed;
    } else {
      try {
        setFlagsFromString('--expose-gc');
        gcFunction = runInNewContext('gc') as () => void;
      } catch {
        gcFunction = null;
      }
    }
  }
  gcFunction?.();
}
