/**
 * Who may take and read diagnostics captures (heap snapshots hold everything in memory: uploads, tokens):
 * with a token configured, whoever presents it (Authorization: Bearer, or ?token= for links opened in a
 * browser), compared in constant time; without one, loopback clients only. Proxy headers are not trusted.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { AtelierError } from '../errors.js';

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function tokenMatches(given: string, expected: string): boolean {
  // Digests have equal lengths, so the comparison time says nothing about the token's length or content.
  return timingSafeEqual(digest(given), digest(expected)) && given.length === expected.length;
}

function presentedToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  const q = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' ? q : undefined;
}

/** Throws UNAUTHORIZED / FORBIDDEN unless the request may use the capture routes. */
export function checkCaptureAccess(request: FastifyRequest, token: string): void {
  if (token) {
    const given = presentedToken(request);
    if (given === undefined) throw new AtelierError('UNAUTHORIZED', 'diagnostics captures need the memory token (Authorization: Bearer <token>)');
    if (!tokenMatches(given, token)) throw new AtelierError('FORBIDDEN', 'the memory token is wrong');
    return;
  }
  if (!isLoopback(request.socket.remoteAddress)) {
    throw new AtelierError('FORBIDDEN', 'diagnostics captures are allowed from this machine only (set ATELIER_MEMORY_TOKEN to allow remote clients)');
  }
}
