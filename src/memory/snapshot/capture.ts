import { closeSync, copyFileSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AtelierError } from '../../errors.js';
import { InspectorSession } from '../inspector-session.js';

/** What a capture wrote. */
export interface CaptureResult {
  path: string;
  bytes: number;
  /** How the snapshot was obtained. */
  method: 'inspector' | 'signal';
}

let session: InspectorSession | null = null;
let tracking = false;

function ownSession(): InspectorSession {
  if (!session) session = new InspectorSession().connect();
  return session;
}

/**
 * Starts recording an allocation stack for every new object of this process (V8's allocation tracker).
 * Snapshots taken afterwards carry `trace_node_id`s, so leaked objects can be traced to the allocating function.
 * Allocation becomes slower while it is on.
 */
export async function startAllocationTracking(): Promise<void> {
  if (tracking) return;
  const s = ownSession();
  await s.post('HeapProfiler.enable');
  await s.post('HeapProfiler.startTrackingHeapObjects', { trackAllocations: true });
  tracking = true;
}

/** Stops allocation tracking (disabling the profiler agent ends it without taking a snapshot). */
export async function stopAllocationTracking(): Promise<void> {
  if (!tracking || !session) return;
  await session.post('HeapProfiler.disable');
  tracking = false;
}

/**
 * Writes a heap snapshot of this process to `path`, streamed chunk by chunk from the inspector (the text is
 * never held whole). With `trackAllocations`, allocation tracking is switched on first (if it was not) and
 * stays on, so this and later snapshots carry allocation stacks of the objects allocated since.
 */
