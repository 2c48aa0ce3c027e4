/** A studio with the memory guard, on 127.0.0.1 and an ephemeral port. */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/server/app.js';
import { loadConfig, type ServerConfig } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/lifecycle.js';
import { memoryGuardPlugin, type MemoryGuardPluginOptions } from '../../src/guard/index.js';
import type { RenderPool } from '../../src/pool/index.js';
import { untilWarm } from '../server/harness.js';

export async function startGuarded(overrides: Partial<ServerConfig> = {}, opts: MemoryGuardPluginOptions & { pool?: RenderPool } = {}): Promise<RunningServer> {
  const config = loadConfig({
    env: {},
    overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', threads: 1, watchdogIntervalMs: 200, captureProfileMs: 0, diagnosticsDir: mkdtempSync(join(tmpdir(), 'atelier-guard-')), ...overrides },
  });
  const app = await buildApp({ config, plugins: [memoryGuardPlugin(opts)], pool: opts.pool });
  const server = await startServer(app);
  await untilWarm(app.studio);
  return server;
}

/** A real JPEG carrying `tag` in a comment segment: new bytes (a cache miss), same small image. */
export function tagged(jpeg: Buffer, tag: string): Buffer {
  const text = Buffer.from(tag, 'latin1');
  const seg = Buffer.alloc(4 + text.length);
  seg.writeUInt16BE(0xfffe, 0);
  seg.writeUInt16BE(text.length + 2, 2);
  text.copy(seg, 4);
  return Buffer.concat([jpeg.subarray(0, 2), seg, jpeg.subarray(2)]);
}

export interface ServeProcess {
  base: string;
  child: import('node:child_process').ChildProcessWithoutNullStreams;
  exited: Promise<number | null>;
}

/** Runs `bin/atelier serve` (what npm start and npx run) on 127.0.0.1 and a free port, allocator choice included. */
export async function spawnServe(args: string[] = [], env: Record<string, string> = {}): Promise<ServeProcess> {
  const root = new URL('../../', import.meta.url).pathname;
  const child = spawn(join(root, 'bin/atelier'), ['serve', '--host', '127.0.0.1', '--port', '0', '--log-level', 'warn', ...args], {
    cwd: root,
    env: { ...process.env, ATELIER_DIAGNOSTICS_DIR: mkdtempSync(join(tmpdir(), 'atelier-guard-')), ...env },
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  const port = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`atelier serve did not start: ${stderr}`)), 30_000);
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
      const m = /localhost:(\d+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if ((await fetch(`${base}/readyz`).catch(() => null))?.ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return { base, child, exited };
}
