/**
 * Preloaded into Node processes that `atelier mem run` launches (NODE_OPTIONS="--import <this file>").
 * It appends one JSON line per interval with the V8 figures only the process itself can read; the parent
 * samples RSS/USS from /proc and merges both. It imports nothing of the toolkit and never throws into the host
 * program: a failure to report costs a sample, never the user's process.
 */
import { openSync, writeSync, closeSync, readFileSync } from 'node:fs';
import v8 from 'node:v8';

const file = process.env.ATELIER_MEM_SAMPLES;
const intervalMs = Number(process.env.ATELIER_MEM_INTERVAL) || 100;

if (file) {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'a');
  } catch {
    fd = undefined;
  }
  /** Resident code of the binary and libraries (RssFile), for the "unexplained" figure of the last sample. */
  const residentCode = (): number => {
    try {
      const m = /^RssFile:\s+(\d+)\s+kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };
  const sample = (final = false): void => {
    if (fd === undefined) return;
    try {
      const m = process.memoryUsage();
      const base = { pid: process.pid, t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
      // The last line of a process carries what `mem info` shows for a process itself: the heap per space.
      const line = JSON.stringify(final
        ? { ...base, code: residentCode(), argv: process.argv.length > 1 ? process.argv.slice(1, 3) : process.execArgv.slice(-2), spaces: v8.getHeapSpaceStatistics().map((x) => ({ name: x.space_name, used: x.space_used_size, size: x.space_size, available: x.space_available_size, physical: x.physical_space_size })) }
        : base);
      // One write per line, below PIPE_BUF-sized: lines from several processes never interleave.
      writeSync(fd, line + '\n');
    } catch {
      fd = undefined;
    }
  };
  sample();
  setInterval(sample, intervalMs).unref();
  process.on('exit', () => {
    sample(true);
    if (fd !== undefined) try { closeSync(fd); } catch { /* already closed */ }
  });
}
