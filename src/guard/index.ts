/**
 * The memory guard as a studio plugin: worker memory tracking, sampling, the watchdog, diagnostics captures,
 * the `atelier_` memory metrics and the /memory dashboard. `atelier serve` registers it (src/cli/studio-plugins.ts).
 */
import type { StudioPlugin } from '../server/app.js';
import { activeAllocator } from './allocator.js';
import { DiagnosticsStore, type CaptureWriter } from './diagnostics.js';
import { registerGuardMetrics } from './guard-metrics.js';
import { LoadMeter } from './load-meter.js';
import { createMemorySampler } from './memory-sample.js';
import { MemoryGuard } from './memory-guard.js';
import { memoryRoutes } from './routes.js';
import { WorkerMemoryTracker } from '../memory/worker-memory-tracker.js';

export { MemoryGuard, type Alert, type GuardPoint } from './memory-guard.js';
export { Watchdog, type WatchdogLimits, type WatchEvent } from './watchdog.js';
export { DiagnosticsStore, type CaptureInfo } from './diagnostics.js';
export type { MemorySample } from './memory-sample.js';

export interface MemoryGuardPluginOptions {
  /** Where memory.html lives (default: dist/web). */
  webRoot?: string;
  /** Replaces how a capture's files are written (tests). */
  writeCapture?: CaptureWriter;
}

export function memoryGuardPlugin(options: MemoryGuardPluginOptions = {}): StudioPlugin {
  return async (app, { studio }) => {
    const { config } = studio;
    const workers = new WorkerMemoryTracker(Math.max(60_000, 2 * config.requestTimeoutMs));
    const sample = createMemorySampler(studio, workers);
    const load = new LoadMeter(studio.metrics);
    let guard: MemoryGuard | undefined;
    const diagnostics = new DiagnosticsStore({
      dir: config.diagnosticsDir,
      maxCaptures: config.diagnosticsMaxCaptures,
      maxBytes: config.diagnosticsMaxBytes,
      minIntervalMs: config.captureMinIntervalMs,
      profileMs: config.captureProfileMs,
      log: app.log,
      history: () => guard?.points() ?? [],
      write: options.writeCapture,
    });
    guard = new MemoryGuard({ studio, log: app.log, sample, load: () => load.read(), diagnostics });
    const allocator = activeAllocator();
    app.log.info({ allocator: allocator.name, detail: allocator.detail }, `memory guard: allocator ${allocator.detail}`);
    registerGuardMetrics(studio.metrics, guard, sample, allocator.name);
    const g = guard;
    app.addHook('onReady', async () => g.start());
    app.addHook('onClose', async () => {
      g.stop();
      workers.close();
    });
    await app.register(memoryRoutes, { studio, guard, diagnostics, allocator: allocator.name, webRoot: options.webRoot });
  };
}

export const memoryGuard: StudioPlugin = memoryGuardPlugin();
