/**
 * `atelier mem leaks <scenario>`: runs the scenario in a child Node process, judges the trend of retained memory
 * and names the suspects from three heap snapshots. The snapshots are deleted afterwards unless kept.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AtelierError } from '../errors.js';
import { judgeRun, type LeakReport } from './leak-judge.js';
import { resolveScenarioPath } from './leak-scenario.js';
import { runScenarioChild } from './leak-runner.js';
import { findLeakSuspects } from './leak-suspects.js';

export interface LeakTestOptions {
  /** Measured iterations (snapshots at a third, two thirds and the end). Default 60. */
  iterations?: number;
  /** Unmeasured iterations first. Default 10. */
  warmup?: number;
  timeoutMs?: number;
  /** Keep the three snapshots in this folder instead of deleting them. */
  keepSnapshots?: string;
}

export const LEAK_DEFAULTS = { iterations: 60, warmup: 10, timeoutMs: 300_000 } as const;

export function validateLeakOptions(opts: LeakTestOptions): Required<Pick<LeakTestOptions, 'iterations' | 'warmup' | 'timeoutMs'>> {
  const iterations = opts.iterations ?? LEAK_DEFAULTS.iterations;
  const warmup = opts.warmup ?? LEAK_DEFAULTS.warmup;
  const timeoutMs = opts.timeoutMs ?? LEAK_DEFAULTS.timeoutMs;
  if (!Number.isInteger(iterations) || iterations < 9 || iterations > 100_000) throw new AtelierError('INVALID_ARGUMENT', `iterations must be an integer from 9 to 100000 (got ${iterations})`);
  if (!Number.isInteger(warmup) || warmup < 0 || warmup > 100_000) throw new AtelierError('INVALID_ARGUMENT', `warmup must be an integer from 0 to 100000 (got ${warmup})`);
  if (!(timeoutMs > 0)) throw new AtelierError('INVALID_ARGUMENT', `timeout must be positive (got ${timeoutMs})`);
  return { iterations, warmup, timeoutMs };
}

export async function runLeakTest(scenarioFile: string, opts: LeakTestOptions = {}): Promise<LeakReport> {
  const path = resolveScenarioPath(scenarioFile);
  const { iterations, warmup, timeoutMs } = validateLeakOptions(opts);
  const dir = opts.keepSnapshots ? resolve(opts.keepSnapshots) : mkdtempSync(join(tmpdir(), 'atelier-leaks-'));
  if (opts.keepSnapshots) mkdirSync(dir, { recursive: true });
  try {
    const run = await runScenarioChild(path, { warmup, iterations, snapshotDir: dir, timeoutMs });
    const suspects = await findLeakSuspects(run.snapshots, run.snapshotIterations);
    return judgeRun(run, suspects, { warmup, iterations });
  } finally {
    if (!opts.keepSnapshots) rmSync(dir, { recursive: true, force: true });
  }
}

/** The exact --json shape of the issue: verdict, bytesPerIteration, suspects. */
export function leakJson(r: LeakReport): { verdict: 'leak' | 'clean'; bytesPerIteration: number; suspects: LeakReport['suspects'] } {
  return { verdict: r.verdict, bytesPerIteration: r.bytesPerIteration, suspects: r.suspects };
}
