/**
 * The child process of `atelier mem leaks`, started with --expose-gc and --track-heap-objects (so every object in
 * a snapshot carries its allocation stack). It runs the scenario, measures, writes three heap snapshots and sends
 * the numbers to the parent over IPC. An error in the scenario is reported with its stack and exit code 2.
 */
import { loadScenario } from './leak-scenario.js';
import { measureIterations, snapshotFiles, writeSnapshotFromFreshTask } from './leak-measure.js';

interface Config { scenario: string; warmup: number; iterations: number; snapshotDir: string }

export type ChildMessage =
  | { type: 'done'; samples: import('./leak-measure.js').RetainedSample[]; snapshotIterations: number[]; snapshots: string[]; durationMs: number }
  | { type: 'error'; phase: string; message: string; stack: string };

const send = (m: ChildMessage): Promise<void> =>
  new Promise((r) => {
    if (process.send) process.send(m, () => r());
    else { process.stderr.write(JSON.stringify(m) + '\n'); r(); }
  });

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]) as Config;
  let phase = 'loading';
  try {
    const scenario = await loadScenario(config.scenario);
    phase = 'setup';
    await scenario.setup?.();
    phase = 'iteration';
    const start = Date.now();
    const snapshots = snapshotFiles(config.snapshotDir);
    const r = await measureIterations(scenario.iteration, {
      warmup: config.warmup,
      iterations: config.iterations,
      snapshot: (index) => writeSnapshotFromFreshTask(snapshots[index]),
    });
    const durationMs = Date.now() - start;
    phase = 'teardown';
    await scenario.teardown?.();
    await send({ type: 'done', samples: r.samples, snapshotIterations: r.snapshotIterations, snapshots, durationMs });
  } catch (e) {
    const err = e instanceof Error ? e : new Error(String(e));
    await send({ type: 'error', phase, message: err.message, stack: err.stack ?? err.message });
    process.exit(2);
  }
  // Timers and sockets the scenario leaked must not keep the child alive.
  process.exit(0);
}

void main();
