// Which disk files are stat-ed in a collection: all at first, then those of active domains, of
// domains whose XML was just read, unreadable ones and new ones each time, the rest within the
// rolling-refresh bound.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { FileStatCache } from '../../../src/sources/libvirt/file-stat-cache.js';
import { HungCallGuard } from '../../../src/util/hung-call-guard.js';
import type { Domain, FileStat } from '../../../src/snapshot/libvirt.js';

const stat = (p: string, error: string | null = null): FileStat => ({
  path: p,
  exists: true,
  inode: 1,
  devMajor: 0,
  devMinor: 0,
  sizeBytes: 1,
  allocatedBytes: 1,
  mtimeSeconds: 1,
  error,
});
const domain = (uuid: string, state: Domain['state'], files: string[]): Domain => ({
  name: uuid,
  uuid,
  id: null,
  state,
  reason: 'unknown',
  autostart: false,
  persistent: true,
  vcpus: 1,
  memoryBytes: 1,
  hugepages: false,
  disks: [
    {
      target: 'vda',
      device: 'disk',
      type: 'file',
      source: files[0] ?? null,
      readonly: false,
      shareable: false,
      backingChain: files.slice(1),
    },
  ],
  hostdevs: [],
  interfaces: [],
  pid: null,
});

test('active and fresh domains every time, the rest within the bound, new and unreadable ones at once', async () => {
  const asked: string[] = [];
  const broken = new Set(['/img/bad']);
  const cache = new FileStatCache(
    3,
    async (p) => {
      asked.push(p);
      return stat(p, broken.has(p) ? 'EIO' : null);
    },
    (p, why) => stat(p, why),
  );
  const guard = new HungCallGuard<FileStat>(4, 2000);
  const signal = AbortSignal.timeout(5000);
  let doms = [
    domain('run', 'running', ['/img/run', '/img/base']),
    domain('off1', 'shutoff', ['/img/off1', '/img/base']),
    domain('off2', 'shutoff', ['/img/off2']),
    domain('off3', 'shutoff', ['/img/off3']),
    domain('bad', 'shutoff', ['/img/bad']),
  ];
  const first = await cache.read(doms, new Set(), guard, signal);
  assert.deepEqual(
    first.map((f) => f.path),
    ['/img/run', '/img/base', '/img/off1', '/img/off2', '/img/off3', '/img/bad'],
  );
  assert.equal(asked.length, 6);

  asked.length = 0;
  await cache.read(doms, new Set(['off3']), guard, signal);
  // run's files (active), off3's (XML just read), bad (unreadable last time), and off1, whose staggered
  // first refresh is due; off2 is not.
  assert.deepEqual([...asked].sort(), ['/img/bad', '/img/base', '/img/off1', '/img/off3', '/img/run']);

  const seen = new Set<string>();
  for (let i = 0; i < 3; i++) {
    asked.length = 0;
    await cache.read(doms, new Set(), guard, signal);
    for (const p of asked) seen.add(p);
  }
  assert.deepEqual(
    [...seen].sort(),
    ['/img/bad', '/img/base', '/img/off1', '/img/off2', '/img/off3', '/img/run'],
    'all within 3 collections',
  );

  doms = [...doms, domain('new', 'shutoff', ['/img/new'])];
  asked.length = 0;
  const withNew = await cache.read(doms, new Set(), guard, signal);
  assert.ok(asked.includes('/img/new'));
  assert.equal(withNew.find((f) => f.path === '/img/bad')?.error, 'EIO');
});
