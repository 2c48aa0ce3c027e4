/**
 * `atelier serve [--host 127.0.0.1] [--port 8080]`: runs the studio (web page + HTTP API) until SIGTERM or
 * SIGINT, then drains gracefully and exits 0. A second signal during the drain exits at once with code 1.
 * Every setting also has an ATELIER_* environment variable (see src/server/config.ts and the README).
 */
import type { Command } from 'commander';
import { loadConfig } from '../server/config.js';
import { activeAllocator, reexec, watchLauncher } from '../guard/allocator.js';
import { launchEnv, pinWorkersYoungGeneration, setHeapCompaction } from '../guard/launch-env.js';

interface ServeFlags {
  host?: string;
  port?: string;
  threads?: string;
  maxQueue?: string;
  requestTimeout?: string;
  logLevel?: string;
  allocator?: string;
}

function displayUrl(host: string, port: number): string {
  const local = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(host);
  return `http://${local ? 'localhost' : host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('run the studio: the web page and the HTTP API (settings also from ATELIER_* environment variables)')
    .option('--host <host>', 'interface to listen on (env ATELIER_HOST)', undefined)
    .option('--port <port>', 'TCP port, 0 for any free one (env ATELIER_PORT; default 8080)')
    .option('--threads <n>', 'render worker threads (env ATELIER_THREADS; default one per core)')
    .option('--max-queue <n>', 'renders that may wait before 503 (env ATELIER_MAX_QUEUE; default 32)')
    .option('--request-timeout <duration>', 'time limit of one render, e.g. 30s (env ATELIER_REQUEST_TIMEOUT)')
    .option('--log-level <level>', 'pino log level (env ATELIER_LOG_LEVEL; default info)')
    .option('--allocator <name>', 'malloc: jemalloc, arena2 (glibc, MALLOC_ARENA_MAX=2) or glibc as is (env ATELIER_ALLOCATOR; default jemalloc when installed)')
    .action(async (flags: ServeFlags) => {
      const config = loadConfig({
        env: process.env,
        flags: { host: flags.host, port: flags.port, threads: flags.threads, maxQueue: flags.maxQueue, requestTimeoutMs: flags.requestTimeout, logLevel: flags.logLevel, allocator: flags.allocator },
      });
      // The allocator and V8's heap settings only act at process start: run again, once, with them
      // (src/guard/launch-env.ts). bin/atelier sets them before it execs node, so this is only the fallback.
      const restart = launchEnv(config.allocator);
      if (restart) await reexec(restart.env);
      pinWorkersYoungGeneration();
      setHeapCompaction(config.heapCompaction);
      if (activeAllocator().name !== config.allocator) process.stderr.write(`atelier: allocator ${config.allocator} is not available here; running on ${activeAllocator().detail}\n`);
      // Loaded only now, so the launcher that re-runs itself with the allocator never loads fastify or sharp.
      const [{ buildApp }, { startServer }, { STUDIO_PLUGINS }] = await Promise.all([
        import('../server/app.js'),
        import('../server/lifecycle.js'),
        import('./studio-plugins.js'),
      ]);
      const app = await buildApp({ config, plugins: STUDIO_PLUGINS });
      const server = await startServer(app);
      const port = Number(new URL(server.url).port);
      process.stderr.write(`Atelier studio is running: open ${displayUrl(config.host, port)}  (Ctrl+C to stop)\n`);
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals++;
        if (signals > 1) {
          app.log.warn({ signal }, 'second signal during shutdown; exiting now');
          process.exit(1);
        }
        void server.shutdown(signal).then(() => process.exit(0));
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      watchLauncher(() => onSignal('SIGTERM'));
    });
}
