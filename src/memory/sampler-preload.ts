/**
 * Preloaded into Node processes that `atelier mem run` launches (NODE_OPTIONS="--import <this file>").
 * It appends one JSON line per interval with the V8 figures only the process itself can read; the parent
 * samples RSS/USS from /proc and merges both. It imports nothing of the toolkit and never throws into the host
 * program: a failure to report costs a sample, never the user's process.
 */
import { openSync, writeSync, closeSync } from 'node:fs';

const file = process.env.ATELIER_MEM_SAMPLES;
const intervalMs = Number(process.env.ATELIER_MEM_INTERVAL) || 100;

if (file) {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'a');
  } catch {
    fd = undefined;
  }
  const sample = (): void => {
    if (fd === undefined) return;
    try {
      const m = process.memoryUsage();
      const line = JSON.stringify({ pid: process.pid, t: Date.now(), heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers });
      // One write per line, below PIPE_BUF-sized: lines from several processes never interleave.
      writeSync(fd, line + '\n');
    } catch {
      fd = undefined;
    }
  };
  sample();
  setInterval(sample, intervalMs).unref();
  process.on('exit', () => {
    sample();
    if (fd !== undefined) try { closeSync(fd); } catch { /* already closed */ }
  });
}
