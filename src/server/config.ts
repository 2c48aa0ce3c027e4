/**
 * The studio's ONE configuration object. Every setting has a default, an environment variable and (for the
 * common ones) a command-line flag; all go through the same parsing and range checks, so a bad value is refused
 * at start-up with a message that names where it came from, the setting and the allowed range.
 * Precedence: explicit overrides (tests, embedding) > flags > environment > default.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, tmpdir, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { AtelierError } from '../errors.js';
import { ARTWORK_STORES, type ArtworkStoreKind } from './artwork-store.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../imaging/formats.js';
import { DEFAULT_GC_THRESHOLD_BYTES } from '../pool/worker-data.js';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface ServerConfig {
  host: string;
  port: number;
  /** Render worker threads. */
  threads: number;
  /** Jobs that may wait for a worker before new work is shed with 503. */
  maxQueue: number;
  /** Per-request time limit for a render, queue wait included. */
  requestTimeoutMs: number;
  /** Time a client has to send its whole request, headers and upload (Node's requestTimeout; 408 after it). */
  uploadTimeoutMs: number;
  /** How long a graceful shutdown waits for in-flight requests before aborting them. */
  shutdownTimeoutMs: number;
  /** Largest accepted upload (raw body or multipart file). */
  maxUploadBytes: number;
  /** Upload bytes that may wait in the queue or be rendering, all renders together, before new ones get 503. */
  maxPendingUploadBytes: number;
  /** Largest accepted decoded image, width × height, judged from the header. */
  maxPixels: number;
  /** maxSide used when a request names none. */
  defaultMaxSide: number;
  /** Largest maxSide a request may ask for. */
  maxSideLimit: number;
  /** Result cache bound, in bytes of encoded artworks. */
  cacheMaxBytes: number;
  /** Where cached artworks' bytes live (artwork-store.ts). */
  cacheStore: ArtworkStoreKind;
  /** Parent folder of the disk store's private folder. */
  cacheDir: string;
  /** Dead ArrayBuffer bytes (upload chunks, copied buffers; not sharp's own results) a thread may hold before it collects them (offHeapCollector). */
  gcThresholdBytes: number;
  cacheTtlMs: number;
  /** Artwork format when a request names none. */
  defaultFormat: OutputFormat;
  /** Encoder quality (jpeg, webp, avif) when a request names none. */
  defaultQuality: number;
  logLevel: LogLevel;
  /** Seconds announced in Retry-After when load is shed. */
  retryAfterSeconds: number;
  // ---- memory guard (src/guard) ----
  /** malloc used by `atelier serve` (it re-executes itself once with LD_PRELOAD / MALLOC_ARENA_MAX). */
  allocator: Allocator;
  /** When V8 compacts the old generations of the main thread and the render workers (launch-env.ts). */
  heapCompaction: HeapCompaction;
  /** RSS above which the watchdog warns and captures diagnostics. */
  memorySoftLimit: number;
  /** RSS above which the server reports not ready and sheds new renders with 503. */
  memoryHardLimit: number;
  /** Below hardLimit × (1 − this percent) the hard-limit hold is released. */
  memoryHysteresisPercent: number;
  /** RSS growth, in bytes per minute over the slope window, that counts as a soft alert. */
  memorySlopeLimit: number;
  memorySlopeWindowMs: number;
  /** Watchdog sampling period. */
  watchdogIntervalMs: number;
  /** Where diagnostics captures (heap snapshot, allocation profile, HTML analysis) are written. */
  diagnosticsDir: string;
  diagnosticsMaxCaptures: number;
  diagnosticsMaxBytes: number;
  /** Minimum time between two automatic captures. */
  captureMinIntervalMs: number;
  /** How long a capture samples allocations before taking its snapshot. */
  captureProfileMs: number;
  /** When set, the capture routes require it (Authorization: Bearer …) instead of a loopback client. */
  memoryToken: string;
}

type Kind =
  | { type: 'int'; min: number; max: number }
  | { type: 'bytes'; min: number; max: number }
  | { type: 'duration'; min: number; max: number }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'host' }
  | { type: 'path' }
  | { type: 'secret' };

export const ALLOCATORS = ['jemalloc', 'arena2', 'glibc'] as const;
export type Allocator = (typeof ALLOCATORS)[number];
export const HEAP_COMPACTIONS = ['every-full-gc', 'v8'] as const;
export type HeapCompaction = (typeof HEAP_COMPACTIONS)[number];

interface FieldSpec {
  env: string;
  flag?: string;
  kind: Kind;
  doc: string;
  default: () => string | number;
}

const MB = 1024 * 1024;

