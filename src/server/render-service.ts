/**
 * One render request from upload to cached artworks: look the request up in the result cache; otherwise read
 * the upload's header (libvips, off the event loop) so hostile input is refused before it takes a queue slot,
 * then send one job to the render pool with the request's time limit and its client's abort signal, and
 * store the encoded artworks. The event loop never touches pixels.
 */
import { linkedAbort } from '../pool/linked-abort.js';
import type { OffHeapCollector } from '../memory/collect-garbage.js';
import { AtelierError } from '../errors.js';
import type { StyleId } from '../filters/registry.js';
import { extensionOf, mimeTypeOf } from '../imaging/formats.js';
import { probe } from '../imaging/probe.js';
import type { RenderPool } from '../pool/index.js';
import type { ServerConfig } from './config.js';
import type { StudioMetrics } from './metrics.js';
import type { RenderOptions } from './render-request.js';
import { artworkEtag, renderBytes, renderId, type CachedRender, type ResultCache, type StoredArtwork } from './result-cache.js';

export interface RenderOutcome {
  render: CachedRender;
  cached: boolean;
}

/** How a stopped job is counted, by the error code the pool rejected with. */
const ABORT_REASONS: Partial<Record<string, string>> = { TIMEOUT: 'timeout', CLIENT_CLOSED: 'client_closed', NOT_READY: 'shutdown' };

export class RenderService {
  /** Aborts every running job at once (shutdown past its timeout). */
  private readonly shutdown = new AbortController();
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly deps: { pool: RenderPool; cache: ResultCache; metrics: StudioMetrics; config: ServerConfig; offHeap?: OffHeapCollector }) {}

  /** Renders now in the pool or waiting for it. */
  get inFlight(): number {
    return this.active;
  }

  /** Resolves when no render is in flight. */
  whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  abortAll(): void {
    this.shutdown.abort(new AtelierError('NOT_READY', 'the server shut down before this render finished; try again'));
  }

  /**
   * Renders (or finds in the cache) one upload. `clientSignal` aborts the job when the client goes away; it
   * should carry a CLIENT_CLOSED AtelierError as its reason. The upload's memory is handed to the worker.
   */
  async render(upload: Buffer, options: RenderOptions, clientSignal: AbortSignal): Promise<RenderOutcome> {
    const { pool, cache, metrics, config } = this.deps;
    const id = renderId(upload, options.canonical);
    const hit = cache.get(id);
    if (hit) {
      metrics.cacheHits.inc();
      metrics.renders.inc({ outcome: 'cached' });
      return { render: hit, cached: true };
    }
    metrics.cacheMisses.inc();
    this.active++;
    const abort = linkedAbort([clientSignal, this.shutdown.signal]);
    try {
      await probe(upload, { maxPixels: config.maxPixels });
      const stopTimer = metrics.renderDuration.startTimer();
      const result = await pool.run(
        { input: upload, requests: options.styles, maxSide: options.maxSide, maxPixels: config.maxPixels, format: options.format, quality: options.quality },
        { signal: abort.signal, timeoutMs: config.requestTimeoutMs },
      );
      stopTimer();
      for (const [stage, ms] of Object.entries(result.timings)) metrics.renderStage.observe({ stage }, ms / 1000);
      const ext = extensionOf(options.format);
      const contentType = mimeTypeOf(options.format);
      const encoded = options.styles.map(({ style }) => {
        const e = result.artworks[style];
        if (!e) throw new AtelierError('INTERNAL', `the render produced no ${style} artwork`);
        return { style, data: Buffer.from(e.buffer, e.byteOffset, e.byteLength) };
      });
      const bytes = renderBytes(encoded.map(({ data }) => data.byteLength));
      if (!cache.fits(bytes)) {
        throw new AtelierError('PAYLOAD_TOO_LARGE', `the artworks of this render (${Math.ceil(bytes / 1048576)} MB) exceed the result cache (${Math.floor(cache.maxBytes / 1048576)} MB); ask for a smaller maxSide or fewer styles`);
      }
      // Stored before the answer, so every artwork it lists can be fetched.
      const stored = await Promise.all(
        encoded.map(async ({ style, data }): Promise<[StyleId, StoredArtwork]> => [
          style,
          { ext, contentType, etag: artworkEtag(data), size: data.byteLength, body: await cache.store.put(`${id}.${style}.${ext}`, data) },
        ]),
      );
      const render: CachedRender = { id, width: result.width, height: result.height, styles: stored.map(([style]) => style), artworks: new Map(stored) };
      cache.set(render);
      metrics.renders.inc({ outcome: 'rendered' });
      return { render, cached: false };
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      const reason = ABORT_REASONS[code];
      if (reason) metrics.abortedJobs.inc({ reason });
      metrics.renders.inc({ outcome: reason ?? (code === 'OVERLOADED' ? 'shed' : 'failed') });
      if (code === 'TIMEOUT') throw new AtelierError('TIMEOUT', `the render took longer than the time limit of ${config.requestTimeoutMs / 1000} s and was stopped`);
      throw e;
    } finally {
      abort.dispose();
      this.active--;
      // A render leaves the upload's socket chunks dead on this thread: collect once enough have piled up.
      this.deps.offHeap?.check();
      if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }
}
