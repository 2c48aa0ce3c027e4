/**
 * Runs a scenario in a child Node process (--expose-gc, --track-heap-objects) and collects its measurements and
 * heap snapshots. The scenario's output goes to stderr so that --json output stays clean.
 */
import { fork } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AtelierError } from '../errors.js';
import type { ChildMessage } from './leak-child.js';
import type { RetainedSample } from './leak-measure.js';
import { toolkitModule } from './toolkit-files.js';

export interface ChildRun { samples: RetainedSample[]; snapshotIterations: number[]; snapshots: string[]; durationMs: number }

export interface ChildOptions { warmup: number; iterations: number; snapshotDir: string; timeoutMs: number }

/**
 * TypeScript scenarios load through tsx when the scenario's project (or this one) has it installed. Lines in
 * allocation sites are then those of the transpiled code, which tsx keeps close to the source.
 */
function loaderFor(scenarioPath: string): string[] {
  if (!/\.(c|m)?tsx?$/.test(scenarioPath)) return [];
  for (const from of [scenarioPath, fileURLToPath(import.meta.url)]) {
    try {
      return ['--import', pathToFileURL(createRequire(from).resolve('tsx')).href];
    } catch {
      // not installed there
    }
  }
  throw new AtelierError('INVALID_ARGUMENT', `${scenarioPath} is TypeScript: install tsx in its project, or compile it to .mjs`);
}

export function runScenarioChild(scenarioPath: string, opts: ChildOptions): Promise<ChildRun> {
  const config = { scenario: scenarioPath, warmup: opts.warmup, iterations: opts.iterations, snapshotDir: opts.snapshotDir };
  const child = fork(toolkitModule('leak-child').path, [JSON.stringify(config)], {
    execArgv: ['--expose-gc', '--track-heap-objects', ...loaderFor(scenarioPath)],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  child.stdout?.pipe(process.stderr, { end: false });
  child.stderr?.pipe(process.stderr, { end: false });
  return new Promise((resolve, reject) => {
    let message: ChildMessage | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new AtelierError('SCENARIO_FAILED', `scenario timed out after ${Math.round(opts.timeoutMs / 1000)} s`));
    }, opts.timeoutMs);
    child.on('message', (m: ChildMessage) => { message = m; });
    child.once('error', (e) => { clearTimeout(timer); reject(new AtelierError('INTERNAL', `cannot start the scenario process: ${e.message}`)); });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (message?.type === 'done') resolve(message);
      else if (message?.type === 'error') {
        reject(new AtelierError('SCENARIO_FAILED', `scenario failed in ${message.phase}: ${message.message}`, { details: { stack: message.stack, phase: message.phase } }));
      } else if (code === 0 && !signal) {
        reject(new AtelierError('SCENARIO_FAILED', 'scenario never finished: a promise of setup, iteration or teardown stayed pending with nothing left to run'));
      } else {
        reject(new AtelierError('SCENARIO_FAILED', `scenario process exited with ${signal ?? `code ${code}`} before reporting (out of memory or process.exit in the scenario?)`));
      }
    });
  });
}
