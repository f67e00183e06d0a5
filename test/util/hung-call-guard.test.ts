import { test } from 'vitest';
import assert from 'node:assert/strict';
import { HungCallGuard } from '../../src/util/hung-call-guard.js';

const never = () => new Promise<string>(() => {});

test('a call that returns in time gives its result', async () => {
  const guard = new HungCallGuard<string>(2, 1000);
  assert.equal(
    await guard.run(
      'a',
      async () => 'stat of a',
      (why) => why,
    ),
    'stat of a',
  );
  assert.equal(guard.pendingCount, 0);
});

test('a hung call is answered at its deadline, and not issued again while it is pending', async () => {
  const guard = new HungCallGuard<string>(2, 30);
  let calls = 0;
  const hung = () => {
    calls++;
    return never();
  };
  assert.match(await guard.run('nfs/a', hung, (why) => why), /has not returned for \d+s \(hung storage\?\)/);
  assert.match(await guard.run('nfs/a', hung, (why) => why), /has not returned/);
  assert.equal(calls, 1);
  assert.equal(guard.pendingCount, 1);
});

test('many calls in flight at once are not "stuck" until they pass their deadline', async () => {
  const guard = new HungCallGuard<string>(1, 1000);
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const all = ['a', 'b', 'c', 'd'].map((k) =>
    guard.run(
      k,
      async () => {
        await gate;
        return k;
      },
      (w) => w,
    ),
  );
  release();
  assert.deepEqual(await Promise.all(all), ['a', 'b', 'c', 'd']);
});

test('once maxStuck calls are stuck, new keys are not tried at all (their threads stay free)', async () => {
  // "Stuck" is judged on the guard's clock: injected, so a timer firing a millisecond early under load
  // cannot make a call look younger than its deadline.
  let now = 0;
  const guard = new HungCallGuard<string>(2, 20, () => now);
  await guard.run('a', never, (w) => w);
  await guard.run('b', never, (w) => w);
  now += 20;
  let tried = false;
  const answer = await guard.run(
    'c',
    async () => {
      tried = true;
      return 'c';
    },
    (w) => w,
  );
  assert.equal(tried, false);
  assert.equal(answer, 'not tried: 2 earlier calls have not returned (hung storage?)');
});

test('a call that returns late frees its slot for the next collection', async () => {
  const guard = new HungCallGuard<string>(1, 20);
  let release: (v: string) => void = () => {};
  const slow = () =>
    new Promise<string>((r) => {
      release = r;
    });
  assert.match(await guard.run('a', slow, (w) => w), /has not returned/);
  release('late');
  await new Promise((r) => setImmediate(r));
  assert.equal(guard.pendingCount, 0);
  assert.equal(
    await guard.run(
      'b',
      async () => 'b',
      (w) => w,
    ),
    'b',
  );
});
