// Preloaded with --require into a measured process: at exit it appends its peak RSS (VmHWM from /proc) and pid
// to the file named by ATELIER_PEAK_RSS_FILE, the same way for every tool compared.
const { appendFileSync, readFileSync } = require('node:fs');
const out = process.env.ATELIER_PEAK_RSS_FILE;
if (out) {
  process.on('exit', () => {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) appendFileSync(out, `${process.pid} ${m[1]}\n`);
  });
}
