/**
 * The soak's request mix, deterministic for a seed:
 *  - misses: a base JPEG of 0.5–6 MP (a random crop of a fixture photo) with a unique JPEG comment segment
 *    inserted after SOI, so every one hashes to a new cache key while decoding to the same pixels;
 *  - repeats: an upload sent earlier that was answered 201 recently (a cache hit while it is still cached);
 *  - hostile (~10%): empty body, truncated JPEG, text, and a PNG "pixel bomb" whose header claims 30000×30000.
 */
import { deflateSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { tagged } from '../test/guard/helpers.js';

export type Hostile = 'empty' | 'truncated' | 'text' | 'bomb';
export const HOSTILE: readonly Hostile[] = ['empty', 'truncated', 'text', 'bomb'];

/** mulberry32: a seeded PRNG, so a seed gives the same mix everywhere. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BaseUpload { jpeg: Buffer; megapixels: number }

export async function baseUploads(root: string, count: number, random: () => number): Promise<BaseUpload[]> {
  const photos = ['astronaut', 'coffee', 'camera', 'horse'].map((n) => readFileSync(`${root}test/fixtures/photos/${n}.png`));
  const metas = await Promise.all(photos.map((p) => sharp(p).metadata()));
  const out: BaseUpload[] = [];
  for (let i = 0; i < count; i++) {
    const k = i % photos.length;
    const { width = 512, height = 512 } = metas[k];
    const cw = Math.round(width * (0.5 + 0.5 * random()));
    const ch = Math.round(height * (0.5 + 0.5 * random()));
    const mp = 0.5 + 5.5 * random();
    const scale = Math.sqrt((mp * 1e6) / (cw * ch));
    const jpeg = await sharp(photos[k])
      .extract({ left: Math.floor((width - cw) * random()), top: Math.floor((height - ch) * random()), width: cw, height: ch })
      .flatten({ background: '#fff' })
      .resize(Math.round(cw * scale), Math.round(ch * scale))
      .jpeg({ quality: 82 })
      .toBuffer();
    out.push({ jpeg, megapixels: (Math.round(cw * scale) * Math.round(ch * scale)) / 1e6 });
  }
  return out;
}

/** The same JPEG with a COM segment carrying `tag` right after SOI: new bytes, same image. */
export function withComment(jpeg: Buffer, tag: string): Buffer {
  return tagged(jpeg, `atelier-soak ${tag}`);
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** A valid-looking PNG of side×side grey pixels whose compressed data is a few KB: refused from its header. */
export function pixelBomb(side = 30_000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(side, 0);
  ihdr.writeUInt32BE(side, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = deflateSync(Buffer.alloc((side + 1) * 64)); // the first rows only: nobody should get that far
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', rows), chunk('IEND', Buffer.alloc(0))]);
}

export function hostileBody(kind: Hostile, sample: Buffer): { body: Buffer; type: string } {
  switch (kind) {
    case 'empty': return { body: Buffer.alloc(0), type: 'image/jpeg' };
    case 'truncated': return { body: sample.subarray(0, Math.floor(sample.length * 0.4)), type: 'image/jpeg' };
    case 'text': return { body: Buffer.from('<html><body>this is not a photo</body></html>'), type: 'image/png' };
    case 'bomb': return { body: pixelBomb(), type: 'image/png' };
  }
}
