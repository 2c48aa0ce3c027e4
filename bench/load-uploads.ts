/**
 * The load benchmarks' uploads: N distinct JPEGs of 0.5–6 MP, each a random crop of a fixture photo scaled to a
 * random area and saved at a random quality, so that every one is a cache miss. A seed gives the same uploads
 * on every machine (bench:load and bench:upload-cost send the same first N).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { seeded } from './soak-inputs.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const PHOTOS = ['astronaut', 'coffee', 'camera', 'horse'] as const;

export interface Upload {
  jpeg: Buffer;
  width: number;
  height: number;
}

export async function makeUploads(n: number, seed: number): Promise<Upload[]> {
  const random = seeded(seed);
  const sources = await Promise.all(
    PHOTOS.map(async (name) => {
      const buf = readFileSync(`${root}test/fixtures/photos/${name}.png`);
      const meta = await sharp(buf).metadata();
      return { buf, width: meta.width, height: meta.height };
    }),
  );
  const out: Upload[] = [];
  for (let i = 0; i < n; i++) {
    const src = sources[i % sources.length];
    const cw = Math.round(src.width * (0.55 + 0.45 * random()));
    const ch = Math.round(src.height * (0.55 + 0.45 * random()));
    const left = Math.floor((src.width - cw) * random());
    const top = Math.floor((src.height - ch) * random());
    const megapixels = 0.5 + 5.5 * random();
    const scale = Math.sqrt((megapixels * 1e6) / (cw * ch));
    const width = Math.round(cw * scale);
    const height = Math.round(ch * scale);
    const jpeg = await sharp(src.buf)
      .extract({ left, top, width: cw, height: ch })
      .flatten({ background: '#ffffff' })
      .resize(width, height, { kernel: 'lanczos3' })
      .jpeg({ quality: 80 + Math.floor(15 * random()) })
      .toBuffer();
    out.push({ jpeg, width, height });
  }
  return out;
}
