// A forced full GC between renders must not throw away the kernels' optimised code (see keepShape in workspace.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('after warming up, a forced full GC after each render deoptimises no filter code for dead maps ("weak objects")', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', '--trace-deopt', 'test/fixtures/filters/forced-gc-renders.ts', '40'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  const second = r.stdout.slice(r.stdout.indexOf('--- second half'));
  assert.ok(second.length > 0 && r.stdout.includes('--- second half'), 'the child did not reach its second half');
  // "[marking dependent code … (0x… <SharedFunctionInfo paintRow>) … for deoptimization, reason: weak objects]"
  const weak = [...second.matchAll(/<SharedFunctionInfo ([^>]+)>\)[^\]]*reason: weak objects/g)].map((m) => m[1]);
  assert.deepEqual(weak, [], `deoptimised after a forced GC in the second half: ${[...new Set(weak)].join(', ')}`);
});
