/**
 * renderStylesParallel: renderStyles for one large image on several cores. Every stage's buffers are
 * SharedArrayBuffers; each step is cut into one range of rows (or columns) per worker and the next step starts
 * when all are done. The steps are those of the single-thread path, and a step writes only its own rows or
 * columns, so the result is identical to renderStyles'.
 */
import { availableParallelism } from 'node:os';
import { checkImage, type PixelImage } from '../filters/image.js';
import { resolveParams, type StyleId } from '../filters/registry.js';
import { fromRgb, renderStyles, toRgb, type RenderRequest } from '../filters/render.js';
import { outputChannels, sharedBufferName, STAGES, stagesOf, type StageOptions } from '../filters/stages.js';
import { MapWorkspace } from '../filters/workspace.js';
import { AtelierError } from '../errors.js';
import type { SharedBuffer } from './protocol.js';
import { withThreads, type FilterThreadHandle } from './thread-pool.js';

export interface ParallelOptions {
  /** Worker threads to use; default: the machine's available parallelism. 1 renders on the calling thread. */
  threads?: number;
}

/** Splits [0, n) into `parts` nearly equal ranges (some may be empty when n < parts). */
export function splitRange(n: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < parts; i++) out.push([Math.floor((n * i) / parts), Math.floor((n * (i + 1)) / parts)]);
  return out;
}

async function runStage(threads: readonly FilterThreadHandle[], ws: MapWorkspace, stage: keyof typeof STAGES, image: PixelImage, params: Record<string, number>, options: StageOptions): Promise<void> {
  const { width, height } = image;
  const steps = STAGES[stage](ws, width, height, params, options);
  const buffers: SharedBuffer[] = [...ws.buffers].map(([name, b]) => ({ name, kind: b.kind, length: b.length, buffer: b.buffer as SharedArrayBuffer }));
  await Promise.all(threads.map((t) => t.send({ type: 'build', stage, width, height, params, options, buffers })));
  try {
    for (let i = 0; i < steps.length; i++) {
      const ranges = splitRange(steps[i].axis === 'rows' ? height : width, threads.length);
      await Promise.all(threads.map((t, k) => (ranges[k][0] < ranges[k][1] ? t.send({ type: 'run', step: i, start: ranges[k][0], end: ranges[k][1] }) : undefined)));
    }
  } finally {
    await Promise.all(threads.map((t) => t.send({ type: 'release' })));
  }
}

export async function renderStylesParallel(image: PixelImage, requests: readonly RenderRequest[], opts: ParallelOptions = {}): Promise<Map<StyleId, PixelImage>> {
  const count = opts.threads ?? availableParallelism();
  if (!Number.isInteger(count) || count < 1 || count > 64) throw new AtelierError('INVALID_ARGUMENT', `threads must be an integer from 1 to 64, got ${JSON.stringify(opts.threads)}`);
  checkImage(image);
  if (count === 1) return renderStyles(image, requests);
  const resolved = requests.map((r) => ({ style: r.style, params: resolveParams(r.style, r.params ?? {}) }));
  const { rgb, alpha } = toRgb(image);
  const { width, height } = image;
  const input = new Uint8Array(new SharedArrayBuffer(rgb.data.length));
  input.set(rgb.data);
  const options: StageOptions = { greyInput: image.channels === 1 };
  const shared = new Map<string, Float32Array>();
  return withThreads(count, async (threads) => {
    const out = new Map<StyleId, PixelImage>();
    for (const { style, params } of resolved) {
      const ws = new MapWorkspace(true);
      ws.put('rgb', 'u8', input);
      const sharedName = sharedBufferName(style, params);
      const cached = sharedName ? shared.get(sharedName) : undefined;
      if (sharedName && cached) ws.put(sharedName, 'f32', cached);
      for (const stage of stagesOf(style, cached !== undefined)) await runStage(threads, ws, stage, rgb, params, options);
      if (sharedName && !cached) shared.set(sharedName, ws.get(sharedName, 'f32', width * height));
      const channels = outputChannels(style);
      const data = new Uint8Array(ws.get('out', 'u8', width * height * channels));
      out.set(style, fromRgb({ data, width, height, channels }, alpha, image.channels === 1));
    }
    return out;
  });
}
