/**
 * One render request from upload to cached artworks: look the request up in the result cache, otherwise send
 * one job to the render pool with the request's time limit and its client's abort signal, then store the
 * encoded artworks. The event loop never touches pixels here.
 */
import { AtelierError, isAtelierError } from '../errors.js';
import type { StyleId } from '../filters/registry.js';
import type { ServerConfig } from './config.js';
import type { StudioMetrics } from './metrics.js';
import type { RenderOptions } from './render-request.js';
import { extensionOf, mimeTypeOf } from '../imaging/formats.js';
import { artworkEtag, renderBytes, renderId, type CachedRender, type ResultCache, type StoredArtwork } from './result-cache.js';
import type { StudioPool } from './studio-pool.js';

export interface RenderOutcome {
  render: CachedRender;
  cached: boolean;
}

export class RenderService {
  /** Aborts every running job at once (shutdown past its timeout). */
  private readonly shutdown = new AbortController();
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly deps: { pool: StudioPool; cache: ResultCache; metrics: StudioMetrics; config: ServerConfig },
  ) {}

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
    this.shutdown.abort(new AtelierError('NOT_READY', 'the server is shutting down'));
  }

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
    const timeout = AbortSignal.timeout(config.requestTimeoutMs);
    const signal = AbortSignal.any([clientSignal, timeout, this.shutdown.signal]);
    const stopTimer = metrics.renderDuration.startTimer();
    this.active++;
    try {
      const result = await pool.run(
        { input: upload, styles: options.styles, maxSide: options.maxSide, format: options.format, quality: options.quality, maxPixels: config.maxPixels },
        { signal },
      );
      stopTimer();
      const artworks = new Map<StyleId, StoredArtwork>();
      const ext = extensionOf(options.format);
      const contentType = mimeTypeOf(options.format);
      for (const a of result.artworks) {
        const data = Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength);
        artworks.set(a.style, { ext, contentType, etag: artworkEtag(data), data });
      }
      const render: CachedRender = { id, width: result.width, height: result.height, styles: options.styles.map((s) => s.style), artworks };
      const bytes = renderBytes(render);
      if (!cache.fits(bytes)) {
        throw new AtelierError('PAYLOAD_TOO_LARGE', `the artworks of this render (${Math.ceil(bytes / 1048576)} MB) exceed the result cache (${Math.floor(cache.maxBytes / 1048576)} MB); ask for a smaller maxSide or fewer styles`);
      }
      cache.set(render);
      metrics.renders.inc({ outcome: 'rendered' });
      return { render, cached: false };
    } catch (e) {
      throw this.classify(e, { client: clientSignal, timeout });
    } finally {
      this.active--;
      if (this.active === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  /** Names why a job stopped: the client left, the time limit passed, shutdown, or the job's own error. */
  private classify(e: unknown, signals: { client: AbortSignal; timeout: AbortSignal }): unknown {
    const { metrics, config } = this.deps;
    if (signals.timeout.aborted) {
      metrics.abortedJobs.inc({ reason: 'timeout' });
      metrics.renders.inc({ outcome: 'timeout' });
      return new AtelierError('TIMEOUT', `the render took longer than the time limit of ${config.requestTimeoutMs / 1000} s and was stopped`);
    }
    if (signals.client.aborted) {
      metrics.abortedJobs.inc({ reason: 'client_closed' });
      metrics.renders.inc({ outcome: 'aborted' });
      return new AtelierError('CLIENT_CLOSED', 'the client closed the connection; its render was stopped');
    }
    if (this.shutdown.signal.aborted) {
      metrics.abortedJobs.inc({ reason: 'shutdown' });
      metrics.renders.inc({ outcome: 'aborted' });
      return this.shutdown.signal.reason;
    }
    metrics.renders.inc({ outcome: isAtelierError(e) && e.code === 'OVERLOADED' ? 'shed' : 'failed' });
    return e;
  }
}
