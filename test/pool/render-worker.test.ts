import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRenderPool, type RenderPool } from '../../src/pool/index.js';
import { decode } from '../../src/imaging/index.js';
import { renderStyles } from '../../src/filters/render.js';
import { isAtelierError } from '../../src/errors.js';
import { photo, storedPixels } from '../imaging/inputs.js';

const pools: RenderPool[] = [];
after(async () => {
  await Promise.all(pools.map((p) => p.close({ force: true })));
});


test('the real render worker (TypeScript, under tsx) renders what renderStyles renders in-process', async () => {
  const p = createRenderPool({ threads: 1 });
  pools.push(p);
  const image = await decode(photo('horse'), { maxSide: 64 });
  const expected = renderStyles(image, [{ style: 'sketch' }, { style: 'oil' }]);
  const r = await p.run({ input: photo('horse'), requests: [{ style: 'sketch' }, { style: 'oil' }], maxSide: 64, format: 'png' });
  assert.deepEqual(Object.keys(r.artworks).sort(), ['oil', 'sketch']);
  for (const [style, img] of expected) {
    const back = await storedPixels(r.artworks[style]!);
    assert.equal(back.info.channels, img.channels, style);
    assert.ok(back.data.equals(Buffer.from(img.data)), `${style}: worker output equals in-process output`);
  }
});

test('the built worker loads from dist', { skip: !existsSync(fileURLToPath(new URL('../../dist/pool/index.js', import.meta.url))) && 'dist not built (npm test builds it)' }, async () => {
  const dist = (await import(new URL('../../dist/pool/index.js', import.meta.url).href)) as typeof import('../../src/pool/index.js');
  const p = dist.createRenderPool({ threads: 1 });
  pools.push(p);
  await assert.rejects(p.run({ input: Buffer.from('not an image at all'), requests: [{ style: 'oil' }], format: 'png' }), (e: unknown) => isAtelierError(e) && e.code === 'UNSUPPORTED_MEDIA_TYPE');
});
