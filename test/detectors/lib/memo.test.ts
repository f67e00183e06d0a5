import { test } from 'vitest';
import assert from 'node:assert/strict';
import { memoByIdentity } from '../../../src/views/memo.js';

test('memoByIdentity computes once per pair of objects and never mixes pairs', () => {
  let calls = 0;
  const sum = memoByIdentity((a: { n: number }, b: { n: number }) => {
    calls++;
    return a.n + b.n;
  });
  const one = { n: 1 };
  const two = { n: 2 };
  assert.equal(sum(one, two), 3);
  assert.equal(sum(one, two), 3);
  assert.equal(calls, 1);
  assert.equal(sum(two, one), 3);
  assert.equal(sum(one, { n: 5 }), 6);
  assert.equal(calls, 3);
});