/** Memory this process may use: the cgroup (v2 or v1) limit when one is set, else the machine's RAM. */
export function machineMemoryLimit(): number {
  const total = totalmem();
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const v = Number(readFileSync(file, 'utf8').trim());
      if (Number.isFinite(v) && v > 0 && v < total) return v;
    } catch {
      // no such cgroup file, or "max"
    }
  }
  return total;
}

/** The table every setting is read from; README's "Configuration" list is written from it. */
export const CONFIG_FIELDS: { readonly [K in keyof ServerConfig]: FieldSpec } = {
  host: { env: 'ATELIER_HOST', flag: '--host', kind: { type: 'host' }, default: () => '127.0.0.1', doc: 'interface to listen on' },
  port: { env: 'ATELIER_PORT', flag: '--port', kind: { type: 'int', min: 0, max: 65535 }, default: () => 8080, doc: 'TCP port (0 picks a free one)' },
  threads: { env: 'ATELIER_THREADS', flag: '--threads', kind: { type: 'int', min: 1, max: 256 }, default: () => availableParallelism(), doc: 'render worker threads (default: one per core)' },
  maxQueue: { env: 'ATELIER_MAX_QUEUE', flag: '--max-queue', kind: { type: 'int', min: 0, max: 100_000 }, default: () => 32, doc: 'renders waiting for a worker before 503' },
  requestTimeoutMs: { env: 'ATELIER_REQUEST_TIMEOUT', flag: '--request-timeout', kind: { type: 'duration', min: 10, max: 3_600_000 }, default: () => 30_000, doc: 'time limit of one render request (504 after it)' },
  uploadTimeoutMs: { env: 'ATELIER_UPLOAD_TIMEOUT', kind: { type: 'duration', min: 100, max: 3_600_000 }, default: () => 120_000, doc: 'time a client has to send its whole request, upload included (408 after it)' },
  shutdownTimeoutMs: { env: 'ATELIER_SHUTDOWN_TIMEOUT', kind: { type: 'duration', min: 0, max: 3_600_000 }, default: () => 30_000, doc: 'how long SIGTERM/SIGINT wait for in-flight requests' },
  maxUploadBytes: { env: 'ATELIER_MAX_UPLOAD', kind: { type: 'bytes', min: 1024, max: 1024 * MB }, default: () => 25 * MB, doc: 'largest upload (413 above)' },
  maxPendingUploadBytes: { env: 'ATELIER_MAX_PENDING_UPLOADS', kind: { type: 'bytes', min: 1024, max: 64 * 1024 * MB }, default: () => 128 * MB, doc: 'upload bytes held by render requests in flight together, from the first byte read to the answer (503 above)' },
  maxPixels: { env: 'ATELIER_MAX_PIXELS', kind: { type: 'int', min: 1, max: 1_000_000_000 }, default: () => 50_000_000, doc: 'largest decoded image in pixels (413 above, judged from the header)' },
  defaultMaxSide: { env: 'ATELIER_DEFAULT_MAX_SIDE', kind: { type: 'int', min: 1, max: 65_535 }, default: () => 1024, doc: 'longest side of artworks when a request names no maxSide' },
  maxSideLimit: { env: 'ATELIER_MAX_SIDE_LIMIT', kind: { type: 'int', min: 1, max: 65_535 }, default: () => 4096, doc: 'largest maxSide a request may ask for' },
  gcThresholdBytes: { env: 'ATELIER_GC_THRESHOLD', kind: { type: 'bytes', min: 0, max: 64 * 1024 * MB }, default: () => DEFAULT_GC_THRESHOLD_BYTES, doc: 'off-heap garbage (dead ArrayBuffers: uploads, socket chunks, copied buffers; not sharp\'s own results) a thread may hold before it collects it (a scavenge, then a full GC if that was not enough); V8 alone lets ~64 MB pile up per thread' },
  cacheMaxBytes: { env: 'ATELIER_CACHE_SIZE', kind: { type: 'bytes', min: MB, max: 64 * 1024 * MB }, default: () => 128 * MB, doc: 'result cache bound, in bytes of encoded artworks' },
  cacheStore: { env: 'ATELIER_CACHE_STORE', kind: { type: 'enum', values: ARTWORK_STORES }, default: () => 'disk', doc: "where cached artworks' bytes live: disk (files in a private folder under ATELIER_CACHE_DIR, held by the kernel's page cache, not the server's RSS) or memory" },
  cacheDir: { env: 'ATELIER_CACHE_DIR', kind: { type: 'path' }, default: () => tmpdir(), doc: "folder in which the disk store makes its private folder (removed at shutdown, or by the next server if this one was killed); use a disk, not a tmpfs, for the cache to leave RAM" },
  cacheTtlMs: { env: 'ATELIER_CACHE_TTL', kind: { type: 'duration', min: 1000, max: 30 * 86_400_000 }, default: () => 3_600_000, doc: 'how long a render stays in the cache' },
  defaultFormat: { env: 'ATELIER_FORMAT', kind: { type: 'enum', values: OUTPUT_FORMATS }, default: () => 'jpeg', doc: 'artwork format when a request names none' },
  defaultQuality: { env: 'ATELIER_QUALITY', kind: { type: 'int', min: 1, max: 100 }, default: () => 90, doc: 'jpeg/webp/avif quality when a request names none' },
  logLevel: { env: 'ATELIER_LOG_LEVEL', flag: '--log-level', kind: { type: 'enum', values: LOG_LEVELS }, default: () => 'info', doc: 'pino log level' },
  retryAfterSeconds: { env: 'ATELIER_RETRY_AFTER', kind: { type: 'int', min: 1, max: 3600 }, default: () => 2, doc: 'seconds announced in Retry-After when shedding load' },
  allocator: { env: 'ATELIER_ALLOCATOR', flag: '--allocator', kind: { type: 'enum', values: ALLOCATORS }, default: () => 'jemalloc', doc: 'malloc for `atelier serve`: jemalloc (when installed), arena2 (glibc with MALLOC_ARENA_MAX=2) or glibc as is' },
  heapCompaction: { env: 'ATELIER_HEAP_COMPACTION', kind: { type: 'enum', values: HEAP_COMPACTIONS }, default: () => 'every-full-gc', doc: "when V8 compacts the V8 heaps' old generations: every-full-gc (their committed size follows the live objects; the soak's heaps ~45 MB and flat, instead of 50–54 MB and climbing) or v8 (V8's own choice of pages)" },
  memorySoftLimit: { env: 'ATELIER_MEMORY_SOFT_LIMIT', kind: { type: 'bytes', min: 16 * MB, max: 1024 * 1024 * MB }, default: () => Math.min(1024 * MB, Math.round(machineMemoryLimit() * 0.5)), doc: 'RSS that raises a warning and captures diagnostics (default: half the memory, at most 1 GB)' },
  memoryHardLimit: { env: 'ATELIER_MEMORY_HARD_LIMIT', kind: { type: 'bytes', min: 16 * MB, max: 1024 * 1024 * MB }, default: () => Math.min(2048 * MB, Math.round(machineMemoryLimit() * 0.8)), doc: 'RSS at which the server turns not ready and sheds renders (default: 80% of the memory, at most 2 GB)' },
  memoryHysteresisPercent: { env: 'ATELIER_MEMORY_HYSTERESIS', kind: { type: 'int', min: 1, max: 50 }, default: () => 10, doc: 'percent below the hard limit RSS must fall to before renders resume' },
  memorySlopeLimit: { env: 'ATELIER_MEMORY_SLOPE_LIMIT', kind: { type: 'bytes', min: 1024, max: 1024 * 1024 * MB }, default: () => 32 * MB, doc: 'RSS growth per minute over the slope window that raises a warning' },
  memorySlopeWindowMs: { env: 'ATELIER_MEMORY_SLOPE_WINDOW', kind: { type: 'duration', min: 2000, max: 86_400_000 }, default: () => 300_000, doc: 'window over which the RSS slope is fitted' },
  watchdogIntervalMs: { env: 'ATELIER_WATCHDOG_INTERVAL', kind: { type: 'duration', min: 50, max: 60_000 }, default: () => 1000, doc: 'how often the memory watchdog samples' },
  diagnosticsDir: { env: 'ATELIER_DIAGNOSTICS_DIR', kind: { type: 'path' }, default: () => resolve('.diagnostics'), doc: 'folder of diagnostics captures' },
  diagnosticsMaxCaptures: { env: 'ATELIER_DIAGNOSTICS_MAX_CAPTURES', kind: { type: 'int', min: 1, max: 1000 }, default: () => 5, doc: 'captures kept on disk (oldest removed)' },
  diagnosticsMaxBytes: { env: 'ATELIER_DIAGNOSTICS_MAX_BYTES', kind: { type: 'bytes', min: MB, max: 1024 * 1024 * MB }, default: () => 1024 * MB, doc: 'bytes of captures kept on disk (oldest removed)' },
  captureMinIntervalMs: { env: 'ATELIER_CAPTURE_MIN_INTERVAL', kind: { type: 'duration', min: 0, max: 30 * 86_400_000 }, default: () => 600_000, doc: 'minimum time between two automatic captures' },
  captureProfileMs: { env: 'ATELIER_CAPTURE_PROFILE', kind: { type: 'duration', min: 0, max: 600_000 }, default: () => 10_000, doc: 'how long a capture samples allocations before its heap snapshot' },
  memoryToken: { env: 'ATELIER_MEMORY_TOKEN', kind: { type: 'secret' }, default: () => '', doc: 'token required by the capture routes (Authorization: Bearer); without one they answer loopback clients only' },
};

