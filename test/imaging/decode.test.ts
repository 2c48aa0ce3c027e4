import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { decode } from '../../src/imaging/index.js';
import { AtelierError } from '../../src/errors.js';
import { photo, truncate, corruptPngData, variants } from './inputs.js';

let v: Awaited<ReturnType<typeof variants>>;
before(async () => {
  v = await variants();
});

const isCorrupt = (e: unknown) => e instanceof AtelierError && e.code === 'CORRUPT_IMAGE' && e.status === 422 && /truncated or corrupt/.test(e.message);

test('an RGB PNG decodes to its exact pixels', async () => {
  const image = await decode(photo('coffee'), { maxSide: 0 });
  const ref = await sharp(photo('coffee')).raw().toBuffer();
  assert.deepEqual([image.width, image.height, image.channels, image.header.format], [600, 400, 3, 'png']);
  assert.ok(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength).equals(ref));
});

test('grey stays one channel, RGBA keeps its alpha', async () => {
  const grey = await decode(photo('camera'), { maxSide: 0 });
  assert.equal(grey.channels, 1);
  const rgba = await decode(photo('horse'), { maxSide: 0 });
  assert.equal(rgba.channels, 4);
  const alpha = new Set<number>();
  for (let i = 3; i < rgba.data.length; i += 4) alpha.add(rgba.data[i]);
  assert.deepEqual([...alpha].sort((a, b) => a - b), [110, 217, 255], 'the photo’s own alpha values, untouched');
});

test('a truncated PNG and a truncated JPEG are CORRUPT_IMAGE, as is damaged PNG data', async () => {
  await assert.rejects(decode(truncate(photo('coffee'))), isCorrupt);
  await assert.rejects(decode(truncate(await sharp(photo('coffee')).jpeg().toBuffer())), isCorrupt);
  await assert.rejects(decode(truncate(v.jpeg, 0.9)), isCorrupt);
  await assert.rejects(decode(corruptPngData(photo('astronaut'))), isCorrupt);
});

test('16-bit, CMYK, palette and grey+alpha inputs become 8-bit sRGB', async () => {
  const ref = (await decode(v.base, { maxSide: 0 }));
  const close = (a: Uint8Array, b: Uint8Array, tol: number) => {
    assert.equal(a.length, b.length);
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst <= tol, `max difference ${worst} > ${tol}`);
  };
  const rgb16 = (await decode(v.rgb16, { maxSide: 0 }));
  assert.equal(rgb16.channels, 3);
  close(rgb16.data, ref.data, 1);
  const cmyk = (await decode(v.cmyk, { maxSide: 0 }));
  assert.equal(cmyk.channels, 3);
  // CMYK round trip through an ICC profile is approximate; what matters is sRGB, 3 channels, the same picture.
  let sum = 0;
  for (let i = 0; i < ref.data.length; i++) sum += Math.abs(cmyk.data[i] - ref.data[i]);
  assert.ok(sum / ref.data.length < 20, `mean difference ${sum / ref.data.length}`);
  const pal = (await decode(v.palette, { maxSide: 0 }));
  assert.deepEqual([pal.channels, pal.width, pal.height], [3, 96, 64]);
  const ga = (await decode(v.greyAlpha, { maxSide: 0 }));
  assert.equal(ga.channels, 4);
  for (let i = 0; i < ga.data.length; i += 4) {
    assert.ok(ga.data[i] === ga.data[i + 1] && ga.data[i] === ga.data[i + 2]);
    assert.equal(ga.data[i + 3], 127); // ensureAlpha(0.5) stores 127
  }
  assert.equal((await decode(v.grey, { maxSide: 0 })).channels, 1);
});

test('EXIF orientation 6 comes out upright', async () => {
  const image = await decode(v.exif6, { maxSide: 0 });
  assert.deepEqual([image.header.width, image.header.height, image.header.orientedWidth, image.header.orientedHeight], [96, 64, 64, 96]);
  assert.deepEqual([image.width, image.height], [64, 96]);
  // Orientation 6 means "rotate 90° clockwise to view": the stored top-left pixel ends up top-right.
  const stored = (await decode(await sharp(v.exif6).jpeg().toBuffer(), { maxSide: 0 })); // EXIF stripped
  const px = (im: typeof image, x: number, y: number) => Array.from(im.data.subarray((y * im.width + x) * 3, (y * im.width + x) * 3 + 3));
  const a = px(stored, 5, 5);
  const b = px(image, image.width - 1 - 5, 5);
  assert.ok(a.every((c, i) => Math.abs(c - b[i]) <= 12), `${a} vs ${b}`);
});

test('animated GIF and WebP render their first frame', async () => {
  for (const buf of [v.gif, v.animatedWebp]) {
    const image = await decode(buf, { maxSide: 0 });
    assert.equal(image.header.pages, 3);
    assert.deepEqual([image.width, image.height], [16, 16]);
    assert.ok(Math.abs(image.data[0] - 40) <= 2, `first frame is the grey 40, got ${image.data[0]}`);
  }
});

test('WebP, AVIF and TIFF are read', async () => {
  for (const buf of [v.webp, v.avif, v.tiff]) {
    const image = await decode(buf, { maxSide: 0 });
    assert.deepEqual([image.width, image.height, image.channels], [96, 64, 3]);
  }
});

test('maxSide shrinks the longest side and never enlarges', async () => {
  const a = (await decode(photo('coffee'), { maxSide: 300 }));
  assert.deepEqual([a.width, a.height], [300, 200]);
  const b = (await decode(photo('coffee'), { maxSide: 4096 }));
  assert.deepEqual([b.width, b.height], [600, 400]);
  const c = (await decode(v.exif6, { maxSide: 48 }));
  assert.deepEqual([c.width, c.height], [32, 48]);
  assert.equal((await decode(photo('coffee'))).width, 600, 'default 1024 leaves a 600-wide photo alone');
});

test('limits are validated with the argument named', async () => {
  await assert.rejects(decode(photo('coffee'), { maxSide: -1 }), /maxSide must be an integer from 0 to 65535/);
  await assert.rejects(decode(photo('coffee'), { maxPixels: 0 }), /maxPixels must be an integer from 1 to/);
});
