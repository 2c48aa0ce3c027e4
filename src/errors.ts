/**
 * The one error type of Atelier. Every layer (filters, imaging, pool, server, CLI, memory toolkit) throws
 * AtelierError with a stable `code`; the HTTP layer maps the code to a status through HTTP_STATUS and the
 * CLI prints `message` on one line. Nothing else decides how an error looks to a user.
 */
export const HTTP_STATUS = {
  INVALID_ARGUMENT: 400,
  UNKNOWN_STYLE: 400,
  EMPTY_INPUT: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_PIXELS: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  CORRUPT_IMAGE: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  CLIENT_CLOSED: 499,
  INTERNAL: 500,
  WORKER_CRASHED: 500,
  OVERLOADED: 503,
  NOT_READY: 503,
  TIMEOUT: 504,
  // Memory toolkit errors are not HTTP errors but share the type.
  BAD_SNAPSHOT: 422,
  PROCESS_NOT_FOUND: 404,
  SCENARIO_FAILED: 500,
  LEAK_DETECTED: 500,
} as const;

export type ErrorCode = keyof typeof HTTP_STATUS;

export class AtelierError extends Error {
  readonly code: ErrorCode;
  /** Extra machine-readable facts (e.g. the limit that was exceeded). Never secrets. */
  readonly details?: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'AtelierError';
    this.code = code;
    if (options?.details) this.details = options.details;
  }

  get status(): number {
    return HTTP_STATUS[this.code];
  }

  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}

export function isAtelierError(e: unknown): e is AtelierError {
  return e instanceof AtelierError || (typeof e === 'object' && e !== null && (e as { name?: string }).name === 'AtelierError' && typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code in HTTP_STATUS);
}

/** Worker threads lose the prototype when an error crosses postMessage; this rebuilds it from its fields. */
export function reviveError(e: unknown): Error {
  if (e instanceof AtelierError) return e;
  if (isAtelierError(e)) return new AtelierError(e.code, e.message, e.details ? { details: e.details } : undefined);
  if (e instanceof Error) return e;
  return new Error(String(e));
}