const UNITS: Record<string, number> = { b: 1, kb: 1024, k: 1024, mb: MB, m: MB, gb: 1024 * MB, g: 1024 * MB };
const DURATIONS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

function describe(kind: Kind): string {
  switch (kind.type) {
    case 'int': return `an integer from ${kind.min} to ${kind.max}`;
    case 'bytes': return `a size from ${kind.min} to ${kind.max} bytes (e.g. 25MB, 512kb, 1048576)`;
    case 'duration': return `a duration from ${kind.min} to ${kind.max} ms (e.g. 30s, 500ms, 2m, 1500)`;
    case 'enum': return `one of ${kind.values.join(', ')}`;
    case 'host': return 'a host name or IP address';
    case 'path': return 'a folder path';
    case 'secret': return 'a token of 16 to 256 printable characters';
  }
}

function parseValue(kind: Kind, raw: string | number): string | number | undefined {
  const s = String(raw).trim();
  switch (kind.type) {
    case 'int': {
      if (!/^[-+]?\d+$/.test(s)) return undefined;
      const v = Number(s);
      return v >= kind.min && v <= kind.max ? v : undefined;
    }
    case 'bytes': {
      const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(s);
      const unit = m ? UNITS[(m[2] || 'b').toLowerCase()] : undefined;
      if (!m || unit === undefined) return undefined;
      const v = Math.round(Number(m[1]) * unit);
      return v >= kind.min && v <= kind.max ? v : undefined;
    }
    case 'duration': {
      const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(s);
      if (!m) return undefined;
      const v = Math.round(Number(m[1]) * DURATIONS[(m[2] || 'ms').toLowerCase()]);
      return v >= kind.min && v <= kind.max ? v : undefined;
    }
    case 'enum':
      return kind.values.includes(s.toLowerCase()) ? s.toLowerCase() : undefined;
    case 'host':
      return /^[A-Za-z0-9.:\-[\]]+$/.test(s) ? s : undefined;
    case 'path':
      return s.length > 0 && !s.includes('\0') ? resolve(s) : undefined;
    case 'secret':
      return /^[\x21-\x7e]{16,256}$/.test(s) ? s : undefined;
  }
}

