// Child of bench/filters.bench.ts: times our styles in a plain Node process on the BUILT code (dist/), as the
// render workers run them. Usage: node bench/filters-time.mjs RAW_FILE WIDTH HEIGHT; then one comma-separated
// list of styles per line on stdin: renders them in one renderStyles call and prints its CPU seconds on a line.
//
// Why not in the bench's own process: that one runs under `--import tsx`, whose module loader detaches an
// ArrayBuffer in the main thread at start-up. The first detached ArrayBuffer in an isolate makes V8 check every
// typed-array access there for detachment from then on, which the render workers never pay (they copy their
// results rather than transfer them: src/pool/worker-protocol.ts): the bench then timed our kernels ~10% slower
// than they run in the product. Plain JavaScript here, so that no loader runs.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { renderStyles } from '../dist/filters/render.js';
import { STYLE_IDS } from '../dist/filters/registry.js';

const [file, w, h] = process.argv.slice(2);
const width = Number(w), height = Number(h);
const data = new Uint8Array(readFileSync(file));
if (data.length !== width * height * 3) throw new Error(`filters-time: ${file} holds ${data.length} bytes, not ${width}×${height}×3`);
const image = { data, width, height, channels: 3 };

// Warm up on a small crop so the first repeat does not time the compiler (as the bench did in process).
renderStyles({ ...image, data: data.subarray(0, 128 * 128 * 3), width: 128, height: 128 }, STYLE_IDS.map((style) => ({ style })));
console.log('ready');
for await (const line of createInterface({ input: process.stdin })) {
  const requests = line.trim().split(',').map((style) => ({ style }));
  const t = process.cpuUsage();
  renderStyles(image, requests);
  const u = process.cpuUsage(t);
  console.log((u.user + u.system) / 1e6);
}
