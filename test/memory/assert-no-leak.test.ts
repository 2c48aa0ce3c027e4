import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoLeak, type LeakReport } from '../../src/memory/index.js';

class Subscription {
  constructor(readonly topic: string, readonly handler: () => void) {}
}
const subscriptions: Subscription[] = [];

test('assertNoLeak throws with the report when the closure leaks', async () => {
  let n = 0;
  await assert.rejects(
    assertNoLeak(async () => {
      subscriptions.push(new Subscription('topic-' + n++, () => {}));
    }, { iterations: 45 }),
    (e: Error & { code?: string; details?: { report: LeakReport } }) => {
      assert.equal(e.code, 'LEAK_DETECTED');
      assert.match(e.message, /LEAK/);
      const report = e.details?.report as LeakReport;
      assert.equal(report.verdict, 'leak');
      assert.ok(report.suspects.some((s) => s.name === 'Subscription' && s.countPerIteration >= 0.9), JSON.stringify(report.suspects.map((s) => s.name)));
      assert.match(e.message, /Subscription/);
      return true;
    },
  );
});

test('assertNoLeak passes a clean closure that allocates and drops', async () => {
  const bounded: number[][] = [];
  const report = await assertNoLeak(async () => {
    const rows = Array.from({ length: 2000 }, (_, i) => [i, i * 2]);
    bounded.push(rows[0]);
    if (bounded.length > 5) bounded.shift();
    await new Promise((r) => setImmediate(r));
  }, { iterations: 45 });
  assert.equal(report.verdict, 'clean');
  assert.deepEqual(report.suspects, []);
});

test('assertNoLeak rejects bad arguments', async () => {
  await assert.rejects(assertNoLeak(undefined as unknown as () => void), /needs a function/);
  await assert.rejects(assertNoLeak(() => {}, { iterations: 3 }), /iterations must be an integer from 9/);
});
