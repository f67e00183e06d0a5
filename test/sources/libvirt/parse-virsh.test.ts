// Tests of the virsh text parsers: uuid lists and `domstate --reason` for every state.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { parseDomState, parseUuidList } from '../../../src/sources/libvirt/parse-virsh.js';
import { DOMAIN_STATES } from '../../../src/snapshot/libvirt.js';

test('parseUuidList keeps uuids (lower-cased) and reports every other line', () => {
  const text = [
    '6695eb01-f6a4-8304-79aa-97f2502e193f',
    '',
    '  DE554306-1C01-4723-A48E-263C196000A6  ',
    'error: failed to connect to the hypervisor',
    'de554306-1c01-4723-a48e-263c196000a',
    'de554306-1c01-4723-a48e-263c196000a6 extra',
    'virsh > list --all --uuid',
    '\r',
  ].join('\n');
  assert.deepEqual(parseUuidList(text), {
    uuids: ['6695eb01-f6a4-8304-79aa-97f2502e193f', 'de554306-1c01-4723-a48e-263c196000a6'],
    garbage: [
      'error: failed to connect to the hypervisor',
      'de554306-1c01-4723-a48e-263c196000a',
      'de554306-1c01-4723-a48e-263c196000a6 extra',
      'virsh > list --all --uuid',
    ],
  });
});

test('parseUuidList of an empty list', () => {
  assert.deepEqual(parseUuidList(''), { uuids: [], garbage: [] });
  assert.deepEqual(parseUuidList('\n\n'), { uuids: [], garbage: [] });
});

test('parseDomState: every state virsh prints, with its reason', () => {
  const cases: Array<[string, string, string]> = [
    ['no state', 'nostate', 'unknown'],
    ['no state (unknown)', 'nostate', 'unknown'],
    ['running (booted)', 'running', 'booted'],
    ['running (unknown)\n', 'running', 'unknown'],
    ['running (migrated)', 'running', 'migrated'],
    ['idle', 'blocked', 'unknown'],
    ['idle (unknown)', 'blocked', 'unknown'],
    ['paused (user)', 'paused', 'user'],
    ['paused (I/O error)', 'paused', 'I/O error'],
    ['paused (post-copy failed)', 'paused', 'post-copy failed'],
    ['in shutdown (user)', 'shutdown', 'user'],
    ['shut off (destroyed)', 'shutoff', 'destroyed'],
    ['shut off (shutdown)', 'shutoff', 'shutdown'],
    ['shut off (from snapshot)', 'shutoff', 'from snapshot'],
    ['shut off (failed)', 'shutoff', 'failed'],
    ['shut off (unknown)', 'shutoff', 'unknown'],
    ['shut off', 'shutoff', 'unknown'],
    ['crashed (panicked)', 'crashed', 'panicked'],
    ['pmsuspended (unknown)', 'pmsuspended', 'unknown'],
    ['  Shut Off (Destroyed)  ', 'shutoff', 'Destroyed'],
  ];
  for (const [text, state, reason] of cases) {
    assert.deepEqual(parseDomState(text), { state, reason }, JSON.stringify(text));
  }
  // Every libvirt state is reachable from some virsh wording.
  assert.deepEqual([...new Set(cases.map((c) => c[1]))].sort(), [...DOMAIN_STATES].sort());
});

test('parseDomState refuses what is not a state', () => {
  for (const text of [
    '',
    'shutoff',
    'running (booted) extra',
    'error: failed to get domain',
    'exploded (badly)',
    '(user)',
    'virsh > domstate --reason x',
  ]) {
    assert.equal(parseDomState(text), null, JSON.stringify(text));
  }
});
