/**
 * One render job, start to finish, on whatever thread calls it: decode the upload, render every requested
 * style in one pass (shared work such as the pencil-sketch pass is done once), encode each artwork.
 * The worker thread runs this; nothing here knows about threads.
 */
import { resolveParams, type StyleId, type StyleParams } from '../filters/registry.js';
import { renderEach, type RenderOptions, type RenderRequest } from '../filters/render.js';
import type { BufferPool } from '../filters/workspace.js';
import type { PixelImage } from '../filters/image.js';
import { decode } from '../imaging/decode.js';
import { encode, validateQuality } from '../imaging/encode.js';
import { parseOutputFormat, type InputFormat, type OutputFormat } from '../imaging/formats.js';
import { resolveLimits } from '../imaging/limits.js';
import { AtelierError } from '../errors.js';

export interface RenderJob {
  /** The encoded image, as uploaded or read from disk. Transferred to the worker, not copied, when it can be. */
  input: Uint8Array | ArrayBuffer;
  requests: readonly { style: StyleId; params?: StyleParams }[];
  /** Longest side the filters see; 0 keeps the original size. Default 1024. */
  maxSide?: number;
  /** Refuse images with more pixels than this, from their header. Default 50 MP. */
  maxPixels?: number;
  format: OutputFormat;
  /** 1–100 for jpeg, webp and avif. */
  quality?: number;
}

export interface RenderResult {
  /** Size of the artworks (after any resize). */
  width: number;
  height: number;
  /** Channels of the decoded image: 1 grey, 3 RGB, 4 RGBA. */
  channels: 1 | 3 | 4;
  /** The upload as it was: its format and stored size. */
  source: { format: InputFormat; width: number; height: number };
  /** Encoded artworks, one per requested style. */
  artworks: Partial<Record<StyleId, Uint8Array>>;
  /** Milliseconds spent in each stage, for metrics. */
  timings: { decode: number; render: number; encode: number };
}

/**
 * The filters' entry point: renderEach (artworks one at a time), renderStyles, renderStylesParallel for one large
 * image, or a test's stand-in. Whatever it returns is iterated once, style by style.
 */
export type RenderFn = (
  image: PixelImage, requests: readonly RenderRequest[], opts?: RenderOptions,
) => Iterable<[StyleId, PixelImage]> | Promise<Iterable<[StyleId, PixelImage]>>;

/**
 * `pool`: a BufferPool that outlives the job (the worker keeps one per thread). The filters take their working
 * buffers from it, and the rendered images go back to it once encoded: they never leave this thread, the
 * encoded artworks do. `clock`: the milliseconds `timings` are read from; wall time by default (the studio's
 * metrics), the process's CPU time in `bench:upload-cost`.
 */
export async function renderJob(job: RenderJob, render: RenderFn = renderEach, pool?: BufferPool, clock: () => number = () => performance.now()): Promise<RenderResult> {
  if (job === null || typeof job !== 'object') throw new AtelierError('INVALID_ARGUMENT', 'job must be an object');
  const format = parseOutputFormat(job.format);
  const quality = validateQuality(job.quality);
  const limits = resolveLimits({ maxSide: job.maxSide, maxPixels: job.maxPixels });
  if (!Array.isArray(job.requests) || job.requests.length === 0) {
    throw new AtelierError('INVALID_ARGUMENT', 'requests must name at least one style');
  }
  // Refuse a bad style or parameter before spending a decode on it.
  const requests = job.requests.map((r) => ({ style: r.style, params: resolveParams(r.style, r.params ?? {}) }));
  const input = job.input instanceof ArrayBuffer ? new Uint8Array(job.input) : job.input;
  if (!(input instanceof Uint8Array)) throw new AtelierError('INVALID_ARGUMENT', 'input must be a Uint8Array or an ArrayBuffer');

  let t = clock();
  const image = await decode(input, limits);
  const decodeMs = clock() - t;

  // Each artwork is encoded as soon as it is rendered, and its pixels go back to the pool before the next style
  // runs (with renderEach): one output at a time is in memory, not all of them.
  t = clock();
  let encodeMs = 0;
  const artworks: Partial<Record<StyleId, Uint8Array>> = {};
  for (const [style, out] of await render(image, requests, pool ? { pool } : {})) {
    const e = clock();
    const buf = await encode(out, format, quality);
    // A Buffer may be a view on a larger ArrayBuffer (a pooled slab): keep only its bytes, so copying it to the
    // main thread copies nothing else.
    artworks[style] = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength ? new Uint8Array(buf.buffer) : new Uint8Array(buf);
    if (pool && out.data.buffer instanceof ArrayBuffer && out.data.buffer !== image.data.buffer) pool.give(out.data.buffer);
    encodeMs += clock() - e;
  }
  const renderMs = clock() - t - encodeMs;

  return {
    width: image.width,
    height: image.height,
    channels: image.channels,
    source: { format: image.header.format, width: image.header.width, height: image.header.height },
    artworks,
    timings: { decode: decodeMs, render: renderMs, encode: encodeMs },
  };
}
