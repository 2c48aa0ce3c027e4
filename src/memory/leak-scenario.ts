/**
 * Loading a leak-test scenario: an ES module whose default export is `async function iteration()`, with optional
 * `setup()` and `teardown()` exports. Shared by the child process and by the CLI's early validation.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AtelierError } from '../errors.js';

export interface Scenario {
  iteration: () => unknown;
  setup?: () => unknown;
  teardown?: () => unknown;
}

/** Checks the path before any process is started: a missing file is a usage error, not a scenario error. */
export function resolveScenarioPath(file: string): string {
  const path = resolve(file);
  if (!existsSync(path)) throw new AtelierError('NOT_FOUND', `no such scenario file: ${file}`);
  if (!statSync(path).isFile()) throw new AtelierError('INVALID_ARGUMENT', `scenario is not a file: ${file}`);
  return path;
}

export async function loadScenario(path: string): Promise<Scenario> {
  const mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  const iteration = typeof mod.default === 'function' ? mod.default : mod.iteration;
  if (typeof iteration !== 'function') {
    throw new AtelierError('SCENARIO_FAILED', `${path} must default-export a function iteration() (it exports: ${Object.keys(mod).join(', ') || 'nothing'})`);
  }
  for (const hook of ['setup', 'teardown']) {
    if (mod[hook] !== undefined && typeof mod[hook] !== 'function') throw new AtelierError('SCENARIO_FAILED', `${path}: export ${hook} must be a function`);
  }
  return { iteration: iteration as () => unknown, setup: mod.setup as Scenario['setup'], teardown: mod.teardown as Scenario['teardown'] };
}