export async function captureHeapSnapshot(path: string, options: { trackAllocations?: boolean } = {}): Promise<CaptureResult> {
  if (options.trackAllocations) await startAllocationTracking();
  const s = ownSession();
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (e) {
    throw new AtelierError('INVALID_ARGUMENT', `cannot write the snapshot to ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { cause: e });
  }
  let bytes = 0;
  const onChunk = (m: { params: unknown }) => {
    bytes += writeSync(fd, (m.params as { chunk: string }).chunk);
  };
  s.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await s.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    s.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
    closeSync(fd);
  }
  return { path, bytes, method: 'inspector' };
}

export interface ProcessCaptureOptions {
  /** `inspector` (SIGUSR1, then the DevTools protocol), `signal` (needs --heapsnapshot-signal), `auto` (default). */
  method?: 'auto' | 'inspector' | 'signal';
  /** Inspector port when known; otherwise found from the process's listening sockets. */
  port?: number;
  /** Give up after this long (default 5 minutes: big heaps take a while). */
  timeoutMs?: number;
}

function assertAlive(pid: number): void {
  if (!Number.isInteger(pid) || pid <= 0) throw new AtelierError('INVALID_ARGUMENT', `--pid must be a positive integer, got ${pid}`);
  try {
    process.kill(pid, 0);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new AtelierError('PROCESS_NOT_FOUND', `no process with pid ${pid}`);
    throw new AtelierError('INVALID_ARGUMENT', `cannot signal process ${pid} (${code})`);
  }
}

function readProcText(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The signal named by --heapsnapshot-signal on the command line or in NODE_OPTIONS, if any. */
export function heapSnapshotSignalOf(pid: number): NodeJS.Signals | null {
  const text = `${readProcText(pid, 'cmdline')} ${readProcText(pid, 'environ')}`;
  const m = /--heapsnapshot-signal[= ](SIG[A-Z0-9]+)/.exec(text);
  return m ? (m[1] as NodeJS.Signals) : null;
}

/** TCP ports a process listens on, from /proc (its socket inodes matched against /proc/net/tcp{,6}). */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]);
      } catch {
        // The fd closed meanwhile.
      }
    }
  } catch {
    return [];
  }
  const ports = new Set<number>();
  for (const table of ['net/tcp', 'net/tcp6']) {
    for (const line of readProcText(pid, table).split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9])) continue;
      ports.add(parseInt(f[1].split(':')[1], 16));
    }
  }
  return [...ports];
}

function httpJson(port: number, path: string, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(parts).toString('utf8')));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function inspectorTarget(port: number): Promise<string | null> {
  try {
    const list = (await httpJson(port, '/json/list', 2000)) as Array<{ webSocketDebuggerUrl?: string }>;
    return Array.isArray(list) ? (list.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl ?? null) : null;
  } catch {
    return null;
  }
}

async function findInspector(pid: number, port: number | undefined): Promise<{ url: string; openedByUs: boolean }> {
  if (port !== undefined) {
    const url = await inspectorTarget(port);
    if (url) return { url, openedByUs: false };
  }
  const before = listeningPorts(pid);
  for (const p of before) {
    const url = await inspectorTarget(p);
    if (url) return { url, openedByUs: false };
  }
  // SIGUSR1 makes Node open its inspector (on --inspect-port, 9229 by default).
  process.kill(pid, 'SIGUSR1');
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    await sleep(100);
    const candidates = port !== undefined ? [port] : listeningPorts(pid).filter((p) => !before.includes(p));
    for (const p of candidates) {
      const url = await inspectorTarget(p);
      if (url) return { url, openedByUs: true };
    }
  }
  throw new AtelierError('TIMEOUT', `process ${pid} did not open an inspector after SIGUSR1 (is it a Node process? is port 9229 taken? start it with --inspect-port=0 or --heapsnapshot-signal=SIGUSR2)`);
}

async function captureViaInspector(pid: number, path: string, options: ProcessCaptureOptions): Promise<CaptureResult> {
  const { url, openedByUs } = await findInspector(pid, options.port);
  // ws loads on demand: only capturing another process needs it, and it weighs ~15 MB of RSS.
  const { default: WebSocket } = await import('ws');
  const ws = new WebSocket(url, { perMessageDeflate: false, maxPayload: 1 << 30 });
  const fd = openSync(path, 'w');
  let bytes = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new AtelierError('TIMEOUT', `snapshot of process ${pid} took longer than ${options.timeoutMs ?? 300_000} ms`)), options.timeoutMs ?? 300_000);
      ws.on('error', (e) => {
        clearTimeout(timer);
        reject(new AtelierError('INTERNAL', `inspector connection to process ${pid} failed: ${e.message}`));
      });
      ws.on('close', () => {
        clearTimeout(timer);
        reject(new AtelierError('INTERNAL', `process ${pid} closed the inspector connection before the snapshot was complete`));
      });
      ws.on('open', () => {
        ws.send(JSON.stringify({ id: 1, method: 'HeapProfiler.takeHeapSnapshot', params: { reportProgress: false } }));
      });
      ws.on('message', (data: Buffer) => {
        const msg = JSON.parse(data.toString('utf8')) as { id?: number; method?: string; params?: { chunk?: string }; error?: { message: string } };
        if (msg.method === 'HeapProfiler.addHeapSnapshotChunk' && typeof msg.params?.chunk === 'string') {
          bytes += writeSync(fd, msg.params.chunk);
        } else if (msg.id === 1) {
          clearTimeout(timer);
          if (msg.error) reject(new AtelierError('INTERNAL', `process ${pid}: HeapProfiler.takeHeapSnapshot failed: ${msg.error.message}`));
          else resolve();
        }
      });
    });
    if (openedByUs) {
      // Close the inspector we opened: a debugging port left open is an attack surface.
      ws.send(JSON.stringify({ id: 2, method: 'Runtime.evaluate', params: { expression: 'process._debugEnd()' } }));
      await sleep(50);
    }
  } finally {
    closeSync(fd);
    ws.removeAllListeners('close');
    ws.on('error', () => {});
    ws.terminate();
  }
  return { path, bytes, method: 'inspector' };
}

async function captureViaSignal(pid: number, signal: NodeJS.Signals, path: string, options: ProcessCaptureOptions): Promise<CaptureResult> {
  let cwd: string;
  try {
    cwd = readlinkSync(`/proc/${pid}/cwd`);
  } catch (e) {
    throw new AtelierError('INVALID_ARGUMENT', `cannot find the working directory of process ${pid} (${(e as NodeJS.ErrnoException).code})`);
  }
  const pattern = new RegExp(`^Heap\\.[0-9.]+\\.${pid}\\.\\d+\\.\\d+\\.heapsnapshot$`);
  const list = () => readdirSync(cwd).filter((f) => pattern.test(f));
  const before = new Set(list());
  process.kill(pid, signal);
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let found: string | null = null;
  let lastSize = -1, stableSince = 0;
  while (Date.now() < deadline) {
    await sleep(100);
    if (!found) found = list().find((f) => !before.has(f)) ?? null;
    if (!found) continue;
    const size = statSync(join(cwd, found)).size;
    // V8 writes the file then closes it; a complete snapshot ends with the strings array's "]}".
    if (size === lastSize && size > 0 && Date.now() - stableSince >= 300 && endsLikeSnapshot(join(cwd, found), size)) {
      const from = join(cwd, found);
      try {
        renameSync(from, path);
      } catch {
        copyFileSync(from, path);
        unlinkSync(from);
      }
      return { path, bytes: size, method: 'signal' };
    }
    if (size !== lastSize) {
      lastSize = size;
      stableSince = Date.now();
    }
  }
  throw new AtelierError('TIMEOUT', `process ${pid} wrote no complete heap snapshot in ${cwd} after ${signal}`);
}

function endsLikeSnapshot(file: string, size: number): boolean {
  const fd = openSync(file, 'r');
  try {
    const tail = Buffer.alloc(Math.min(16, size));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return /\]\s*\}\s*$/.test(tail.toString('latin1'));
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes a heap snapshot of another Node process (same user) to `path`. `auto` uses the process's
 * --heapsnapshot-signal when it has one (no debugging port is opened), else the inspector.
 */
export async function captureProcessHeapSnapshot(pid: number, path: string, options: ProcessCaptureOptions = {}): Promise<CaptureResult> {
  assertAlive(pid);
  if (pid === process.pid) return captureHeapSnapshot(path);
  const method = options.method ?? 'auto';
  const signal = heapSnapshotSignalOf(pid);
  if (method === 'signal' || (method === 'auto' && signal)) {
    if (!signal) throw new AtelierError('INVALID_ARGUMENT', `process ${pid} was not started with --heapsnapshot-signal; use the inspector method`);
    return captureViaSignal(pid, signal, path, options);
  }
  return captureViaInspector(pid, path, options);
}
