// Child of bench/upload-cost.bench.ts: our side of one upload's work, in a plain Node process on the BUILT code
// (dist/), as a render worker runs it (see bench/filters-time.mjs for why not under tsx). Usage:
// node bench/upload-cost-ours.mjs DIR N QUALITY: reads DIR/0.jpg … DIR/(N−1).jpg and prints one JSON object,
// {decode, filters, encode, width, height}: per upload, CPU seconds of the process (all threads: libvips works on
// libuv's) for the decode and shrink to 1024 px, the four seed styles, and their four JPEG encodes.
//
// Like a render worker: sharp with one thread and no operation cache, one BufferPool kept from upload to upload
// and trimmed between them, the start-up warm-up first. Not included: the server's own work (HTTP, header probe
// on the main thread, sha256, thread hops, the dead-buffer collections, the disk store).
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { renderEach } from '../dist/filters/render.js';
import { SEED_STYLES } from '../dist/filters/registry.js';
import { BufferPool } from '../dist/filters/workspace.js';
import { decode } from '../dist/imaging/decode.js';
import { encode } from '../dist/imaging/encode.js';
import { warmUp } from '../dist/pool/warm-up.js';
import { WORKER_POOL_MAX_FREE_BYTES } from '../dist/pool/worker-data.js';

const [dir, n, quality] = process.argv.slice(2);
sharp.concurrency(1);
sharp.cache(false);
const pool = new BufferPool({ maxFreeBytes: WORKER_POOL_MAX_FREE_BYTES, sizeClasses: true });
await warmUp(pool);
const requests = SEED_STYLES.map((style) => ({ style }));
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const out = { decode: [], filters: [], encode: [], width: [], height: [] };
for (let i = 0; i < Number(n); i++) {
  const input = new Uint8Array(readFileSync(`${dir}/${i}.jpg`));
  let t = cpu();
  const image = await decode(input, { maxSide: 1024 });
  out.decode.push(cpu() - t);
  out.width.push(image.width);
  out.height.push(image.height);
  let filters = 0;
  let encoding = 0;
  t = cpu();
  for (const [, art] of renderEach(image, requests, { pool })) {
    const e = cpu();
    filters += e - t;
    await encode(art, 'jpeg', Number(quality));
    if (art.data.buffer !== image.data.buffer) pool.give(art.data.buffer);
    t = cpu();
    encoding += t - e;
  }
  out.filters.push(filters);
  out.encode.push(encoding);
  pool.trim();
}
console.log(JSON.stringify(out));
