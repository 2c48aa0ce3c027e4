/**
 * Artwork encoding: `npm run bench:encode [-- --repeats 7]`.
 *
 * Renders the four seed artworks of a 1024×768 photo once, then encodes them with the studio's encoder
 * (src/imaging/encode.ts, sharp with one libvips thread as in a render worker) and with sharp's JPEG settings the
 * studio does not use, alternating the variants in each repeat so that they share the machine's state. Prints
 * the median wall time of encoding all four and their total size, with the ratios against the studio's encoder.
 */
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import sharp, { type JpegOptions } from 'sharp';
import { renderStyles } from '../src/filters/render.js';
import { SEED_STYLES } from '../src/filters/registry.js';
import type { PixelImage } from '../src/filters/image.js';
import { encode } from '../src/imaging/encode.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({ options: { repeats: { type: 'string', default: '7' } } });
const repeats = Number(args.repeats);
if (!(Number.isInteger(repeats) && repeats > 0 && repeats <= 100)) throw new Error(`--repeats must be an integer from 1 to 100, got ${args.repeats}`);
sharp.concurrency(1);

const data = new Uint8Array(await sharp(`${root}test/fixtures/photos/coffee.png`).resize(1024, 768, { fit: 'fill' }).removeAlpha().raw().toBuffer());
const artworks = [...renderStyles({ data, width: 1024, height: 768, channels: 3 }, SEED_STYLES.map((style) => ({ style }))).values()];

/** sharp's JPEG encoder with other options than the studio's, for comparison. */
const sharpJpeg = (options: JpegOptions) => (image: PixelImage) => {
  const { width, height, channels } = image;
  let p = sharp(image.data, { raw: { width, height, channels } });
  if (channels === 1) p = p.toColourspace('b-w');
  return p.jpeg(options).toBuffer();
};
const variants: [string, (image: PixelImage) => Promise<Buffer>][] = [
  ['studio: jpeg q90 (no Huffman optimisation)', (image) => encode(image, 'jpeg', 90)],
  ['jpeg q90, optimised Huffman (sharp default)', sharpJpeg({ quality: 90 })],
  ['jpeg q85, optimised Huffman', sharpJpeg({ quality: 85 })],
  ['jpeg q90, mozjpeg', sharpJpeg({ quality: 90, mozjpeg: true })],
  ['studio: png', (image) => encode(image, 'png')],
  ['studio: webp q90', (image) => encode(image, 'webp', 90)],
];

const times = variants.map(() => [] as number[]);
const bytes = variants.map(() => 0);
for (let r = 0; r <= repeats; r++) {
  for (const [k, [, run]] of variants.entries()) {
    const t = performance.now();
    let total = 0;
    for (const a of artworks) total += (await run(a)).length;
    // Repeat 0 warms up libvips and the JIT.
    if (r > 0) times[k].push(performance.now() - t);
    bytes[k] = total;
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const base = median(times[0]);
console.log(`Encoding the four seed artworks of a 1024×768 photo (coffee), ${repeats} repeats, median wall ms; ${cpus().length} cores, node ${process.version}, load ${loadavg()[0].toFixed(2)}, ${new Date().toISOString()}`);
for (const [k, [name]] of variants.entries()) {
  const ms = median(times[k]);
  console.log(`  ${name.padEnd(46)} ${ms.toFixed(1).padStart(7)} ms (×${(ms / base).toFixed(2)})  ${(bytes[k] / 1024).toFixed(0).padStart(6)} KB (×${(bytes[k] / bytes[0]).toFixed(3)})`);
}
