/**
 * The /memory dashboard in Debian's Chromium: open it, put a bounded load on the server, see the charts move
 * (points plotted and renders counted grow), take a capture with the button, and save a screenshot under
 * test/output/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { postRaw, smallPhoto } from '../server/harness.js';
import { spawnServe, type ServeProcess } from '../guard/helpers.js';

const OUTPUT = fileURLToPath(new URL('../output/', import.meta.url));

describe('memory dashboard in Chromium', () => {
  let server: ServeProcess;
  let browser: Browser;
  before(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    // Its own process (as `atelier serve` runs): a capture's heap snapshot pauses the server, not the test.
    server = await spawnServe(['--threads', '2'], { ATELIER_CAPTURE_PROFILE: '2s' });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    server?.child.kill('SIGTERM');
    await server?.exited;
  });

  it('shows live charts that move under load, alerts, and captures', { timeout: 180_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1250 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.base}/memory`);
    await page.waitForFunction(() => Number(document.body.dataset.points ?? 0) >= 2, undefined, { timeout: 15_000 });
    const pointsBefore = Number(await page.evaluate(() => document.body.dataset.points));
    assert.equal(await page.locator('.uplot').count(), 4, 'four uPlot charts');
    assert.match(await page.locator('#ready').innerText(), /ready/);

    // Bounded load: 24 distinct small renders, 4 at a time, each a cache miss.
    let next = 0;
    const statuses: number[] = [];
    await Promise.all(Array.from({ length: 4 }, async () => {
      while (next < 24) {
        const i = next++;
        statuses.push((await postRaw(server.base, await smallPhoto(100 + i, 160), 'image/png', 'styles=sketch,oil,watercolor')).status);
      }
    }));
    assert.deepEqual([...new Set(statuses)], [201]);
    await page.waitForFunction((n) => Number(document.body.dataset.points) >= n + 3, pointsBefore, { timeout: 20_000 });
    // The renders-per-second chart saw the load: its legend's series has non-zero values somewhere.
    const rpsSeen = await page.evaluate(async () => {
      const r = await fetch('/api/memory');
      const s = (await r.json()) as { points: { rps: number }[] };
      return Math.max(...s.points.map((p) => p.rps));
    });
    assert.ok(rpsSeen > 0, 'renders per second recorded');
    const pointsAfter = Number(await page.evaluate(() => document.body.dataset.points));
    assert.ok(pointsAfter > pointsBefore, `points grew ${pointsBefore} → ${pointsAfter}`);
    // uPlot draws on canvas: the plotted path changes as data arrives.
    const stats = await page.locator('#stats .stat').count();
    assert.ok(stats >= 8, 'memory figures shown');

    await page.locator('#capture').click();
    await page.waitForSelector('#captures li a[href*="report.html"]', { timeout: 90_000 });
    assert.match(await page.locator('#capture-msg').innerText(), /started/);
    await page.waitForTimeout(1200);
    await page.screenshot({ path: `${OUTPUT}memory-dashboard.png`, fullPage: true });
    // At phone width the charts shrink with the page: nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(600);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `horizontal overflow of ${overflow}px at phone width`);
    await page.screenshot({ path: `${OUTPUT}memory-dashboard-phone.png`, fullPage: false });
    assert.deepEqual(errors, []);
  });
});
