// Child of bench/filters.bench.ts: peak extra memory of rendering every style of one image.
// Usage: node --expose-gc --import tsx bench/filters-memory.ts RAW_FILE WIDTH HEIGHT
// The image is decoded (raw RGB) before the baseline; a worker thread samples the process's RSS every
// millisecond while the main thread renders, so transient buffers inside a style are seen too.
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { renderStyles } from '../src/filters/render.js';
import { STYLE_IDS } from '../src/filters/registry.js';

const [file, w, h] = process.argv.slice(2);
const width = Number(w), height = Number(h);
const data = new Uint8Array(readFileSync(file));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

const sampler = new Worker(
  `const { parentPort } = require('node:worker_threads');
   let peak = 0;
   const t = setInterval(() => { const r = process.memoryUsage.rss(); if (r > peak) peak = r; }, 1);
   parentPort.on('message', () => { clearInterval(t); const r = process.memoryUsage.rss(); parentPort.postMessage(Math.max(peak, r)); });`,
  { eval: true },
);
await new Promise((r) => setTimeout(r, 100));
// Warm up the code on a small image so the compiled code is not counted as image memory.
renderStyles({ data: data.subarray(0, 64 * 64 * 3), width: 64, height: 64, channels: 3 }, STYLE_IDS.map((style) => ({ style })));
gc();
await new Promise((r) => setTimeout(r, 50));
const before = process.memoryUsage();
const out = renderStyles({ data, width, height, channels: 3 }, STYLE_IDS.map((style) => ({ style })));
sampler.postMessage('stop');
const peak: number = await new Promise((r) => sampler.once('message', r));
const after = process.memoryUsage();
const outputs = [...out.values()].reduce((s, o) => s + o.data.length, 0);
console.log(JSON.stringify({ decodedBytes: data.length, rssBefore: before.rss, rssPeak: peak, peakExtraBytes: peak - before.rss, arrayBuffersAfter: after.arrayBuffers - before.arrayBuffers, outputBytes: outputs }));
await sampler.terminate();
