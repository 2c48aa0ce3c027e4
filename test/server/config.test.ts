import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/server/config.js';

const MB = 1024 * 1024;

describe('studio config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ env: {} });
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.port, 8080);
    assert.ok(c.maxQueue >= 32);
    assert.equal(c.requestTimeoutMs, 30_000);
    assert.equal(c.maxUploadBytes, 25 * MB);
    assert.equal(c.maxPixels, 50_000_000);
    assert.equal(c.defaultMaxSide, 1024);
    assert.equal(c.maxSideLimit, 4096);
    assert.equal(c.cacheMaxBytes, 128 * MB);
    assert.ok(c.threads >= 1);
    assert.ok(Object.isFrozen(c));
  });

  it('reads sizes and durations with units from the environment', () => {
    const c = loadConfig({ env: { ATELIER_MAX_UPLOAD: '10MB', ATELIER_CACHE_SIZE: '1.5gb', ATELIER_REQUEST_TIMEOUT: '2m', ATELIER_CACHE_TTL: '90s', ATELIER_PORT: '9000', ATELIER_FORMAT: 'WEBP' } });
    assert.equal(c.maxUploadBytes, 10 * MB);
    assert.equal(c.cacheMaxBytes, 1.5 * 1024 * MB);
    assert.equal(c.requestTimeoutMs, 120_000);
    assert.equal(c.cacheTtlMs, 90_000);
    assert.equal(c.port, 9000);
    assert.equal(c.defaultFormat, 'webp');
  });

  it('takes overrides over flags over environment', () => {
    const env = { ATELIER_PORT: '1', ATELIER_THREADS: '3', ATELIER_MAX_QUEUE: '5' };
    const c = loadConfig({ env, flags: { port: '2', threads: '4' }, overrides: { port: 3 } });
    assert.equal(c.port, 3);
    assert.equal(c.threads, 4);
    assert.equal(c.maxQueue, 5);
  });

  it('refuses bad values, naming where they came from and the allowed range', () => {
    const bad: [Parameters<typeof loadConfig>[0], RegExp][] = [
      [{ env: { ATELIER_PORT: '80.5' } }, /^ATELIER_PORT must be an integer from 0 to 65535, got "80.5"$/],
      [{ flags: { threads: '0' } }, /^--threads must be an integer from 1 to 256/],
      [{ env: { ATELIER_MAX_UPLOAD: '2TB' } }, /^ATELIER_MAX_UPLOAD must be a size from 1024 to/],
      [{ env: { ATELIER_LOG_LEVEL: 'loud' } }, /^ATELIER_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
      [{ env: { ATELIER_HOST: 'a b' } }, /^ATELIER_HOST must be a host name or IP address/],
      [{ overrides: { maxQueue: -1 } }, /^config\.maxQueue must be an integer from 0/],
      [{ env: { ATELIER_DEFAULT_MAX_SIDE: '2048', ATELIER_MAX_SIDE_LIMIT: '1024' } }, /must not exceed ATELIER_MAX_SIDE_LIMIT/],
    ];
    for (const [sources, message] of bad) {
      assert.throws(() => loadConfig(sources), (e: Error & { code?: string }) => e.code === 'INVALID_ARGUMENT' && message.test(e.message), JSON.stringify(sources));
    }
  });
});
