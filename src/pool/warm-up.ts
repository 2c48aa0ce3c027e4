/**
 * A cold worker renders its first jobs with V8's unoptimised code: in the load benchmark the slowest answers
 * were the first few uploads (#2 and #4 of 200 at 1.2–1.3 s, against a p50 of 0.7 s). Rendering a small
 * synthetic photo through every style, twice, at start-up lets V8 optimise the kernels (and libvips load its
 * codecs) before a user's upload arrives.
 *
 * The photo goes through as RGB, as grey and with alpha, one after the other in each round: a path the warm-up
 * never runs (a grey photo's fold back to one channel, oil's truncated mean for grey input, detail's grey output)
 * has no type feedback when V8 optimises the kernel, and the first upload that takes it deoptimises that kernel in
 * the middle of a render, which is then compiled again. Warmed on RGB only, the first grey photo through every
 * style cost labToRgb 145 deoptimisations and paintRow, toRgb and fromRgb one each
 * (`test/filters/warm-up.test.ts` fails so).
 */
import sharp from 'sharp';
import { STYLE_IDS } from '../filters/registry.js';
import { renderEach } from '../filters/render.js';
import type { BufferPool } from '../filters/workspace.js';
import { collectGarbage } from '../memory/collect-garbage.js';
import { renderJob } from './render-job.js';

const SIDE = 192;
const ROUNDS = 2;

/** Smooth gradients with edges and a little noise, so the filters' branches (flat runs, edges) all run. */
function syntheticPhoto(): Uint8Array {
  const px = new Uint8Array(SIDE * SIDE * 3);
  let seed = 12345;
  for (let y = 0, o = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++, o += 3) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      const noise = (seed >>> 24) & 15;
      const disc = (x - 96) ** 2 + (y - 80) ** 2 < 40 ** 2;
      px[o] = disc ? 220 - noise : (x + noise) & 255;
      px[o + 1] = disc ? 60 + noise : (y + 2 * noise) & 255;
      px[o + 2] = x < 48 ? 30 : (x + y + noise) >> 1;
    }
  }
  return px;
}

/** The photo as the decoder hands photos to the filters: RGB and grey (one channel) as JPEGs, RGBA as a PNG. */
async function photoKinds(): Promise<Buffer[]> {
  const raw = { width: SIDE, height: SIDE, channels: 3 } as const;
  const rgb = syntheticPhoto();
  return Promise.all([
    sharp(rgb, { raw }).jpeg({ quality: 90 }).toBuffer(),
    sharp(rgb, { raw }).toColourspace('b-w').jpeg({ quality: 90 }).toBuffer(),
    sharp(rgb, { raw }).ensureAlpha(0.5).png({ compressionLevel: 1 }).toBuffer(),
  ]);
}

export async function warmUp(pool: BufferPool): Promise<void> {
  const inputs = await photoKinds();
  const requests = STYLE_IDS.map((style) => ({ style }));
  for (let round = 0; round < ROUNDS; round++) {
    for (const input of inputs) await renderJob({ input: new Uint8Array(input), requests, maxSide: SIDE, format: 'jpeg' }, renderEach, pool);
  }
  // Its buffers and garbage would otherwise sit in the idle server until the first jobs: idle RSS 121 → 115 MB
  // (against 125 without this, once the warm-up took three kinds of photo). The kernels keep their code across the
  // full GC (keepShape in filters/workspace.ts).
  pool.clear();
  collectGarbage();
}
