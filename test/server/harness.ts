/**
 * Starts a real studio (real pool, real filters) on 127.0.0.1 and an ephemeral port, and talks to it over HTTP.
 */
import sharp from 'sharp';
import { buildApp } from '../../src/server/app.js';
import { loadConfig, type ServerConfig } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/lifecycle.js';
import type { Studio } from '../../src/server/studio.js';
import { photo } from '../imaging/inputs.js';

export interface TestStudio extends RunningServer {
  studio: Studio;
  close(): Promise<void>;
}

export async function startStudio(overrides: Partial<ServerConfig> = {}): Promise<TestStudio> {
  const config = loadConfig({ env: {}, overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', threads: 2, ...overrides } });
  const app = await buildApp({ config });
  const server = await startServer(app);
  await untilWarm(app.studio);
  return { ...server, studio: app.studio, close: () => server.shutdown('test over') };
}

/** The studio's workers warm up when it starts (/readyz says "warming up"); tests start from a ready studio. */
export async function untilWarm(studio: Studio, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (studio.poolStats().warming) {
    if (Date.now() > end) throw new Error('the render workers did not finish warming up');
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Answer {
  status: number;
  headers: Headers;
  json: any;
  body: Buffer;
}

async function answer(res: Response): Promise<Answer> {
  const body = Buffer.from(await res.arrayBuffer());
  let json: unknown;
  if ((res.headers.get('content-type') ?? '').includes('json')) json = JSON.parse(body.toString('utf8'));
  return { status: res.status, headers: res.headers, json, body };
}

export async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  return answer(await fetch(base + path, { headers }));
}

/** POSTs a photo as multipart field `image` (or another field name), with text fields. */
export async function postMultipart(base: string, image: Buffer | null, fields: Record<string, string> = {}, opts: { field?: string; type?: string; query?: string; signal?: AbortSignal } = {}): Promise<Answer> {
  const form = new FormData();
  if (image) form.append(opts.field ?? 'image', new Blob([image], { type: opts.type ?? 'image/png' }), 'photo.png');
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  return answer(await fetch(`${base}/api/renders${opts.query ? `?${opts.query}` : ''}`, { method: 'POST', body: form, signal: opts.signal }));
}

/** POSTs a raw body with the given content type. */
export async function postRaw(base: string, body: Buffer | string, type: string | null, query = '', signal?: AbortSignal): Promise<Answer> {
  const headers: Record<string, string> = type ? { 'content-type': type } : {};
  return answer(await fetch(`${base}/api/renders${query ? `?${query}` : ''}`, { method: 'POST', body, headers, signal }));
}

/** A small real photo (cheap to render), distinct per `variant` so each is a cache miss. */
export async function smallPhoto(variant = 0, side = 96): Promise<Buffer> {
  return sharp(photo('astronaut')).extract({ left: variant % 200, top: (variant * 7) % 200, width: 300, height: 300 }).resize(side, side).png().toBuffer();
}

/**
 * A photo large enough that rendering it with heavy parameters keeps a worker busy for a good while (seconds),
 * for the queue, abort, timeout and shutdown tests.
 */
export async function bigPhoto(variant = 0): Promise<Buffer> {
  return sharp(photo('coffee')).extract({ left: variant % 50, top: 0, width: 540, height: 360 }).resize(2400, 1600).jpeg({ quality: 85 }).toBuffer();
}
export const SLOW_QUERY = 'styles=oil,watercolor,smooth,detail&maxSide=2400&oil.size=20&watercolor.sigmaS=200&smooth.sigmaS=200';

/** Reads one sample of a Prometheus text exposition (0 when absent). */
export function metric(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return 0;
}

export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}
