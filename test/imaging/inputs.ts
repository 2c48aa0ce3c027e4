/**
 * Test inputs, good and bad, derived from the real fixture photos or crafted byte by byte. Shared by the
 * imaging, pool and CLI tests.
 */
import { readFileSync } from 'node:fs';
import { deflateSync, crc32 } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const PHOTOS = fileURLToPath(new URL('../fixtures/photos/', import.meta.url));
export const photo = (name: 'astronaut' | 'coffee' | 'camera' | 'horse'): Buffer => readFileSync(`${PHOTOS}${name}.png`);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * A valid 1-bit grey PNG of width×height whose pixels are all black: 30000×30000 (900 MP) compresses to ~110 kB,
 * and a decoder that trusted it would allocate 900 MB.
 */
export function pngBomb(width = 30000, height = 30000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 1; // bit depth
  ihdr[9] = 0; // grey
  const row = 1 + Math.ceil(width / 8);
  const idat = deflateSync(Buffer.alloc(row * height), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

/** Flips bytes inside the first IDAT chunk's compressed data (not an ancillary chunk), keeping the header sound. */
export function corruptPngData(png: Buffer): Buffer {
  const out = Buffer.from(png);
  let o = 8;
  while (o < out.length) {
    const len = out.readUInt32BE(o);
    if (out.toString('latin1', o + 4, o + 8) === 'IDAT') {
      for (let i = o + 8 + 100; i < o + 8 + Math.min(len, 600); i++) out[i] ^= 0x5a;
      return out;
    }
    o += 12 + len;
  }
  throw new Error('no IDAT');
}

export const truncate = (b: Buffer, fraction = 0.5): Buffer => Buffer.from(b.subarray(0, Math.floor(b.length * fraction)));

export const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" fill="red"/></svg>');
export const HTML = Buffer.from('<!doctype html>\n<html><head><title>x</title></head><body><p>not a picture</p></body></html>\n');
export const TEXT = Buffer.from('hello, this is plain text\n');
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
export function randomBytes(n = 4096, seed = 7): Buffer {
  const b = Buffer.alloc(n);
  let s = seed;
  for (let i = 0; i < n; i++) b[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return b;
}

/** The samples an encoded image stores, as they are: sharp would otherwise widen grey to three channels. */
export async function storedPixels(encoded: Buffer | Uint8Array | string) {
  const grey = (await sharp(encoded).metadata()).channels === 1;
  return (grey ? sharp(encoded).toColourspace('b-w') : sharp(encoded)).raw().toBuffer({ resolveWithObject: true });
}

/** Variants of a real photo in the encodings the imaging layer must normalise. */
export async function variants() {
  const base = await sharp(photo('astronaut')).resize(96, 64, { fit: 'fill' }).png().toBuffer();
  const frames = Buffer.alloc(16 * 16 * 3 * 3);
  for (let f = 0; f < 3; f++) frames.fill(40 + f * 80, f * 768, (f + 1) * 768);
  const raw = { width: 16, height: 48, channels: 3 as const, pageHeight: 16 };
  return {
    base,
    jpeg: await sharp(base).jpeg({ quality: 90 }).toBuffer(),
    rgb16: await sharp(base).toColourspace('rgb16').png().toBuffer(),
    cmyk: await sharp(base).toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer(),
    palette: await sharp(base).png({ palette: true, colours: 16 }).toBuffer(),
    grey: await sharp(base).toColourspace('b-w').png().toBuffer(),
    greyAlpha: await sharp(base).toColourspace('b-w').ensureAlpha(0.5).png().toBuffer(),
    /** Stored 96×64 landscape, with EXIF orientation 6: upright it is 64×96 portrait. */
    exif6: await sharp(base).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer(),
    gif: await sharp(frames, { raw }).gif({ loop: 0 }).toBuffer(),
    animatedWebp: await sharp(frames, { raw }).webp({ loop: 0, lossless: true }).toBuffer(),
    webp: await sharp(base).webp({ lossless: true }).toBuffer(),
    avif: await sharp(base).avif({ quality: 60, effort: 0 }).toBuffer(),
    tiff: await sharp(base).tiff().toBuffer(),
  };
}
