import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTimeline, timelineCsv } from '../../src/memory/index.js';
import { runCli } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-timeline-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const growingNode = 'const a = []; let i = 0; const t = setInterval(() => { a.push(new Array(250000).fill(i)); a.push(Buffer.alloc(2e6, 1)); if (++i === 12) { clearInterval(t); process.exitCode = 3; } }, 40);';

test('runTimeline samples a Node command: RSS, USS and V8 figures, peak, slope, exit code', async () => {
  const r = await runTimeline([process.execPath, '-e', growingNode], { intervalMs: 25, stdio: 'ignore' });
  assert.equal(r.exitCode, 3);
  assert.equal(r.node, true);
  assert.ok(r.samples.length >= 8, `${r.samples.length} samples`);
  assert.ok(r.peak.heapUsed !== null && r.peak.heapUsed > 12 * 250000 * 8 * 0.8, `peak heap ${r.peak.heapUsed}`);
  assert.ok(r.peak.external !== null && r.peak.external > 20e6, `peak external ${r.peak.external}`);
  assert.ok(r.peak.rss > r.peak.heapUsed!);
  assert.ok(r.slope.heapUsed! > 0 && r.slope.rss > 0, 'memory grows over the run');
  assert.equal(r.nodeProcesses.length, 1, 'one Node process reported at exit');
  const p = r.nodeProcesses[0];
  assert.ok(p.spaces.some((s) => s.name === 'old_space' && s.used > 0));
  assert.ok(p.external >= 20e6 && p.rss > p.heapUsed && p.code > 0);
  assert.equal(p.unexplained, Math.max(0, p.rss - (p.heapTotal + p.external + p.code)));
  const csv = timelineCsv(r).trim().split('\n');
  assert.equal(csv[0], 't,rss,uss,pss,swap,processes,heapUsed,heapTotal,external,arrayBuffers');
  assert.equal(csv.length, r.samples.length + 1);
});

test('runTimeline works on non-Node commands and follows the child tree', async () => {
  const r = await runTimeline(['sh', '-c', 'python3 -c "import time; a = bytearray(40 * 1024 * 1024); time.sleep(0.6)"'], { intervalMs: 50, stdio: 'ignore' });
  assert.equal(r.exitCode, 0);
  assert.equal(r.node, false);
  assert.equal(r.peak.heapUsed, null);
  assert.ok(r.samples.some((s) => s.processes >= 2), 'sh and python are both counted');
  assert.ok(r.peak.uss > 40 * 1024 * 1024, `peak USS ${r.peak.uss} includes python's 40 MiB`);
  const failing = await runTimeline(['sh', '-c', 'exit 7'], { intervalMs: 50, stdio: 'ignore' });
  assert.equal(failing.exitCode, 7);
});

test('atelier mem run writes CSV, JSON and a self-contained HTML report, and exits with the command\'s code', async () => {
  const csv = join(dir, 'run.csv'), json = join(dir, 'run.json'), html = join(dir, 'run.html');
  const r = await runCli(['mem', 'run', '--interval', '30ms', '--csv', csv, '--json', json, '--report', html, '--', process.execPath, '-e', growingNode]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /peak RSS/);
  assert.match(r.stderr, /heap slope ± standard error +│? *[-\d.]+ MiB\/s ± [\d.]+/);
  assert.match(r.stderr, /Node processes at exit/);
  assert.match(readFileSync(csv, 'utf8'), /^t,rss,uss/);
  const data = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(data.exitCode, 3);
  assert.ok(data.slopeError.rss > 0 && data.slopeError.heapUsed > 0, 'the slopes come with their standard errors');
  assert.ok(data.samples.length > 3);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /uPlot/);
  assert.doesNotMatch(page, /<script[^>]+src=/, 'no external script');
  assert.doesNotMatch(page, /<link[^>]+href=/, 'no external stylesheet');
});

test('atelier mem run: bad interval, missing command, unknown program', async () => {
  const bad = await runCli(['mem', 'run', '--interval', 'soon', '--', 'true']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /--interval must be a duration/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  const unknown = await runCli(['mem', 'run', '--', 'no-such-program-xyz']);
  assert.notEqual(unknown.code, 0);
  assert.match(unknown.stderr, /command not found: no-such-program-xyz/);
  const none = await runCli(['mem', 'run']);
  assert.notEqual(none.code, 0);
});
