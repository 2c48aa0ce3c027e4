/** The single-thread runner of every style: its stages run one after the other over the whole image. */
import type { StyleId, StyleRunner } from './registry.js';
import { outputChannels, sharedBufferName, STAGES, stagesOf } from './stages.js';
import { BufferPool, MapWorkspace, runSteps } from './workspace.js';

/** Key in the `shared` map: true when the photo was one grey channel. */
export const SHARED_GREY_INPUT = 'input:grey';
/** Key in the `shared` map: the BufferPool the styles of one image pass their working buffers through. */
export const SHARED_POOL = 'buffer-pool';

function poolOf(shared: Map<string, unknown>): BufferPool {
  let pool = shared.get(SHARED_POOL);
  if (!(pool instanceof BufferPool)) {
    pool = new BufferPool();
    shared.set(SHARED_POOL, pool);
  }
  return pool as BufferPool;
}

function runner(style: StyleId): StyleRunner {
  return (rgb, params, shared) => {
    const { width, height } = rgb;
    if (rgb.channels !== 3) throw new Error(`style runners take 3 channels, got ${rgb.channels}`);
    const ws = new MapWorkspace(false, poolOf(shared));
    ws.put('rgb', 'u8', rgb.data);
    const sharedName = sharedBufferName(style, params);
    const cached = sharedName ? shared.get(sharedName) : undefined;
    if (sharedName && cached instanceof Float32Array) ws.put(sharedName, 'f32', cached);
    const opts = { greyInput: shared.get(SHARED_GREY_INPUT) === true };
    for (const stage of stagesOf(style, cached !== undefined)) runSteps(STAGES[stage](ws, width, height, params, opts), width, height);
    if (sharedName && !cached) shared.set(sharedName, ws.get(sharedName, 'f32', width * height));
    const channels = outputChannels(style);
    const data = ws.get('out', 'u8', width * height * channels);
    ws.release(sharedName ? ['out', sharedName] : ['out']);
    return { data, width, height, channels };
  };
}

export const STYLE_RUNNERS: Record<StyleId, StyleRunner> = {
  sketch: runner('sketch'),
  'color-sketch': runner('color-sketch'),
  oil: runner('oil'),
  watercolor: runner('watercolor'),
  smooth: runner('smooth'),
  detail: runner('detail'),
};
