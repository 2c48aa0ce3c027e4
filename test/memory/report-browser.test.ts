// The HTML reports open offline in a real browser and draw their uPlot charts without errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM_PATH, launchChromium } from '../browser/chromium.js';
import { judgeRun, leakReportPage, summarize, timelineReport, type TimelineSample } from '../../src/memory/index.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-report-test-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

async function render(html: string, name: string): Promise<{ canvases: number; errors: string[]; text: string }> {
  const file = join(dir, name);
  writeFileSync(file, html);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    // Any request leaving the file would mean the page is not self-contained.
    page.on('request', (r) => { if (!r.url().startsWith('file:')) errors.push(`network request: ${r.url()}`); });
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('canvas', { timeout: 10_000 });
    return { canvases: await page.locator('canvas').count(), errors, text: await page.locator('body').innerText() };
  } finally {
    await browser.close();
  }
}

test('mem run report draws two charts offline', { skip: !existsSync(CHROMIUM_PATH) && 'no chromium' }, async () => {
  const samples: TimelineSample[] = Array.from({ length: 50 }, (_, i) => ({
    t: i * 0.1, rss: 50e6 + i * 1e6, uss: 30e6 + i * 1e6, pss: 35e6 + i * 1e6, swap: 0, processes: 1,
    heapUsed: 10e6 + i * 5e5, heapTotal: 20e6 + i * 5e5, external: 2e6, arrayBuffers: 1e6,
  }));
  const r = summarize(['node', 'app.js'], samples, 0, null, 5, 100);
  const out = await render(timelineReport(r), 'run.html');
  assert.deepEqual(out.errors, []);
  assert.equal(out.canvases, 2);
  assert.match(out.text, /peak RSS/);
});

test('mem leaks report draws its chart and lists suspects offline', { skip: !existsSync(CHROMIUM_PATH) && 'no chromium' }, async () => {
  const samples = Array.from({ length: 30 }, (_, i) => ({ iteration: i + 1, heapUsed: 5e6 + 400 * i, external: 1e6, arrayBuffers: 1e5, rss: 60e6 + 1000 * i }));
  const report = judgeRun({ samples, snapshotIterations: [10, 20, 30] }, [
    { name: 'Session', countPerIteration: 4, retainedBytesPerIteration: 352, allocationSite: '/app/sessions.js:15', retainerPath: ['global', 'sessions → Map', 'table → (array)', '7 → Session'] },
  ], { warmup: 10, iterations: 30 });
  const out = await render(leakReportPage('sessions.mjs', report), 'leak.html');
  assert.deepEqual(out.errors, []);
  assert.equal(out.canvases, 2, 'retained memory and RSS');
  assert.match(out.text, /LEAK/);
  assert.match(out.text, /\/app\/sessions\.js:15/);
  assert.match(out.text, /sessions → Map/);
});
