/**
 * An AbortSignal that aborts when any of its sources does, and lets go of them when disposed.
 * AbortSignal.any() cannot be used with a long-lived source (the studio's shutdown signal, a CLI batch's signal):
 * Node 20 keeps a WeakRef to every signal made from a source in that source's set of dependants, and never removes
 * it, so one entry per job piles up for the source's life. `atelier mem diff` found ~1.2 per render in a soak.
 */
export interface LinkedAbort {
  signal: AbortSignal;
  /** Removes the listeners from the sources; call it when the work is over. */
  dispose(): void;
}

export function linkedAbort(sources: readonly AbortSignal[]): LinkedAbort {
  const controller = new AbortController();
  const listeners: [AbortSignal, () => void][] = [];
  const dispose = (): void => {
    for (const [source, listener] of listeners.splice(0)) source.removeEventListener('abort', listener);
  };
  for (const source of sources) {
    if (source.aborted) {
      controller.abort(source.reason);
      break;
    }
    const listener = (): void => {
      dispose();
      controller.abort(source.reason);
    };
    source.addEventListener('abort', listener, { once: true });
    listeners.push([source, listener]);
  }
  if (controller.signal.aborted) dispose();
  return { signal: controller.signal, dispose };
}
