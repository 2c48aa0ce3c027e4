/**
 * The environment `atelier serve` starts its server process with: the malloc the config asks for (allocator.ts)
 * and a small V8 young generation. Both only act when a process starts, so bin/atelier exports them before it
 * execs node (src/cli/serve-env.ts), and `node dist/cli/main.js serve` re-runs itself once with them.
 */
import { setFlagsFromString } from 'node:v8';
import { APPLIED_MARKER, allocatorEnv } from './allocator.js';
import type { Allocator, HeapCompaction } from '../server/config.js';

/**
 * Largest V8 semi-space, in MB, for the main thread and the render workers (V8 flags are process-wide). V8's
 * default lets each thread's young generation grow to 16 MB × 2 under the server's allocation rate; the soak
 * measured the three heaps' committed size at 75 MB with it and 48 MB with 2 MB, the same throughput and 25 MB
 * less mean RSS (BENCHMARKS.md, "Soak"). The studio's big data (uploads, pixels, artworks) lives outside the heap.
 */
export const SEMI_SPACE_MB = 2;

/** NODE_OPTIONS with the semi-space cap added, unless the user already chose one. */
export function withYoungGeneration(nodeOptions: string | undefined): string {
  const current = nodeOptions?.trim() ?? '';
  if (/--max-semi-space-size\b/.test(current)) return current;
  return `${current} --max-semi-space-size=${SEMI_SPACE_MB}`.trim();
}

/** The largest semi-space NODE_OPTIONS asks for, in MB (the user's choice, or ours once launchEnv applied it). */
export function semiSpaceMb(nodeOptions: string | undefined): number {
  const m = /--max-semi-space-size[= ](\d+)/.exec(nodeOptions ?? '');
  return m ? Number(m[1]) : SEMI_SPACE_MB;
}

/**
 * Makes the render workers' smallest young generation their largest. Left to itself, V8 shrinks an idle worker's
 * new space and grows it again under the next jobs: each worker's new space went between 1 and 4 MB committed, in
 * states that lasted minutes and showed in the soak's RSS slope (BENCHMARKS.md, "Soak", session 5). NODE_OPTIONS
 * refuses --min-semi-space-size, so it is set here, in the process, before the pool starts: it acts on the
 * isolates made afterwards (the workers). The main thread's young generation stays at its maximum under load.
 */
export function pinWorkersYoungGeneration(nodeOptions: string | undefined = process.env.NODE_OPTIONS): void {
  setFlagsFromString(`--min-semi-space-size=${semiSpaceMb(nodeOptions)}`);
}

/**
 * Makes every full GC compact its old generation, in the main thread and the render workers (V8 flags are
 * process-wide, and V8 reads this one at each GC, so it acts on the running main thread too). By default V8
 * evacuates only the pages it judges fragmented enough, and returns the free space of the others only when the
 * isolate goes idle (its memory reducer), which a server under steady load never does: the main thread's old space
 * stayed committed at 20–21 MB for 15 MB of live objects, and the three heaps crept up by ~4 MB over the soak's first
 * 3000 requests. Compacting at every full GC keeps committed ≈ live: in the soak, the heaps held at ~45 MB instead of
 * 50–54 MB and stopped creeping, for no CPU per upload that bench:load could see (BENCHMARKS.md, "Soak", session 6).
 * The heaps are small (15 MB and 2 × 7 MB live), so moving their live objects at each full GC is cheap.
 */
export function setHeapCompaction(mode: HeapCompaction): void {
  setFlagsFromString(mode === 'every-full-gc' ? '--compact-on-every-full-gc' : '--no-compact-on-every-full-gc');
}

/** The environment to start the server with, or null when this process was started with it already. */
export function launchEnv(wanted: Allocator, env: NodeJS.ProcessEnv = process.env): { env: NodeJS.ProcessEnv; note: string } | null {
  if (env[APPLIED_MARKER]) return null;
  const alloc = allocatorEnv(wanted, env);
  const next: NodeJS.ProcessEnv = { ...(alloc?.env ?? env), [APPLIED_MARKER]: wanted };
  next.NODE_OPTIONS = withYoungGeneration(env.NODE_OPTIONS);
  const notes = [alloc?.note, `NODE_OPTIONS=${next.NODE_OPTIONS}`].filter(Boolean);
  return { env: next, note: notes.join('; ') };
}
