/**
 * How results and errors cross the worker boundary. postMessage keeps an Error's message but drops its
 * `code`, so a worker throws a plain object that reviveError() (src/errors.ts) turns back into an AtelierError.
 *
 * Results are copied to the main thread, not transferred. Transferring detaches the worker's buffers, and the
 * first ArrayBuffer detached in an isolate makes V8 check every typed-array access there for detachment from
 * then on: the filters ran ~10% slower in a thread that had detached one (BENCHMARKS.md, "Studio load"). Copying
 * a job's encoded artworks (well under a megabyte) costs microseconds.
 */
import { isAtelierError, type ErrorCode } from '../errors.js';

export interface SerializedError {
  name: 'AtelierError';
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

export function serializeError(e: unknown): SerializedError {
  if (isAtelierError(e)) return { name: 'AtelierError', code: e.code, message: e.message, ...(e.details ? { details: e.details } : {}) };
  const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return { name: 'AtelierError', code: 'INTERNAL', message: `rendering failed: ${message}` };
}

