import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { nodeMemory, processMemory, processMemoryAsync } from '../../src/memory/index.js';
import { runCli } from './cli-helpers.js';

test('processMemory reads RSS, USS, PSS and swap of a process', () => {
  const m = processMemory(process.pid);
  assert.equal(m.pid, process.pid);
  assert.ok(m.rss > 10 * 1024 * 1024, 'a Node process has more than 10 MiB resident');
  assert.ok(m.uss > 0 && m.uss <= m.rss);
  assert.ok(m.pss >= m.uss && m.pss <= m.rss);
  assert.ok(m.swap >= 0);
});

test('processMemory sees a child grow', async () => {
  const child = spawn(process.execPath, ['-e', 'const b = Buffer.alloc(64 * 1024 * 1024, 1); process.stdout.write("ready"); setTimeout(() => b.length, 5000)']);
  await new Promise((r) => child.stdout.once('data', r));
  try {
    const m = processMemory(child.pid as number);
    assert.ok(m.uss > 64 * 1024 * 1024, `USS ${m.uss} includes the 64 MiB filled buffer`);
  } finally {
    child.kill();
  }
});

test('processMemoryAsync reads the same figures as processMemory, and fails the same way', async () => {
  const a = await processMemoryAsync(process.pid);
  const b = processMemory(process.pid);
  assert.equal(a.pid, process.pid);
  for (const k of ['rss', 'uss', 'pss'] as const) {
    assert.ok(a[k] > 10e6, `${k} ${a[k]}`);
    assert.ok(Math.abs(a[k] - b[k]) < 32e6, `${k}: ${a[k]} vs ${b[k]}`);
  }
  assert.ok(a.uss <= a.rss);
  await assert.rejects(processMemoryAsync(2 ** 22 + 12345), (e: Error & { code?: string }) => e.code === 'PROCESS_NOT_FOUND' && /no process with pid/.test(e.message));
  await assert.rejects(processMemoryAsync(-1), /pid must be a positive integer/);
});

test('processMemory: a missing pid and a bad pid are clear errors', () => {
  assert.throws(() => processMemory(2 ** 22 + 12345), (e: Error & { code?: string }) => e.code === 'PROCESS_NOT_FOUND' && /no process with pid/.test(e.message));
  assert.throws(() => processMemory(-1), /pid must be a positive integer/);
});

test('nodeMemory splits RSS into heap, external, code and unexplained', () => {
  const keep = Buffer.alloc(16 * 1024 * 1024, 1);
  const m = nodeMemory();
  assert.ok(m.heapUsed > 0 && m.heapUsed <= m.heapTotal);
  assert.ok(m.arrayBuffers >= keep.length && m.external >= m.arrayBuffers);
  assert.ok(m.spaces.some((s) => s.name === 'old_space' && s.used > 0));
  assert.equal(m.unexplained, Math.max(0, m.rss - (m.heapTotal + m.external + m.code)));
  assert.ok(m.code > 0, 'the node binary is resident');
});

test('atelier mem info: table, --json, --pid, and errors', async () => {
  const table = await runCli(['mem', 'info']);
  assert.equal(table.code, 0);
  assert.match(table.stdout, /unexplained/);
  assert.match(table.stdout, /old_space/);
  const json = await runCli(['mem', 'info', '--json']);
  const m = JSON.parse(json.stdout);
  assert.ok(m.rss > 0 && m.heapUsed > 0 && Array.isArray(m.spaces));
  const other = await runCli(['mem', 'info', '--pid', String(process.pid), '--json']);
  assert.equal(JSON.parse(other.stdout).pid, process.pid);
  const missing = await runCli(['mem', 'info', '--pid', '99999999']);
  assert.notEqual(missing.code, 0);
  assert.equal(missing.stderr.trim().split('\n').length, 1);
  assert.match(missing.stderr, /no process with pid 99999999/);
  const bad = await runCli(['mem', 'info', '--pid', 'twelve']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /pid must be a positive integer/);
});
