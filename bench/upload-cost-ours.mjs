// Child of bench/upload-cost.bench.ts: our side of one upload's work, in a plain Node process on the BUILT code
// (dist/), as a render worker runs it (see bench/filters-time.mjs for why not under tsx). Usage:
// node bench/upload-cost-ours.mjs DIR N QUALITY: reads DIR/0.jpg … DIR/(N−1).jpg and prints one JSON object,
// {decode, filters, encode, width, height}: per upload, CPU seconds of the process (all threads: libvips works on
// libuv's) for the decode and shrink to 1024 px, the four seed styles, and their four JPEG encodes.
//
// Each upload is one renderJob, the render worker's own job function, timed by the process's CPU clock; set up as a
// worker is: sharp with one thread and no operation cache, one BufferPool kept from upload to upload and trimmed
// between them, the start-up warm-up first. Not included: the server's own work (HTTP, header probe on the main
// thread, sha256, thread hops, the dead-buffer collections, the disk store).
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { renderEach } from '../dist/filters/render.js';
import { SEED_STYLES } from '../dist/filters/registry.js';
import { BufferPool } from '../dist/filters/workspace.js';
import { renderJob } from '../dist/pool/render-job.js';
import { warmUp } from '../dist/pool/warm-up.js';
import { WORKER_POOL_MAX_FREE_BYTES } from '../dist/pool/worker-data.js';

const [dir, n, quality] = process.argv.slice(2);
sharp.concurrency(1);
sharp.cache(false);
const pool = new BufferPool({ maxFreeBytes: WORKER_POOL_MAX_FREE_BYTES, sizeClasses: true });
await warmUp(pool);
const requests = SEED_STYLES.map((style) => ({ style }));
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const out = { decode: [], filters: [], encode: [], width: [], height: [] };
for (let i = 0; i < Number(n); i++) {
  const input = new Uint8Array(readFileSync(`${dir}/${i}.jpg`));
  const r = await renderJob({ input, requests, maxSide: 1024, format: 'jpeg', quality: Number(quality) }, renderEach, pool, cpuMs);
  out.decode.push(r.timings.decode / 1000);
  out.filters.push(r.timings.render / 1000);
  out.encode.push(r.timings.encode / 1000);
  out.width.push(r.width);
  out.height.push(r.height);
  pool.trim();
}
console.log(JSON.stringify(out));
