/**
 * The malloc the studio runs on. glibc's per-thread arenas fragment under libvips and worker threads (RSS grows
 * while the heaps stay flat); jemalloc and glibc limited to two arenas do not, as BENCHMARKS.md "Allocator"
 * measures. LD_PRELOAD and MALLOC_ARENA_MAX only act when a process starts, so `atelier serve` re-executes
 * itself once with them set, marked by ATELIER_ALLOCATOR_APPLIED so the child never re-executes again.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Allocator } from '../server/config.js';

export const APPLIED_MARKER = 'ATELIER_ALLOCATOR_APPLIED';
/** Debian/Ubuntu's libjemalloc2; ATELIER_JEMALLOC_PATH points elsewhere. */
export const JEMALLOC_PATHS = ['/usr/lib/x86_64-linux-gnu/libjemalloc.so.2', '/usr/lib/aarch64-linux-gnu/libjemalloc.so.2', '/usr/lib64/libjemalloc.so.2', '/usr/lib/libjemalloc.so.2'];

/**
 * jemalloc's settings for the studio, unless MALLOC_CONF is already set. By default jemalloc keeps freed pages
 * for 10 s and makes four arenas per core. The studio frees a few large buffers per render (megabytes each, ~2 per
 * second per thread), so returning them at once costs little; with that and two arenas (the render threads run
 * libvips with one thread each) the memory jemalloc keeps beyond what is in use fell from ~50 MB to ~16 MB on
 * average in the soak (BENCHMARKS.md, "Allocator").
 */
export const JEMALLOC_CONF = 'background_thread:true,dirty_decay_ms:0,muzzy_decay_ms:0,narenas:2';

export function findJemalloc(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.ATELIER_JEMALLOC_PATH ? [env.ATELIER_JEMALLOC_PATH] : JEMALLOC_PATHS;
  return candidates.find((p) => existsSync(p));
}

/** What this process actually runs on, from its mappings and environment. */
export function activeAllocator(): { name: Allocator; detail: string } {
  let maps = '';
  try {
    maps = readFileSync('/proc/self/maps', 'utf8');
  } catch {
    // not Linux
  }
  const jemalloc = /\S*libjemalloc\S*/.exec(maps);
  if (jemalloc) return { name: 'jemalloc', detail: process.env.MALLOC_CONF ? `${jemalloc[0]}, MALLOC_CONF=${process.env.MALLOC_CONF}` : jemalloc[0] };
  const arenas = process.env.MALLOC_ARENA_MAX;
  if (arenas) return { name: arenas === '2' ? 'arena2' : 'glibc', detail: `glibc malloc, MALLOC_ARENA_MAX=${arenas}` };
  return { name: 'glibc', detail: 'glibc malloc as is' };
}

/** The environment to start the server with for `wanted`, or null when this process already runs on it. */
export function allocatorEnv(wanted: Allocator, env: NodeJS.ProcessEnv = process.env): { env: NodeJS.ProcessEnv; note: string } | null {
  if (env[APPLIED_MARKER]) return null;
  const current = activeAllocator().name;
  if (current === wanted) return null;
  const next: NodeJS.ProcessEnv = { ...env, [APPLIED_MARKER]: wanted };
  if (wanted === 'jemalloc') {
    const lib = findJemalloc(env);
    if (!lib) return null;
    next.LD_PRELOAD = env.LD_PRELOAD ? `${lib}:${env.LD_PRELOAD}` : lib;
    next.MALLOC_CONF ??= JEMALLOC_CONF;
    return { env: next, note: `jemalloc (${lib}, MALLOC_CONF=${next.MALLOC_CONF})` };
  }
  if (wanted === 'arena2') {
    next.MALLOC_ARENA_MAX = '2';
    return { env: next, note: 'glibc malloc with MALLOC_ARENA_MAX=2' };
  }
  // glibc as is: only worth a restart if jemalloc was preloaded by someone else.
  if (current === 'jemalloc') {
    next.LD_PRELOAD = (env.LD_PRELOAD ?? '').split(':').filter((p) => p && !p.includes('jemalloc')).join(':');
    return { env: next, note: 'glibc malloc' };
  }
  return null;
}

/**
 * Runs this same command again under `env` and mirrors it: signals are forwarded, its exit code becomes ours.
 * Resolves never (the process exits with the child).
 */
export function reexec(env: NodeJS.ProcessEnv): Promise<never> {
  // Its own process group: a terminal's Ctrl-C reaches only us and is forwarded once (twice would make the
  // server skip its graceful drain).
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { env, stdio: 'inherit', detached: true });
  for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(sig, () => child.kill(sig));
  return new Promise(() => {
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGKILL' ? 9 : 15) : 1)));
    child.on('error', (e) => {
      process.stderr.write(`atelier: cannot restart with the chosen allocator: ${e.message}\n`);
      process.exit(1);
    });
  });
}

/**
 * In the re-executed server: if the launcher dies without forwarding a signal (SIGKILL), this process is
 * re-parented; it then shuts down as if told to, instead of running on unsupervised.
 */
export function watchLauncher(onGone: () => void, everyMs = 2000): void {
  if (!process.env[APPLIED_MARKER]) return;
  const launcher = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== launcher) {
      clearInterval(timer);
      onGone();
    }
  }, everyMs);
  timer.unref();
}
