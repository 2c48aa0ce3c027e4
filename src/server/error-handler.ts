/**
 * The one place an error becomes an HTTP answer: `{error: {code, message}}` with the status HTTP_STATUS gives
 * the code. Fastify's and the multipart parser's own errors (body too large, bad multipart, unsupported content
 * type, schema validation) are translated to AtelierError first, so clients see one shape for everything.
 */
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyInstance } from 'fastify';
import { AtelierError, HTTP_STATUS, isAtelierError, reviveError, type ErrorCode } from '../errors.js';
import type { ServerConfig } from './config.js';
import type { StudioMetrics } from './metrics.js';

const MB = 1024 * 1024;

function sizeText(bytes: number): string {
  return bytes >= MB ? `${+(bytes / MB).toFixed(1)} MB` : `${bytes} bytes`;
}

/** Maps any thrown value to an AtelierError; unknown failures become INTERNAL with a generic message. */
export function toAtelierError(e: unknown, config: Pick<ServerConfig, 'maxUploadBytes'>): AtelierError {
  const revived = reviveError(e);
  if (isAtelierError(revived)) return revived as AtelierError;
  const err = revived as FastifyError;
  const tooLarge = `the upload is larger than the limit of ${sizeText(config.maxUploadBytes)}`;
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new AtelierError('PAYLOAD_TOO_LARGE', tooLarge);
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AtelierError('PAYLOAD_TOO_LARGE', `the multipart body has too many parts (${err.message})`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AtelierError('UNSUPPORTED_MEDIA_TYPE', 'send the photo as multipart/form-data (field "image") or as a raw image/* body');
    case 'FST_ERR_VALIDATION':
      return new AtelierError('INVALID_ARGUMENT', err.message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_PROTO_VIOLATION':
    case 'FST_MP_PREMATURE_CLOSE':
      return new AtelierError('INVALID_ARGUMENT', err.message);
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  // Busboy reports malformed multipart bodies as plain errors ("Unexpected end of form", "Malformed part header").
  if (status === 500 && /multipart|boundary|part header|end of form/i.test(err.message ?? '')) {
    return new AtelierError('INVALID_ARGUMENT', `malformed multipart body: ${err.message}`);
  }
  const byStatus: Partial<Record<number, ErrorCode>> = { 400: 'INVALID_ARGUMENT', 404: 'NOT_FOUND', 413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 503: 'NOT_READY', 504: 'TIMEOUT' };
  const code = byStatus[status];
  if (code) return new AtelierError(code, err.message);
  if (status >= 400 && status < 500) return new AtelierError('INVALID_ARGUMENT', err.message);
  return new AtelierError('INTERNAL', 'internal error', { cause: e });
}

export function installErrorHandler(app: FastifyInstance, config: ServerConfig, metrics: StudioMetrics): void {
  app.setErrorHandler((error, request, reply) => {
    const e = toAtelierError(error, config);
    const status = HTTP_STATUS[e.code];
    if (status >= 500 && e.code !== 'OVERLOADED' && e.code !== 'NOT_READY' && e.code !== 'TIMEOUT') {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: e.code, msg: e.message }, 'request refused');
    }
    if (status >= 400 && status < 500) metrics.rejectedInputs.inc({ reason: e.code });
    if (e.code === 'OVERLOADED' || e.code === 'NOT_READY') {
      metrics.loadShed.inc();
      void reply.header('retry-after', String(config.retryAfterSeconds));
    }
    // A client that went away gets no answer worth writing; fastify still needs one to finish the request.
    void reply.code(status).type('application/json; charset=utf-8').send(e.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    metrics.rejectedInputs.inc({ reason: 'NOT_FOUND' });
    void reply.code(404).send(new AtelierError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`).toJSON());
  });
}

/**
 * Errors Node's HTTP parser raises before fastify sees a request: the request not complete within
 * ATELIER_UPLOAD_TIMEOUT (Node's requestTimeout: a slow client would otherwise hold its socket and the bytes it
 * sent for ever), headers too large, a malformed request. The answer is written on the socket in the studio's
 * JSON shape, and the socket is closed.
 */
export function clientErrorHandler(config: Pick<ServerConfig, 'uploadTimeoutMs'>, metrics: StudioMetrics): (err: Error & { code?: string }, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const e =
      err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new AtelierError('REQUEST_TIMEOUT', `the request did not arrive in full within ${config.uploadTimeoutMs / 1000} s`)
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? new AtelierError('HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts')
          : new AtelierError('INVALID_ARGUMENT', `malformed HTTP request (${err.code ?? err.message})`);
    metrics.rejectedInputs.inc({ reason: e.code });
    const status = HTTP_STATUS[e.code];
    const body = JSON.stringify(e.toJSON());
    if (socket.writable) {
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy();
  };
}
