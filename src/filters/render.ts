/**
 * Renders several styles of one image. Styles run on RGB; alpha is set aside and put back untouched, and a grey
 * image is rendered as three equal channels. Work that several styles share (the pencil-sketch pass feeds both
 * sketches) is computed once through the `shared` map handed to every runner.
 */
import { checkImage, type PixelImage } from './image.js';
import { styleRunner, resolveParams, type StyleId, type StyleParams } from './registry.js';
import { SHARED_GREY_INPUT, SHARED_POOL } from './style-runners.js';
import { sharedBufferName } from './stages.js';
import type { BufferPool } from './workspace.js';

export interface RenderRequest {
  style: StyleId;
  /** Validated already, or partial: missing values take their defaults. */
  params?: StyleParams;
}

export function toRgb(image: PixelImage): { rgb: PixelImage; alpha: Uint8Array | null } {
  const { width, height, channels, data } = image;
  if (channels === 3) return { rgb: image, alpha: null };
  const n = width * height;
  const rgb = new Uint8Array(n * 3);
  let alpha: Uint8Array | null = null;
  if (channels === 1) {
    for (let i = 0, j = 0; i < n; i++, j += 3) rgb[j] = rgb[j + 1] = rgb[j + 2] = data[i];
  } else {
    alpha = new Uint8Array(n);
    for (let i = 0, j = 0, k = 0; i < n; i++, j += 3, k += 4) {
      rgb[j] = data[k];
      rgb[j + 1] = data[k + 1];
      rgb[j + 2] = data[k + 2];
      alpha[i] = data[k + 3];
    }
  }
  return { rgb: { data: rgb, width, height, channels: 3 }, alpha };
}

/** Puts alpha back, or folds a result whose three channels are equal into grey when the input was grey. */
export function fromRgb(out: PixelImage, alpha: Uint8Array | null, inputWasGrey: boolean): PixelImage {
  const { width, height } = out;
  const n = width * height;
  if (alpha) {
    const rgba = new Uint8Array(n * 4);
    const src = out.data;
    for (let i = 0, k = 0; i < n; i++, k += 4) {
      if (out.channels === 1) {
        rgba[k] = rgba[k + 1] = rgba[k + 2] = src[i];
      } else {
        const j = i * 3;
        rgba[k] = src[j];
        rgba[k + 1] = src[j + 1];
        rgba[k + 2] = src[j + 2];
      }
      rgba[k + 3] = alpha[i];
    }
    return { data: rgba, width, height, channels: 4 };
  }
  if (inputWasGrey && out.channels === 3) {
    const src = out.data;
    const grey = new Uint8Array(n);
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      if (src[j] !== src[j + 1] || src[j] !== src[j + 2]) return out;
      grey[i] = src[j];
    }
    return { data: grey, width, height, channels: 1 };
  }
  return out;
}

export interface RenderOptions {
  /**
   * Where the styles take their working buffers from and give them back to. Default: a pool for this call only.
   * A long-lived pool (one per worker thread) hands one call's buffers to the next. With it, an output's `data`
   * may be a view of a larger pooled ArrayBuffer: give `data.buffer` back to the pool once done with it, and do
   * not transfer it to another thread.
   */
  pool?: BufferPool;
}

export function renderStyles(image: PixelImage, requests: readonly RenderRequest[], opts: RenderOptions = {}): Map<StyleId, PixelImage> {
  return new Map(renderEach(image, requests, opts));
}

/**
 * renderStyles one style at a time: each artwork is yielded as soon as it is rendered, and the next style starts
 * only when the caller asks for it. A caller that encodes each artwork and gives its buffer back to the pool
 * before asking for the next keeps one output in memory instead of all of them. Work shared between styles (the
 * pencil pass) goes back to the pool as soon as no later style needs it.
 */
export function* renderEach(image: PixelImage, requests: readonly RenderRequest[], opts: RenderOptions = {}): Generator<[StyleId, PixelImage], void, undefined> {
  checkImage(image);
  const resolved = requests.map((r) => ({ style: r.style, params: resolveParams(r.style, r.params ?? {}) }));
  const { rgb, alpha } = toRgb(image);
  const shared = new Map<string, unknown>([[SHARED_GREY_INPUT, image.channels === 1]]);
  if (opts.pool) shared.set(SHARED_POOL, opts.pool);
  const sharedNames = resolved.map((r) => sharedBufferName(r.style, r.params));
  const giveShared = (name: string): void => {
    const v = shared.get(name);
    shared.delete(name);
    if (opts.pool && v instanceof Float32Array && v.buffer instanceof ArrayBuffer) opts.pool.give(v.buffer);
  };
  try {
    for (let i = 0; i < resolved.length; i++) {
      const { style, params } = resolved[i];
      const styled = styleRunner(style)(rgb, params, shared);
      const result = fromRgb(styled, alpha, image.channels === 1);
      // Alpha put back or folded to grey: the runner's output (from the pool) is dead.
      if (opts.pool && result.data !== styled.data && styled.data.buffer instanceof ArrayBuffer) opts.pool.give(styled.data.buffer);
      const name = sharedNames[i];
      if (name && !sharedNames.includes(name, i + 1)) giveShared(name);
      yield [style, result];
    }
  } finally {
    for (const name of sharedNames) if (name && shared.has(name)) giveShared(name);
  }
}
