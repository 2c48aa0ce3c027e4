import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { STYLE_IDS, SEED_STYLES } from '../../src/filters/registry.js';
import { corruptPngData, HTML, pngBomb, SVG, TEXT, truncate, variants } from '../imaging/inputs.js';
import { get, metric, postMultipart, postRaw, smallPhoto, startStudio, type Answer, type TestStudio } from './harness.js';

const MB = 1024 * 1024;

function assertError(a: Answer, status: number, code: string): void {
  assert.equal(a.status, status, `expected ${status} ${code}, got ${a.status} ${a.body.toString('utf8').slice(0, 300)}`);
  assert.match(a.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(a.json.error.code, code);
  assert.equal(typeof a.json.error.message, 'string');
  assert.ok(a.json.error.message.length > 10, 'the message says something');
  assert.deepEqual(Object.keys(a.json), ['error']);
}

describe('studio HTTP API', () => {
  let s: TestStudio;
  let base: string;
  before(async () => {
    s = await startStudio({ maxUploadBytes: 2 * MB });
    base = s.url;
  });
  after(() => s.close());

  it('GET /healthz and /readyz answer when idle', async () => {
    assert.deepEqual((await get(base, '/healthz')).json, { status: 'ok' });
    const ready = await get(base, '/readyz');
    assert.equal(ready.status, 200);
    assert.equal(ready.json.status, 'ready');
  });

  it('GET /api/styles lists every style with labels, params, defaults, ranges and steps', async () => {
    const a = await get(base, '/api/styles');
    assert.equal(a.status, 200);
    assert.deepEqual(a.json.styles.map((st: { id: string }) => st.id), [...STYLE_IDS]);
    assert.deepEqual(a.json.defaults.styles, [...SEED_STYLES]);
    const oil = a.json.styles.find((st: { id: string }) => st.id === 'oil');
    assert.equal(oil.label, 'Oil painting');
    assert.deepEqual(oil.params[0], { name: 'size', label: 'Brush radius', type: 'integer', min: 1, max: 20, default: 7, step: 1 });
    assert.equal(a.json.limits.maxSide, 4096);
  });

  it('POST /api/renders (multipart) answers 201 with every artwork ready, served with ETag and immutable caching', async () => {
    const image = await smallPhoto(1);
    const a = await postMultipart(base, image);
    assert.equal(a.status, 201, a.body.toString());
    assert.deepEqual(Object.keys(a.json).sort(), ['artworks', 'cached', 'height', 'id', 'styles', 'width']);
    assert.match(a.json.id, /^[0-9a-f]{32}$/);
    assert.deepEqual(a.json.styles, [...SEED_STYLES]);
    assert.equal(a.json.cached, false);
    assert.equal(a.json.width, 96);
    assert.equal(a.json.height, 96);
    for (const style of SEED_STYLES) {
      const url = a.json.artworks[style];
      assert.equal(url, `/api/renders/${a.json.id}/${style}.jpg`);
      const art = await get(base, url);
      assert.equal(art.status, 200);
      assert.equal(art.headers.get('content-type'), 'image/jpeg');
      assert.equal(art.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.equal(art.headers.get('x-content-type-options'), 'nosniff');
      const etag = art.headers.get('etag');
      assert.match(etag ?? '', /^"[\w-]+"$/);
      const meta = await sharp(art.body).metadata();
      assert.equal(meta.format, 'jpeg');
      assert.equal(meta.width, 96);
      const again = await get(base, url, { 'if-none-match': etag! });
      assert.equal(again.status, 304);
      assert.equal(again.body.length, 0);
    }
  });

  it('a repeated upload is a cache hit: same id, cached: true, no rendering', async () => {
    const image = await smallPhoto(2);
    const first = await postMultipart(base, image, { styles: 'sketch,oil', 'oil.size': '3' });
    assert.equal(first.status, 201);
    assert.equal(first.json.cached, false);
    const before = (await get(base, '/metrics')).body.toString();
    const second = await postMultipart(base, image, { styles: 'sketch,oil', 'oil.size': '3' });
    const afterText = (await get(base, '/metrics')).body.toString();
    assert.equal(second.status, 201);
    assert.equal(second.json.cached, true);
    assert.equal(second.json.id, first.json.id);
    assert.deepEqual(second.json.artworks, first.json.artworks);
    const described = await get(base, `/api/renders/${first.json.id}`);
    assert.deepEqual(described.json, { ...first.json, cached: true });
    assert.equal(metric(afterText, 'atelier_renders_total', { outcome: 'rendered' }), metric(before, 'atelier_renders_total', { outcome: 'rendered' }), 'nothing was rendered');
    assert.equal(metric(afterText, 'atelier_cache_hits_total'), metric(before, 'atelier_cache_hits_total') + 1);
    // The same photo with other parameters is another render.
    const other = await postMultipart(base, image, { styles: 'sketch,oil', 'oil.size': '4' });
    assert.equal(other.json.cached, false);
    assert.notEqual(other.json.id, first.json.id);
  });

  it('takes a raw image/* body with options as query parameters, and the format asked for', async () => {
    const image = await sharp(await smallPhoto(3)).jpeg().toBuffer();
    const a = await postRaw(base, image, 'image/jpeg', 'styles=watercolor,smooth&maxSide=64&watercolor.sigmaR=0.3&format=webp');
    assert.equal(a.status, 201, a.body.toString());
    assert.deepEqual(a.json.styles, ['watercolor', 'smooth']);
    assert.equal(a.json.width, 64);
    const art = await get(base, a.json.artworks.smooth);
    assert.equal(art.headers.get('content-type'), 'image/webp');
    assert.equal((await sharp(art.body).metadata()).format, 'webp');
  });

  it('renders the first frame of an animated input', async () => {
    const { gif } = await variants();
    const a = await postRaw(base, gif, 'image/gif', 'styles=smooth');
    assert.equal(a.status, 201, a.body.toString());
    assert.equal(a.json.height, 16);
  });

  it('unknown or evicted renders are 404 JSON', async () => {
    assertError(await get(base, `/api/renders/${'0'.repeat(32)}/oil.png`), 404, 'NOT_FOUND');
    assertError(await get(base, '/api/renders/nope/oil.png'), 404, 'NOT_FOUND');
    const a = await postMultipart(base, await smallPhoto(4), { styles: 'sketch' });
    assertError(await get(base, `/api/renders/${a.json.id}/oil.png`), 404, 'NOT_FOUND');
    assertError(await get(base, `/api/renders/${a.json.id}/sketch.png`), 404, 'NOT_FOUND');
    assert.equal((await get(base, `/api/renders/${a.json.id}/sketch.jpg`)).status, 200);
    assertError(await get(base, '/no/such/route'), 404, 'NOT_FOUND');
    assertError(await get(base, `/api/renders/${'f'.repeat(32)}`), 404, 'NOT_FOUND');
  });

  describe('hostile and broken input: 4xx JSON, and the server keeps serving', () => {
    it('400: empty body, empty file, missing field', async () => {
      assertError(await postRaw(base, '', null), 400, 'EMPTY_INPUT');
      assertError(await postRaw(base, Buffer.alloc(0), 'image/png'), 400, 'EMPTY_INPUT');
      assertError(await postMultipart(base, Buffer.alloc(0)), 400, 'EMPTY_INPUT');
      assertError(await postMultipart(base, null, { styles: 'oil' }), 400, 'EMPTY_INPUT');
      assertError(await postMultipart(base, await smallPhoto(5), {}, { field: 'photo' }), 400, 'INVALID_ARGUMENT');
    });

    it('400: malformed multipart', async () => {
      const body = '--XYZ\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nabc';
      assertError(await postRaw(base, body, 'multipart/form-data; boundary=XYZ'), 400, 'INVALID_ARGUMENT');
      assertError(await postRaw(base, 'whatever', 'multipart/form-data'), 400, 'INVALID_ARGUMENT');
    });

    it('415: text, HTML, JSON, SVG (by type or by content), random bytes', async () => {
      assertError(await postRaw(base, TEXT, 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assertError(await postRaw(base, HTML, 'text/html'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assertError(await postRaw(base, '{"image":"x"}', 'application/json'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assertError(await postRaw(base, SVG, 'image/svg+xml'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assertError(await postRaw(base, SVG, 'image/png'), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assertError(await postMultipart(base, SVG, {}, { type: 'image/svg+xml' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assertError(await postMultipart(base, HTML, {}, { type: 'image/png' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
      assertError(await postRaw(base, TEXT, 'application/octet-stream'), 415, 'UNSUPPORTED_MEDIA_TYPE');
    });

    it('422: truncated or corrupt images', async () => {
      const png = await smallPhoto(6, 200);
      const jpeg = await sharp(png).jpeg().toBuffer();
      assertError(await postRaw(base, truncate(png), 'image/png'), 422, 'CORRUPT_IMAGE');
      assertError(await postRaw(base, truncate(jpeg), 'image/jpeg'), 422, 'CORRUPT_IMAGE');
      assertError(await postMultipart(base, corruptPngData(png)), 422, 'CORRUPT_IMAGE');
    });

    it('413: an upload over the limit, and a pixel bomb refused from its header', async () => {
      const big = Buffer.alloc(3 * MB, 1);
      const raw = await postRaw(base, big, 'image/png');
      assertError(raw, 413, 'PAYLOAD_TOO_LARGE');
      assert.match(raw.json.error.message, /2 MB/);
      assertError(await postMultipart(base, big), 413, 'PAYLOAD_TOO_LARGE');
      const bomb = pngBomb();
      assert.ok(bomb.length < 2 * MB);
      const a = await postMultipart(base, bomb);
      assertError(a, 413, 'TOO_MANY_PIXELS');
      assert.match(a.json.error.message, /30000×30000/);
    });

    it('400: unknown style, bad parameter, out of range', async () => {
      const image = await smallPhoto(7);
      const cases: [Record<string, string>, string, RegExp][] = [
        [{ styles: 'oil,cubism' }, 'UNKNOWN_STYLE', /cubism/],
        [{ styles: '' }, 'INVALID_ARGUMENT', /styles/],
        [{ 'oil.size': '50' }, 'INVALID_ARGUMENT', /oil\.size must be an integer from 1 to 20/],
        [{ 'oil.size': 'big' }, 'INVALID_ARGUMENT', /oil\.size/],
        [{ 'oil.size': '2.5' }, 'INVALID_ARGUMENT', /oil\.size/],
        [{ 'sketch.sigmaR': '0' }, 'INVALID_ARGUMENT', /sketch\.sigmaR/],
        [{ 'oil.brush': '3' }, 'INVALID_ARGUMENT', /oil\.brush/],
        [{ 'cubism.size': '3' }, 'UNKNOWN_STYLE', /cubism/],
        [{ maxSide: '5000' }, 'INVALID_ARGUMENT', /maxSide must be an integer from 1 to 4096/],
        [{ maxSide: '0' }, 'INVALID_ARGUMENT', /maxSide/],
        [{ format: 'gif' }, 'INVALID_ARGUMENT', /format/],
        [{ quality: '101' }, 'INVALID_ARGUMENT', /quality/],
        [{ colour: 'red' }, 'INVALID_ARGUMENT', /unknown field "colour"/],
      ];
      for (const [fields, code, message] of cases) {
        const a = await postMultipart(base, image, fields);
        assertError(a, 400, code);
        assert.match(a.json.error.message, message);
      }
      // The same checks apply to query parameters.
      assertError(await postRaw(base, image, 'image/png', 'styles=oil&oil.size=0'), 400, 'INVALID_ARGUMENT');
    });

    it('still renders after all of that, and a burst of bad inputs leaves memory where it was', async () => {
      const bomb = pngBomb();
      const corrupt = corruptPngData(await smallPhoto(8, 200));
      const burst = async (): Promise<void> => {
        for (let i = 0; i < 10; i++) {
          await Promise.all([
            postMultipart(base, bomb),
            postRaw(base, corrupt, 'image/png'),
            postRaw(base, SVG, 'image/png'),
            postRaw(base, Buffer.alloc(3 * MB, 7), 'image/jpeg'),
          ]);
        }
      };
      await burst(); // warm-up: first-use allocations are not a leak
      global.gc?.();
      const rssBefore = process.memoryUsage().rss;
      await burst();
      await burst();
      global.gc?.();
      const grown = process.memoryUsage().rss - rssBefore;
      assert.ok(grown < 96 * MB, `RSS grew by ${(grown / MB).toFixed(1)} MB over 80 bad uploads`);
      const ok = await postMultipart(base, await smallPhoto(9), { styles: 'sketch' });
      assert.equal(ok.status, 201);
      const text = (await get(base, '/metrics')).body.toString();
      assert.ok(metric(text, 'atelier_rejected_inputs_total', { reason: 'TOO_MANY_PIXELS' }) >= 30);
    });
  });

  it('GET /metrics has prom-client defaults and the request, queue and cache metrics', async () => {
    const a = await get(base, '/metrics');
    assert.equal(a.status, 200);
    assert.match(a.headers.get('content-type') ?? '', /^text\/plain/);
    const text = a.body.toString();
    for (const name of ['process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'atelier_http_requests_total', 'atelier_http_request_duration_seconds_bucket', 'atelier_queue_depth', 'atelier_pool_in_flight', 'atelier_cache_bytes', 'atelier_cache_entries', 'atelier_cache_hits_total', 'atelier_cache_misses_total', 'atelier_load_shed_total']) {
      assert.match(text, new RegExp(`^${name}`, 'm'), name);
    }
    assert.ok(metric(text, 'atelier_cache_bytes') > 0);
    assert.ok(metric(text, 'atelier_http_requests_total', { method: 'POST', route: '/api/renders', status: '201' }) >= 3);
    for (const stage of ['decode', 'render', 'encode']) {
      assert.ok(metric(text, 'atelier_render_stage_seconds_count', { stage }) >= 3, `${stage} timed for every render`);
      assert.ok(metric(text, 'atelier_render_stage_seconds_sum', { stage }) > 0, `${stage} took time`);
    }
  });
});
