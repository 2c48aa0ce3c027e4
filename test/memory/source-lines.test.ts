import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findCallLine, findStoreLine } from '../../src/memory/source-lines.js';

const dir = mkdtempSync(join(tmpdir(), 'atelier-lines-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'app.mjs');
writeFileSync(file, [
  'const cache = {};',                          // 1
  'export function handle(req) {',              // 2
  '  const id = req.id;',                       // 3
  '  setTimeout(() => {}, 10);',                // 4
  '  cache[id] = { id };',                      // 5
  '  return new Session(id);',                  // 6
  '}',                                          // 7
  'function other() { new Session(1); }',       // 8
].join('\n'));

test('finds the line inside a function that calls the next frame or constructs the type', () => {
  assert.equal(findCallLine(file, 2, 23, 'setTimeout'), 4);
  assert.equal(findCallLine(file, 2, 23, 'Session'), 6);
  assert.equal(findCallLine(file, 2, 23, 'clearTimeout'), null, 'not in the function');
  assert.equal(findCallLine(file, 8, 15, 'Session'), 8, 'a one-line function');
  assert.equal(findCallLine(file, 2, 23, '(string)'), null, 'not an identifier');
  assert.equal(findCallLine(join(dir, 'missing.mjs'), 2, 1, 'Session'), null);
});

test('finds the line that stores into a named container', () => {
  assert.equal(findStoreLine(file, 2, 23, 'cache'), 5);
  assert.equal(findStoreLine(file, 2, 23, 'sessions'), null);
});
