// The analysis measured by bench/heap.bench.ts, in its own process (built code in dist/, no tsx): `mem top` on s3 and the 3-way `mem diff`
// with retainer paths. Prints one JSON line with timings and its own peak RSS (VmHWM).
import { readFileSync } from 'node:fs';
import { HeapSnapshot, diffSnapshotFiles, sortTypeStats, typeStatistics } from '../dist/memory/snapshot/index.js';

const files = process.argv.slice(2);
const t0 = performance.now();
const phases = {};
let last = null;
const diff = diffSnapshotFiles(files, {
  load: (f, needEdges) => {
    const t = performance.now();
    last = HeapSnapshot.load(f, { skipEdges: !needEdges });
    phases[`parse ${f.split('/').pop()}`] = Math.round(performance.now() - t);
    return last;
  },
});
phases.diff = Math.round(performance.now() - t0);
const t1 = performance.now();
const top = sortTypeStats(typeStatistics(last), 'retained').slice(0, 20);
phases.top = Math.round(performance.now() - t1);
const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1];
console.log(JSON.stringify({
  ms: Math.round(performance.now() - t0),
  peakRssKiB: Number(hwm),
  phases,
  leaked: diff.leaks?.leakedCount,
  groups: diff.leaks?.byPath.slice(0, 3).map((g) => ({ type: g.type, count: g.count, retained: g.retainedSize, path: g.retainerPath })),
  top: top.slice(0, 5),
}));
