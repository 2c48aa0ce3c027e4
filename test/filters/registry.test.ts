import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveParams, parseStyleList, SEED_STYLES, canonicalRequest } from '../../src/filters/registry.js';
import { AtelierError } from '../../src/errors.js';

test('defaults fill missing parameters', () => {
  assert.deepEqual(resolveParams('oil'), { size: 7, dynRatio: 1 });
  assert.deepEqual(resolveParams('sketch', { shade: '0.05' }), { sigmaS: 60, sigmaR: 0.07, shade: 0.05 });
});

test('out-of-range and malformed values name the parameter and the range', () => {
  assert.throws(() => resolveParams('oil', { size: 21 }), (e: unknown) => e instanceof AtelierError && e.code === 'INVALID_ARGUMENT' && /oil\.size must be an integer from 1 to 20/.test(e.message));
  assert.throws(() => resolveParams('oil', { size: 2.5 }), /oil\.size must be an integer/);
  assert.throws(() => resolveParams('smooth', { sigmaR: '0x10' }), /smooth\.sigmaR must be a number from 0.01 to 1/);
  assert.throws(() => resolveParams('smooth', { sigmaS: 'NaN' }), /smooth\.sigmaS/);
  assert.throws(() => resolveParams('detail', { bogus: 1 }), /unknown parameter "detail\.bogus"/);
});

test('style lists are parsed, deduplicated and validated', () => {
  assert.deepEqual(parseStyleList(undefined), [...SEED_STYLES]);
  assert.deepEqual(parseStyleList('oil, sketch,oil'), ['oil', 'sketch']);
  assert.throws(() => parseStyleList('oil,pastel'), (e: unknown) => e instanceof AtelierError && e.code === 'UNKNOWN_STYLE');
  assert.throws(() => parseStyleList(' , '), /at least one style/);
});

test('canonical request is independent of parameter order', () => {
  const a = canonicalRequest([{ style: 'oil', params: { size: 3, dynRatio: 2 } }]);
  const b = canonicalRequest([{ style: 'oil', params: { dynRatio: 2, size: 3 } }]);
  assert.equal(a, b);
});
