/**
 * Parsing and printing of the quantities the memory toolkit talks about: durations given on a command line
 * and byte counts shown to people. Every parser validates and names the argument it rejects.
 */
import { AtelierError } from '../errors.js';

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** "100ms", "0.5s", "2m" or a bare number of milliseconds → milliseconds. */
export function parseDuration(text: string, argName: string, min = 1, max = 3_600_000): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(String(text));
  if (!m) throw new AtelierError('INVALID_ARGUMENT', `${argName} must be a duration like 100ms, 0.5s or 2m (got "${text}")`);
  const ms = Number(m[1]) * DURATION_UNITS[m[2] ?? 'ms'];
  if (!(ms >= min && ms <= max)) {
    throw new AtelierError('INVALID_ARGUMENT', `${argName} must be between ${min}ms and ${max}ms (got "${text}")`);
  }
  return ms;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1 << 20, mb: 1 << 20, mib: 1 << 20 };

/** "32k", "512KiB", "1m" or a bare number of bytes → bytes. */
export function parseSize(text: string, argName: string, min = 1, max = 1 << 30): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(text));
  const unit = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new AtelierError('INVALID_ARGUMENT', `${argName} must be a size like 32k or 1m (got "${text}")`);
  const bytes = Math.round(Number(m[1]) * unit);
  if (!(bytes >= min && bytes <= max)) throw new AtelierError('INVALID_ARGUMENT', `${argName} must be between ${min} and ${max} bytes (got "${text}")`);
  return bytes;
}

/** A positive integer option, e.g. --iterations. */
export function parsePositiveInt(text: string, argName: string, min = 1, max = 1_000_000): number {
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(String(text)) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new AtelierError('INVALID_ARGUMENT', `${argName} must be an integer from ${min} to ${max} (got "${text}")`);
  }
  return n;
}

/** Bytes for people: the toolkit's one formatter lives with the snapshot code (main has it there). */
export { formatBytes } from './snapshot/format-bytes.js';

export const MiB = 1024 * 1024;

/** A memory slope in bytes per second as MiB/s, with its standard error when known ("n/a" for none). */
export function formatSlope(bytesPerSecond: number | null, error: number | null = null): string {
  if (bytesPerSecond === null) return 'n/a';
  const value = `${(bytesPerSecond / MiB).toFixed(3)} MiB/s`;
  return error === null || !Number.isFinite(error) ? value : `${value} ± ${(error / MiB).toFixed(3)}`;
}
