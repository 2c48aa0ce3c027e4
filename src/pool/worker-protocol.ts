/**
 * How results and errors cross the worker boundary. postMessage keeps an Error's message but drops its
 * `code`, so a worker throws a plain object that reviveError() (src/errors.ts) turns back into an AtelierError; results carry
 * their artwork buffers in a transfer list instead of being copied.
 */
import { Piscina } from 'piscina';
import { isAtelierError, type ErrorCode } from '../errors.js';
import type { RenderResult } from './render-job.js';

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

/** Wraps a result so piscina transfers its artwork buffers to the main thread. */
export function movable(result: RenderResult): RenderResult {
  const buffers = Object.values(result.artworks).map((a) => (a as Uint8Array).buffer);
  return Piscina.move({ [Piscina.transferableSymbol]: buffers, [Piscina.valueSymbol]: result } as never) as unknown as RenderResult;
}