export interface ConfigSources {
  /** Parsed command-line options, keyed by ServerConfig field. */
  flags?: Partial<Record<keyof ServerConfig, string | number | undefined>>;
  env?: Record<string, string | undefined>;
  /** Values set by code (tests, embedding); validated like the rest. */
  overrides?: Partial<ServerConfig>;
}

/** Builds and validates the config; throws AtelierError INVALID_ARGUMENT naming the first bad setting. */
export function loadConfig(sources: ConfigSources = {}): ServerConfig {
  const env = sources.env ?? {};
  const out: Record<string, string | number> = {};
  for (const [key, spec] of Object.entries(CONFIG_FIELDS) as [keyof ServerConfig, FieldSpec][]) {
    const candidates: [string, string | number | undefined][] = [
      [`config.${key}`, sources.overrides?.[key]],
      [spec.flag ?? `--${key}`, sources.flags?.[key]],
      [spec.env, env[spec.env]],
    ];
    const found = candidates.find(([, v]) => v !== undefined && v !== '');
    if (!found) {
      out[key] = spec.default();
      continue;
    }
    const [origin, raw] = found as [string, string | number];
    const v = parseValue(spec.kind, raw);
    if (v === undefined) throw new AtelierError('INVALID_ARGUMENT', `${origin} must be ${describe(spec.kind)}, got ${JSON.stringify(raw)}`);
    out[key] = v;
  }
  const config = out as unknown as ServerConfig;
  if (config.defaultMaxSide > config.maxSideLimit) {
    throw new AtelierError('INVALID_ARGUMENT', `ATELIER_DEFAULT_MAX_SIDE (${config.defaultMaxSide}) must not exceed ATELIER_MAX_SIDE_LIMIT (${config.maxSideLimit})`);
  }
  if (config.memorySoftLimit >= config.memoryHardLimit) {
    throw new AtelierError('INVALID_ARGUMENT', `ATELIER_MEMORY_SOFT_LIMIT (${config.memorySoftLimit}) must be below ATELIER_MEMORY_HARD_LIMIT (${config.memoryHardLimit})`);
  }
  return Object.freeze(config);
}
