// A render worker's start-up warm-up (src/pool/warm-up.ts) must leave the kernels optimised for every kind of photo a
// user sends: a path the warm-up never ran has no type feedback, and the first job that takes it deoptimises the
// kernel in the middle of a render and has it compiled again (the first grey photo once cost labToRgb 145 deopts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('after the warm-up, RGB, grey and RGBA photos through every style deoptimise no filter code', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--trace-deopt-verbose', 'test/fixtures/filters/after-warm-up-renders.ts'], { cwd: root, encoding: 'utf8', maxBuffer: 256 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const at = r.stdout.indexOf('--- warmed up');
  assert.ok(at >= 0 && r.stdout.includes('--- done'), 'the child did not finish its renders');
  // "[bailout (kind: deopt-eager, reason: …): begin. deoptimizing 0x… <JSFunction labToRgb (sfi = …)>, …"
  // followed by ";;; deoptimize at <file:///…/src/filters/color-space.ts:…>"
  const deopts = [...r.stdout.slice(at).matchAll(/reason: ([^)]*)\): begin\. deoptimizing \S+ <JSFunction (\S+)[^\n]*\n\s*;;; deoptimize at <[^>]*\/src\/filters\/([^:>]+)/g)]
    .map((m) => `${m[2]} (${m[3]}): ${m[1]}`);
  assert.deepEqual([...new Set(deopts)], [], `deoptimised after the warm-up (${deopts.length} times)`);
});
