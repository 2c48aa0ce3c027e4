import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import {
  HeapSnapshot, captureHeapSnapshot, captureProcessHeapSnapshot, describeNode, listeningPorts, nodesOfType,
  startAllocationTracking, stopAllocationTracking,
} from '../../../src/memory/snapshot/index.js';
import { AtelierError } from '../../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-capture-'));
const children: ChildProcess[] = [];
test.after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

class CaptureMarker {
  constructor(readonly n: number) {}
}
class TrackedMarker {
  constructor(readonly n: number) {}
}

function makeTracked(count: number): TrackedMarker[] {
  const out: TrackedMarker[] = [];
  for (let i = 0; i < count; i++) out.push(new TrackedMarker(i));
  return out;
}

test('captures this process through the inspector, streamed to a file', async () => {
  const keep = Array.from({ length: 33 }, (_, i) => new CaptureMarker(i));
  const file = join(dir, 'self.heapsnapshot');
  const r = await captureHeapSnapshot(file);
  assert.equal(r.method, 'inspector');
  const g = HeapSnapshot.load(file);
  assert.equal(r.bytes, g.byteLength);
  assert.equal(nodesOfType(g, 'CaptureMarker').length, keep.length);
});

test('with allocation tracking, objects allocated afterwards carry their allocation stack', async () => {
  await startAllocationTracking();
  try {
    const keep = makeTracked(12);
    const file = join(dir, 'tracked.heapsnapshot');
    await captureHeapSnapshot(file, { trackAllocations: true });
    const g = HeapSnapshot.load(file);
    assert.ok(g.traces().available);
    const nodes = nodesOfType(g, 'TrackedMarker');
    assert.equal(nodes.length, keep.length);
    const report = describeNode(g, nodes[0]);
    assert.match(report.allocationSite ?? '', /capture\.test\.ts:\d+$/);
    assert.match(report.allocationStack[0], /^makeTracked /);
  } finally {
    await stopAllocationTracking();
  }
});

async function startChild(args: string[], cwd: string): Promise<ChildProcess> {
  const code = "class Remote {}; globalThis.keep = Array.from({ length: 77 }, () => new Remote()); console.log('ready'); setInterval(() => {}, 1000);";
  const child = spawn(process.execPath, [...args, '-e', code], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  while (!out.includes('ready')) await once(child.stdout!, 'data');
  return child;
}

test('captures another Node process through its inspector (SIGUSR1), then closes the inspector', async () => {
  // --inspect-port=0: the inspector opened by SIGUSR1 takes a free port, found through /proc.
  const child = await startChild(['--inspect-port=0'], dir);
  assert.deepEqual(listeningPorts(child.pid!), []);
  const file = join(dir, 'remote.heapsnapshot');
  const r = await captureProcessHeapSnapshot(child.pid!, file, { method: 'auto' });
  assert.equal(r.method, 'inspector');
  assert.equal(nodesOfType(HeapSnapshot.load(file), 'Remote').length, 77);
  for (let k = 0; k < 50 && listeningPorts(child.pid!).length > 0; k++) await new Promise((res) => setTimeout(res, 20));
  assert.deepEqual(listeningPorts(child.pid!), [], 'the inspector we opened is closed again');
  child.kill();
});

test('captures a process started with --heapsnapshot-signal by signal, without opening a port', async () => {
  const cwd = mkdtempSync(join(dir, 'sig-'));
  const child = await startChild(['--heapsnapshot-signal=SIGUSR2'], cwd);
  const file = join(dir, 'signal.heapsnapshot');
  const r = await captureProcessHeapSnapshot(child.pid!, file);
  assert.equal(r.method, 'signal');
  assert.equal(nodesOfType(HeapSnapshot.load(file), 'Remote').length, 77);
  assert.deepEqual(readdirSync(cwd), [], 'the snapshot is moved to the requested path');
  assert.deepEqual(listeningPorts(child.pid!), []);
  child.kill();
});

test('a missing process is a clear error', async () => {
  await assert.rejects(captureProcessHeapSnapshot(2 ** 22 + 12345, join(dir, 'x.heapsnapshot')), (e: unknown) => e instanceof AtelierError && e.code === 'PROCESS_NOT_FOUND');
  await assert.rejects(captureProcessHeapSnapshot(-1, join(dir, 'x.heapsnapshot')), (e: unknown) => e instanceof AtelierError && e.code === 'INVALID_ARGUMENT');
});
