import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { decode } from '../../src/imaging/index.js';
import { photo, truncate, pngBomb, corruptPngData, HTML, SVG } from './inputs.js';

test('a burst of bad inputs leaves memory where it was', async () => {
  const bad = [truncate(photo('coffee')), truncate(await sharp(photo('coffee')).jpeg().toBuffer()), pngBomb(20000, 20000), corruptPngData(photo('astronaut')), HTML, SVG, Buffer.alloc(0)];
  const burst = async (rounds: number) => {
    let refused = 0;
    for (let i = 0; i < rounds; i++) for (const b of bad) await decode(b).catch(() => refused++);
    return refused;
  };
  await burst(10); // allocator and libvips warm-up
  const before = process.memoryUsage().rss;
  assert.equal(await burst(40), 40 * bad.length, 'every one refused');
  const grown = (process.memoryUsage().rss - before) / 1e6;
  // The truncated and damaged images are partly decoded (~0.7 MB of pixels each) before they fail: leaking those
  // 120 decodes would add ~90 MB; allocator noise stays within a few.
  assert.ok(grown < 40, `RSS grew by ${grown.toFixed(1)} MB`);
});
