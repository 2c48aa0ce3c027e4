/** A studio with the memory guard, on 127.0.0.1 and an ephemeral port. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/server/app.js';
import { loadConfig, type ServerConfig } from '../../src/server/config.js';
import { startServer, type RunningServer } from '../../src/server/lifecycle.js';
import { memoryGuardPlugin, type MemoryGuardPluginOptions } from '../../src/guard/index.js';
import type { RenderPool } from '../../src/pool/index.js';

export async function startGuarded(overrides: Partial<ServerConfig> = {}, opts: MemoryGuardPluginOptions & { pool?: RenderPool } = {}): Promise<RunningServer> {
  const config = loadConfig({
    env: {},
    overrides: { host: '127.0.0.1', port: 0, logLevel: 'silent', threads: 1, watchdogIntervalMs: 200, captureProfileMs: 0, diagnosticsDir: mkdtempSync(join(tmpdir(), 'atelier-guard-')), ...overrides },
  });
  const app = await buildApp({ config, plugins: [memoryGuardPlugin(opts)], pool: opts.pool });
  return startServer(app);
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
