import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { FreezeTracker, OomTracker, StatusTracker } from '../../../src/sources/kubevirt/trackers.js';

describe('watch trackers', () => {
  it('counts freeze transitions once per resourceVersion, churn while frozen apart, window pruned', () => {
    const t = new FreezeTracker(60);
    t.observe('u', '1', null, 1000); // first sight: baseline
    t.observe('u', '2', 'frozen', 1001);
    t.observe('u', '2', 'frozen', 1001.5); // the same version again (relist, reconnect)
    t.observe('u', '3', 'frozen', 1002); // changed while frozen
    t.observe('u', '4', null, 1003);
    assert.deepEqual(t.view('u', 1010), {
      freezeTransitionsTotal: 2,
      freezeTransitionTimes: [1001, 1003],
      frozenUpdatesTotal: 1,
      frozenUpdateTimes: [1002],
    });
    assert.deepEqual(t.view('u', 1062), {
      freezeTransitionsTotal: 2,
      freezeTransitionTimes: [1003],
      frozenUpdatesTotal: 1,
      frozenUpdateTimes: [],
    });
    t.forget('u');
    assert.equal(t.view('u', 1062).freezeTransitionsTotal, 0);
  });

  it('names the VMIs whose history lost a time to age, once, in the order the times age', () => {
    const t = new FreezeTracker(60);
    for (const uid of ['a', 'b', 'c']) t.observe(uid, '1', null, 1000);
    t.observe('a', '2', 'frozen', 1001);
    t.observe('b', '2', 'frozen', 1005);
    t.observe('b', '3', 'frozen', 1006); // a frozen update: a time too
    t.observe('c', '2', 'frozen', 1003.5); // the clock went back half a second: still in order
    assert.deepEqual([...t.agedOut(1060)], []);
    assert.deepEqual([...t.agedOut(1061)], ['a']);
    assert.deepEqual([...t.agedOut(1061)], [], 'told once');
    assert.deepEqual([...t.agedOut(1064)], ['c']);
    assert.deepEqual([...t.agedOut(1100)], ['b']);
    assert.deepEqual(t.view('b', 1100), {
      freezeTransitionsTotal: 1,
      freezeTransitionTimes: [],
      frozenUpdatesTotal: 1,
      frozenUpdateTimes: [],
    });
  });

  it('counts an OOM kill when restartCount rises with a new OOMKilled termination', () => {
    const t = new OomTracker();
    const c = (restartCount: number, reason: string | null, key: string | null) => [
      { name: 'virt-handler', restartCount, lastTerminatedReason: reason, lastTerminatedKey: key },
    ];
    t.observe('p', '1', c(4, 'OOMKilled', 'a')); // history before we watched: baseline
    t.observe('p', '2', c(5, 'OOMKilled', 'b'));
    t.observe('p', '2', c(5, 'OOMKilled', 'b'));
    t.observe('p', '3', c(5, 'OOMKilled', 'b'));
    t.observe('p', '4', c(6, 'Error', 'c'));
    t.observe('p', '5', c(7, 'OOMKilled', 'd'));
    assert.equal(t.count('p'), 2);
  });

  it('remembers when a VM status was seen changing', () => {
    const t = new StatusTracker();
    assert.equal(t.observe('v', 'Running', 100), null);
    assert.equal(t.observe('v', 'Stopping', 110), 110);
    assert.equal(t.observe('v', 'Stopping', 120), 110);
  });
});
