import { test } from 'node:test';
import assert from 'node:assert/strict';
import { probe, decode } from '../../src/imaging/index.js';
import { AtelierError, type ErrorCode } from '../../src/errors.js';
import { photo, pngBomb, truncate, SVG, HTML, TEXT, PDF, randomBytes } from './inputs.js';

const rejectsWith = async (p: Promise<unknown>, code: ErrorCode, message?: RegExp) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AtelierError, `expected AtelierError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });

test('probe reads the header of a real photo', async () => {
  const h = await probe(photo('coffee'));
  assert.deepEqual([h.format, h.width, h.height, h.channels, h.hasAlpha, h.pages, h.grey], ['png', 600, 400, 3, false, 1, false]);
  assert.equal((await probe(photo('camera'))).grey, true);
  assert.equal((await probe(photo('horse'))).hasAlpha, true);
});

test('empty input is EMPTY_INPUT', async () => {
  await rejectsWith(probe(new Uint8Array(0)), 'EMPTY_INPUT');
  await rejectsWith(decode(Buffer.alloc(0)), 'EMPTY_INPUT');
});

test('text, HTML, PDF and random bytes are UNSUPPORTED_MEDIA_TYPE', async () => {
  for (const b of [TEXT, HTML, PDF, randomBytes()]) await rejectsWith(probe(b), 'UNSUPPORTED_MEDIA_TYPE');
});

test('SVG is refused before it is rendered', async () => {
  await rejectsWith(probe(SVG), 'UNSUPPORTED_MEDIA_TYPE', /SVG images are not accepted/);
  await rejectsWith(decode(SVG), 'UNSUPPORTED_MEDIA_TYPE');
});

test('a 30000×30000 PNG bomb is refused from its header', async () => {
  const bomb = pngBomb();
  assert.ok(bomb.length < 3_000_000);
  const before = process.memoryUsage().rss;
  await rejectsWith(probe(bomb), 'TOO_MANY_PIXELS', /30000×30000 \(900\.0 MP\), more than the limit of 50\.0 MP/);
  await rejectsWith(decode(bomb, { maxSide: 0 }), 'TOO_MANY_PIXELS');
  // Decoding it would take 900 MB; refusing it from the header takes next to nothing.
  assert.ok(process.memoryUsage().rss - before < 200e6);
});

test('the pixel limit is the caller’s to set', async () => {
  await rejectsWith(probe(photo('coffee'), { maxPixels: 600 * 400 - 1 }), 'TOO_MANY_PIXELS', /600×400/);
  await probe(photo('coffee'), { maxPixels: 600 * 400 });
  await rejectsWith(decode(photo('coffee'), { maxPixels: 1000 }), 'TOO_MANY_PIXELS');
});

test('a PNG cut in its header is CORRUPT_IMAGE', async () => {
  await rejectsWith(probe(photo('coffee').subarray(0, 20)), 'CORRUPT_IMAGE');
  await rejectsWith(probe(truncate(photo('coffee'), 0.00005)), 'CORRUPT_IMAGE'); // 23 bytes: signature, half an IHDR
});
