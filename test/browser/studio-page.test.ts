/**
 * The studio page in Debian's Chromium: open it, upload a fixture photo, wait for the four seed artworks,
 * download one and decode it, check the phone layout and a bad file's message, and save screenshots under
 * test/output/.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import sharp from 'sharp';
import { SEED_STYLES } from '../../src/filters/registry.js';
import { startStudio, type TestStudio } from '../server/harness.js';

const OUTPUT = fileURLToPath(new URL('../output/', import.meta.url));
const PHOTO = fileURLToPath(new URL('../fixtures/photos/coffee.png', import.meta.url));

describe('studio page in Chromium', () => {
  let s: TestStudio;
  let browser: Browser;
  before(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    s = await startStudio();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await s?.close();
  });

  it('uploads a photo, shows four artworks, downloads one that decodes', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(s.url + '/');
    await page.waitForSelector('#style-picks input');
    // Controls come from /api/styles: one per parameter of every chosen style.
    await page.locator('#file').setInputFiles(PHOTO);
    for (const style of SEED_STYLES) {
      await page.waitForSelector(`article[data-style="${style}"][data-state="ready"]`, { timeout: 60_000 });
    }
    assert.equal(await page.locator('article.card[data-state="ready"]').count(), 4);
    assert.equal(await page.locator('article[data-style="original"] img').count(), 1);
    assert.equal(await page.locator('article[data-style="oil"] input[type="range"]').count(), 2);
    const natural = await page.locator('article[data-style="oil"] img.artwork').evaluate((img: HTMLImageElement) => img.naturalWidth);
    assert.equal(natural, 600);

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('article[data-style="watercolor"] a.download').click()]);
    assert.equal(download.suggestedFilename(), 'coffee.watercolor.jpg');
    const file = `${OUTPUT}coffee.watercolor.jpg`;
    await download.saveAs(file);
    const meta = await sharp(readFileSync(file)).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 600);
    assert.equal(meta.height, 400);

    // Changing a control re-renders that style.
    const before = await page.locator('article[data-style="oil"] img.artwork').getAttribute('src');
    await page.locator('article[data-style="oil"] summary').click();
    await page.locator('article[data-style="oil"] input[data-param="oil.size"]').fill('3');
    await page.waitForFunction((src) => {
      const card = document.querySelector('article[data-style="oil"]') as HTMLElement;
      return card.dataset.state === 'ready' && card.querySelector('img')!.getAttribute('src') !== src;
    }, before, { timeout: 30_000 });
    await page.screenshot({ path: `${OUTPUT}studio-desktop.png`, fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });

  it('tells the user when the server is overloaded, and retries', async () => {
    // Room for two renders at a time: of the four styles, two are shed with 503 and retried after Retry-After.
    const busy = await startStudio({ threads: 1, maxQueue: 1, retryAfterSeconds: 1 });
    const context = await browser.newContext({ viewport: { width: 1024, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto(busy.url + '/');
      await page.waitForSelector('#style-picks input');
      await page.locator('#file').setInputFiles(PHOTO);
      const message = page.locator('#message.warn');
      await message.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match((await message.textContent()) ?? '', /busy/);
      for (const style of SEED_STYLES) await page.waitForSelector(`article[data-style="${style}"][data-state="ready"]`, { timeout: 60_000 });
      await message.waitFor({ state: 'hidden', timeout: 5000 });
    } finally {
      await context.close();
      await busy.close();
    }
  });

  it('works at phone width and explains a bad file', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(s.url + '/');
    await page.waitForSelector('#style-picks input');
    await page.locator('#file').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture at all') });
    const message = page.locator('#message');
    await message.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await message.textContent()) ?? '', /cannot be used/);
    await page.locator('#file').setInputFiles(PHOTO);
    for (const style of SEED_STYLES) await page.waitForSelector(`article[data-style="${style}"][data-state="ready"]`, { timeout: 60_000 });
    assert.equal(await message.isVisible(), false, 'the message goes away with a good photo');
    // Nothing is wider than the phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
    await page.screenshot({ path: `${OUTPUT}studio-phone.png`, fullPage: true });
    await context.close();
  });
});
