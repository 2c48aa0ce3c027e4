import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { decode, encode, extensionOf, mimeTypeOf, parseOutputFormat, formatFromExtension, OUTPUT_FORMATS } from '../../src/imaging/index.js';
import type { PixelImage } from '../../src/filters/image.js';
import { photo, storedPixels } from './inputs.js';

test('PNG stores exactly the given samples, for 1, 3 and 4 channels', async () => {
  for (const name of ['camera', 'coffee', 'horse'] as const) {
    const image = await decode(photo(name), { maxSide: 0 });
    const png = await encode(image, 'png');
    const back = await storedPixels(png);
    assert.equal(back.info.channels, image.channels, name);
    assert.ok(back.data.equals(Buffer.from(image.data)), `${name} round-trips bit for bit`);
  }
});

test('lossy formats encode, decode to the right size, and honour quality', async () => {
  const image = await decode(photo('astronaut'), { maxSide: 128 });
  for (const f of ['jpeg', 'webp', 'avif'] as const) {
    const lo = await encode(image, f, 10);
    const hi = await encode(image, f, 95);
    const m = await sharp(hi).metadata();
    assert.equal(m.format, f === 'avif' ? 'heif' : f);
    assert.deepEqual([m.width, m.height], [128, 128]);
    assert.ok(lo.length < hi.length, `${f}: quality 10 is smaller than 95`);
  }
});

test('JPEG flattens alpha onto white', async () => {
  const img: PixelImage = { data: new Uint8Array([10, 20, 30, 0, 10, 20, 30, 255]), width: 2, height: 1, channels: 4 };
  const back = await storedPixels(await encode(img, 'jpeg', 100));
  assert.equal(back.info.channels, 3);
  assert.ok(back.data[0] > 200, 'transparent pixel becomes white');
});

test('arguments are validated with sharp-style messages', async () => {
  const img: PixelImage = { data: new Uint8Array(12), width: 2, height: 2, channels: 3 };
  await assert.rejects(encode(img, 'jpeg', 0), /quality must be an integer from 1 to 100, got 0/);
  await assert.rejects(encode(img, 'jpeg', 50.5), /quality must be an integer from 1 to 100/);
  await assert.rejects(encode(img, 'gif' as never), /format must be one of png, jpeg, webp, avif, got "gif"/);
  await assert.rejects(encode({ ...img, channels: 2 as never }, 'png'), /channels must be 1, 3 or 4/);
  await assert.rejects(encode({ ...img, data: new Uint8Array(11) }, 'png'), /must be a Uint8Array of width×height×channels = 12 bytes/);
  await assert.rejects(encode({ ...img, width: 0 }, 'png'), /width and height must be positive integers/);
});

test('format names, extensions and MIME types', () => {
  assert.deepEqual(OUTPUT_FORMATS.map(extensionOf), ['png', 'jpg', 'webp', 'avif']);
  assert.deepEqual(OUTPUT_FORMATS.map(mimeTypeOf), ['image/png', 'image/jpeg', 'image/webp', 'image/avif']);
  assert.equal(parseOutputFormat('JPG'), 'jpeg');
  assert.equal(parseOutputFormat('webp'), 'webp');
  assert.throws(() => parseOutputFormat('bmp'), /format must be one of png, jpeg, webp, avif, got "bmp"/);
  assert.equal(formatFromExtension('jpg'), 'jpeg');
  assert.equal(formatFromExtension('gif'), undefined);
});
