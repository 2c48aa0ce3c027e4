/**
 * Preloaded into Node processes that `atelier mem alloc` launches: starts V8's sampling heap profiler before the
 * program's first line and, when the process exits, forces a GC and writes the live-allocation profile to
 * $ATELIER_ALLOC_DIR/<pid>.heapprofile. Uses the inspector synchronously, since an 'exit' handler cannot wait.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InspectorSession } from './inspector-session.js';
import { getGc } from './collect-garbage.js';

const dir = process.env.ATELIER_ALLOC_DIR;
const interval = Number(process.env.ATELIER_ALLOC_INTERVAL) || 32768;

if (dir) {
  try {
    const session = new InspectorSession().connect();
    session.postSync('HeapProfiler.enable');
    session.postSync('HeapProfiler.startSampling', { samplingInterval: interval });
    const write = (): void => {
      try {
        // The inspector's collectGarbage answers later than an 'exit' handler lives: collect directly.
        getGc()();
        const { profile } = session.postSync<{ profile: unknown }>('HeapProfiler.getSamplingProfile');
        writeFileSync(join(dir, `${process.pid}.heapprofile`), JSON.stringify(profile));
      } catch {
        // A profile we cannot write is lost; the program's own exit must not change.
      }
    };
    process.on('exit', write);
    // A server stopped with Ctrl-C never reaches 'exit' by default: write the profile, then, unless the program
    // handles the signal itself, die of it as it would have.
    const onSignal = (signal: NodeJS.Signals): void => {
      write();
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  } catch {
    // No inspector (built without it): the program runs unprofiled.
  }
}
