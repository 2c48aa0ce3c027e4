// Child of bench/filters.bench.ts: times our styles in a plain Node process on the BUILT code (dist/), as the
// render workers run them. Usage: node bench/filters-time.mjs RAW_FILE WIDTH HEIGHT [fresh]; then one
// comma-separated list of styles per line on stdin: renders them in one call and prints its CPU seconds on a line.
//
// Like a render worker, it keeps one BufferPool (same bound, size classes) from call to call, gives each
// artwork's buffer back once it has it, and trims the pool between calls: a call's working buffers are the
// previous call's, already mapped. With `fresh`, every call takes a new pool, so its buffers are new memory that
// the kernel maps page by page while the kernels first write them (the way sessions 1–5 timed it: 15–25 ms more
// on detail at 1 MP).
//
// Why not in the bench's own process: that one runs under `--import tsx`, whose module loader detaches an
// ArrayBuffer in the main thread at start-up. The first detached ArrayBuffer in an isolate makes V8 check every
// typed-array access there for detachment from then on, which the render workers never pay (they copy their
// results rather than transfer them: src/pool/worker-protocol.ts): the bench then timed our kernels ~10% slower
// than they run in the product. Plain JavaScript here, so that no loader runs.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { renderEach } from '../dist/filters/render.js';
import { STYLE_IDS } from '../dist/filters/registry.js';
import { BufferPool } from '../dist/filters/workspace.js';
import { WORKER_POOL_MAX_FREE_BYTES } from '../dist/pool/worker-data.js';

const [file, w, h, mode] = process.argv.slice(2);
const fresh = mode === 'fresh';
const workerPool = () => new BufferPool({ maxFreeBytes: WORKER_POOL_MAX_FREE_BYTES, sizeClasses: true });
let pool = workerPool();
const width = Number(w), height = Number(h);
const data = new Uint8Array(readFileSync(file));
if (data.length !== width * height * 3) throw new Error(`filters-time: ${file} holds ${data.length} bytes, not ${width}×${height}×3`);
const image = { data, width, height, channels: 3 };

function render(img, requests) {
  for (const [, out] of renderEach(img, requests, { pool })) if (out.data.buffer !== img.data.buffer) pool.give(out.data.buffer);
}

// Warm up on a small crop so the first repeat does not time the compiler (as the bench did in process).
render({ ...image, data: data.subarray(0, 128 * 128 * 3), width: 128, height: 128 }, STYLE_IDS.map((style) => ({ style })));
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const requests = line.trim().split(',').map((style) => ({ style }));
  if (fresh) pool = workerPool();
  const t = process.cpuUsage();
  render(image, requests);
  const u = process.cpuUsage(t);
  pool.trim();
  console.log((u.user + u.system) / 1e6);
}
