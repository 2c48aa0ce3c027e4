/**
 * The guard's HTTP side: the /memory dashboard and its data.
 *  GET  /memory                               the dashboard page (dist/web/memory.html + memory.page.js)
 *  GET  /api/memory[?since=<ms>]              latest reading, limits, watchdog state, alerts, history since `since`
 *  GET  /api/memory/captures                  diagnostics captures, newest first            (loopback or token)
 *  POST /api/memory/captures                  start one now: 202 {capture}; 429 while one runs (loopback or token)
 *  GET  /api/memory/captures/:id/:file        a capture's report.html, heap snapshot or profile (loopback or token)
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { AtelierError } from '../errors.js';
import { WEB_ROOT } from '../server/routes/web.js';
import type { Studio } from '../server/studio.js';
import { checkCaptureAccess } from './access.js';
import { CAPTURE_FILES, isCaptureId, type DiagnosticsStore } from './diagnostics.js';
import type { MemoryGuard } from './memory-guard.js';

const require = createRequire(import.meta.url);

const FILE_TYPES: Record<string, string> = {
  [CAPTURE_FILES.report]: 'text/html; charset=utf-8',
  [CAPTURE_FILES.snapshot]: 'application/json',
  [CAPTURE_FILES.profile]: 'application/json',
};

export interface MemoryRoutesOptions {
  studio: Studio;
  guard: MemoryGuard;
  diagnostics: DiagnosticsStore;
  allocator: string;
  webRoot?: string;
}

export async function memoryRoutes(app: FastifyInstance, opts: MemoryRoutesOptions): Promise<void> {
  const { studio, guard, diagnostics, allocator } = opts;
  const { config } = studio;
  const webRoot = opts.webRoot ?? WEB_ROOT;
  const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');

  app.get('/memory', async (_request, reply) => {
    const page = join(webRoot, 'memory.html');
    if (!existsSync(page)) throw new AtelierError('NOT_FOUND', `the dashboard is not built (no ${page}); run npm run build`);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(readFileSync(page));
  });
  app.get('/memory/uplot.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(uplotCss));

  app.get('/api/memory', {
    schema: { querystring: { type: 'object', properties: { since: { type: 'number', minimum: 0 } }, additionalProperties: false } },
  }, async (request) => {
    const { since } = request.query as { since?: number };
    const state = guard.watchdog.current;
    return {
      now: Date.now(),
      pid: process.pid,
      allocator,
      intervalMs: config.watchdogIntervalMs,
      limits: {
        soft: config.memorySoftLimit,
        hard: config.memoryHardLimit,
        hardRecover: Math.round(config.memoryHardLimit * (1 - config.memoryHysteresisPercent / 100)),
        slopePerMinute: config.memorySlopeLimit,
        slopeWindowMs: config.memorySlopeWindowMs,
      },
      state: { ...state, ready: studio.lifecycle.holds.size === 0 && !studio.lifecycle.draining },
      latest: guard.latest() ?? null,
      alerts: guard.alertList().slice(0, 30),
      captures: { allowedHere: mayCapture(request), count: diagnostics.list().length, running: diagnostics.busy },
      points: guard.points(since ?? -Infinity),
    };
  });

  function mayCapture(request: Parameters<typeof checkCaptureAccess>[0]): boolean {
    try {
      checkCaptureAccess(request, config.memoryToken);
      return true;
    } catch {
      return false;
    }
  }

  app.register(async (captures) => {
    captures.addHook('onRequest', async (request) => checkCaptureAccess(request, config.memoryToken));
    captures.get('/api/memory/captures', async () => ({ captures: diagnostics.list() }));
    captures.post('/api/memory/captures', async (_request, reply) => {
      const { capture } = guard.capture('manual', 'requested from the dashboard');
      return reply.code(202).send({ capture });
    });
    captures.get('/api/memory/captures/:id/:file', async (request, reply) => {
      const { id, file } = request.params as { id: string; file: string };
      const type = FILE_TYPES[file];
      const capture = isCaptureId(id) ? diagnostics.get(id) : undefined;
      if (!type || !capture || !capture.files.includes(file)) throw new AtelierError('NOT_FOUND', `no file ${file} in capture ${id}`);
      const path = diagnostics.filePath(id, file);
      if (!existsSync(path)) throw new AtelierError('NOT_FOUND', `the file ${file} of capture ${id} was removed`);
      void reply.type(type).header('cache-control', 'no-store');
      if (file !== CAPTURE_FILES.report) void reply.header('content-disposition', `attachment; filename="${id}-${file}"`);
      return reply.send(createReadStream(path));
    });
  });
}
