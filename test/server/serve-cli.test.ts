/**
 * The real `atelier serve` process (built CLI): it prints the URL, logs pino JSON, refuses bad settings with one
 * line, and on SIGTERM finishes the render in flight, then exits 0.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { bigPhoto, get, metric, postRaw, until } from './harness.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

function cli(args: string[], env: Record<string, string> = {}) {
  assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build (npm test does)`);
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 20_000 });
}

describe('atelier serve', () => {
  it('refuses a bad setting with one line naming it, exit code 1', () => {
    for (const [args, env, pattern] of [
      [['serve'], { ATELIER_PORT: 'abc' }, /ATELIER_PORT must be an integer from 0 to 65535, got "abc"/],
      [['serve', '--port', '70000'], {}, /--port must be an integer from 0 to 65535/],
      [['serve'], { ATELIER_MAX_UPLOAD: '12 parsecs' }, /ATELIER_MAX_UPLOAD must be a size/],
      [['serve'], { ATELIER_REQUEST_TIMEOUT: '-1' }, /ATELIER_REQUEST_TIMEOUT must be a duration/],
    ] as const) {
      const r = cli([...args], env);
      assert.equal(r.status, 1, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0], pattern);
    }
  });

  it('says so in one line when the port is taken', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      const port = (blocker.address() as AddressInfo).port;
      const r = cli(['serve', '--port', String(port)]);
      assert.equal(r.status, 1);
      assert.equal(r.stderr.trim(), `atelier: port ${port} on 127.0.0.1 is already in use; choose another with --port or ATELIER_PORT`);
    } finally {
      blocker.close();
    }
  });

  it('prints the URL, logs JSON, and on SIGTERM completes the render in flight and exits 0', async () => {
    assert.ok(existsSync(CLI), `${CLI} is missing: run npm run build (npm test does)`);
    const child = spawn(process.execPath, [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until(() => /open http:\/\/localhost:\d+/.test(stderr), 'the URL line', 15_000);
      const port = /open http:\/\/localhost:(\d+)/.exec(stderr)![1];
      const base = `http://127.0.0.1:${port}`;
      assert.equal((await get(base, '/healthz')).status, 200);
      const render = postRaw(base, await bigPhoto(50), 'image/jpeg', 'styles=oil&maxSide=1600&oil.size=15');
      await until(async () => metric((await get(base, '/metrics')).body.toString(), 'atelier_pool_in_flight') === 1, 'the render to start');
      child.kill('SIGTERM');
      const done = await render;
      assert.equal(done.status, 201, done.body.toString());
      assert.equal(await exited, 0, stderr);
      const logs = stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number });
      assert.ok(logs.some((l) => l.msg.startsWith('draining')), 'logged the drain');
      assert.ok(logs.some((l) => l.msg === 'closed'), 'logged the close');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
