/**
 * `assertNoLeak(fn, {iterations})` for test suites (node:test, vitest): the leak test run in this process, since
 * a closure cannot move to a child. GC comes from --expose-gc or is enabled on the fly; allocation tracking and
 * snapshots go through V8 in-process. Throws an AtelierError (code LEAK_DETECTED) whose message is the report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AtelierError } from '../errors.js';
import { startAllocationTracking, stopAllocationTracking } from './snapshot/index.js';
import { formatLeakReport } from './leak-format.js';
import { judgeRun, type LeakReport } from './leak-judge.js';
import { measureIterations, snapshotFiles, writeSnapshotFromFreshTask } from './leak-measure.js';
import { findLeakSuspects } from './leak-suspects.js';
import { validateLeakOptions } from './leak-test.js';

export interface AssertNoLeakOptions {
  iterations?: number;
  warmup?: number;
  /** Take the three snapshots to name suspects (default true; false is faster and judges from the trend only). */
  snapshots?: boolean;
}

/** Runs the leak test on `fn` in-process and returns the report; throws if it leaks. */
export async function assertNoLeak(fn: () => unknown, opts: AssertNoLeakOptions = {}): Promise<LeakReport> {
  const report = await measureLeak(fn, opts);
  if (report.verdict === 'leak') {
    throw new AtelierError('LEAK_DETECTED', formatLeakReport(report, 'assertNoLeak'), { details: { report } });
  }
  return report;
}

/** The same measurement without the assertion. */
export async function measureLeak(fn: () => unknown, opts: AssertNoLeakOptions = {}): Promise<LeakReport> {
  if (typeof fn !== 'function') throw new AtelierError('INVALID_ARGUMENT', 'assertNoLeak needs a function to run');
  const { iterations, warmup } = validateLeakOptions({ iterations: opts.iterations, warmup: opts.warmup });
  const withSnapshots = opts.snapshots !== false;
  const dir = withSnapshots ? mkdtempSync(join(tmpdir(), 'atelier-assert-')) : '';
  try {
    // Allocation stacks for the objects born from here on, so suspects get a file:line.
    if (withSnapshots) await startAllocationTracking();
    const snapshots = withSnapshots ? snapshotFiles(dir) : [];
    const run = await measureIterations(fn, {
      warmup,
      iterations,
      snapshot: withSnapshots ? (i) => writeSnapshotFromFreshTask(snapshots[i]) : undefined,
    });
    // Tracking slows every allocation, the snapshot parser's included.
    if (withSnapshots) await stopAllocationTracking();
    const suspects = withSnapshots ? await findLeakSuspects(snapshots, run.snapshotIterations) : [];
    return judgeRun(run, suspects, { warmup, iterations });
  } finally {
    if (withSnapshots) await stopAllocationTracking();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
