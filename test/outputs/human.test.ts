// Units a person reads: ages, dates, bytes, what a finding holds, evidence labels and values.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { humanAge, humanBytes, humanDate, humanKey, humanReclaimable } from '../../src/outputs/human.js';
import { evidenceEntries } from '../../src/outputs/evidence-view.js';

test('ages in at most two units', () => {
  const cases: Array<[number, string]> = [
    [0, '0 s'],
    [45, '45 s'],
    [90, '1 min 30 s'],
    [720, '12 min'],
    [3 * 3600 + 12 * 60 + 59, '3 h 12 min'],
    [7200, '2 h'],
    [86_400 * 4 + 7200, '4 d 2 h'],
    [-5, '0 s'],
    [59.9, '59 s'],
  ];
  for (const [s, text] of cases) assert.equal(humanAge(s), text, String(s));
});

test('dates in UTC to the minute', () => {
  assert.equal(humanDate(Date.UTC(2026, 11, 1, 16, 4, 59) / 1000), '2026-12-01 16:04 UTC');
  assert.equal(humanDate(Number.NaN), 'NaN');
});

test('bytes in binary units, and what a finding holds', () => {
  const cases: Array<[number, string]> = [
    [0, '0 B'],
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [48 * 2 ** 20, '48 MiB'],
    [41_603_072, '39.7 MiB'],
    [2 ** 31, '2 GiB'],
    [150 * 2 ** 30, '150 GiB'],
    [3 * 2 ** 40, '3 TiB'],
  ];
  for (const [b, text] of cases) assert.equal(humanBytes(b), text, String(b));
  assert.equal(humanReclaimable({ vcpus: 1, memoryBytes: 48 * 2 ** 20 }), '1 vCPU, 48 MiB');
  assert.equal(humanReclaimable({ vcpus: 4, diskBytes: 20 * 2 ** 30, devices: 1 }), '4 vCPUs, 20 GiB disk, 1 device');
  assert.equal(humanReclaimable({}), '');
  assert.equal(humanReclaimable({ vcpus: 0, memoryBytes: 0 }), '');
});

test('evidence keys and values read as words, dates and units', () => {
  assert.deepEqual(['startedAt', 'rssBytes', 'vmPathName', 'guestUuid', 'deletionTimestamp', 'cmdline'].map(humanKey), [
    'started at',
    'RSS',
    'VM path name',
    'guest UUID',
    'deletion timestamp',
    'command line',
  ]);
  const at = Date.UTC(2026, 11, 1, 16, 4) / 1000;
  const entries = evidenceEntries({
    startedAt: at,
    hostBootTime: at,
    mtimeSeconds: at,
    ageSeconds: 125,
    sizeBytes: 2 ** 30,
    pid: 7,
    definedDomain: null,
    cmdline: 'qemu -m 64',
    finalizers: [],
    paths: ['/a', '/b'],
    inMaintenanceMode: false,
    since: '2026-12-01T16:04:00Z',
  });
  const shown = Object.fromEntries(entries.map((e) => [e.key, e.value]));
  assert.deepEqual(shown.startedAt, { type: 'text', text: '2026-12-01 16:04 UTC', code: false });
  assert.deepEqual(shown.hostBootTime, { type: 'text', text: '2026-12-01 16:04 UTC', code: false });
  assert.deepEqual(shown.mtimeSeconds, { type: 'text', text: '2026-12-01 16:04 UTC', code: false });
  assert.deepEqual(shown.ageSeconds, { type: 'text', text: '2 min 5 s', code: false });
  assert.deepEqual(shown.sizeBytes, { type: 'text', text: '1 GiB (1073741824 bytes)', code: false });
  assert.deepEqual(shown.pid, { type: 'text', text: '7', code: false });
  assert.deepEqual(shown.definedDomain, { type: 'text', text: 'unknown', code: false, missing: true });
  assert.deepEqual(shown.cmdline, { type: 'text', text: 'qemu -m 64', code: true });
  assert.deepEqual(shown.finalizers, { type: 'text', text: 'none', code: false, missing: true });
  assert.deepEqual(shown.paths, {
    type: 'list',
    items: [
      { type: 'text', text: '/a', code: true },
      { type: 'text', text: '/b', code: true },
    ],
  });
  assert.deepEqual(shown.inMaintenanceMode, { type: 'text', text: 'no', code: false });
  assert.equal(entries.find((e) => e.key === 'since')?.label, 'since');
});
