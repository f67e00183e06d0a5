// An object's metadata is read once as it enters a watch cache (the cache entry and the kind's parse share it), and
// read anew by any later parse of the same object, changed or not.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import { cacheEntry } from '../../../src/sources/kubevirt/cache-entry.js';
import { parseMeta, withMeta } from '../../../src/sources/kubevirt/parse-objects.js';
import { WATCHED, type ResourceKind } from '../../../src/sources/kubevirt/resources.js';
import * as k from '../../support/kubevirt-objects.js';

const spec = (kind: ResourceKind) => WATCHED.find((w) => w.kind === kind) ?? assert.fail(kind);

/** The object with its metadata's `finalizers` counted as read (only the metadata's parse reads it). */
function counted(o: KubernetesObject): { o: KubernetesObject; reads: () => number } {
  let reads = 0;
  const metadata = new Proxy(o.metadata as object, {
    get(target, key, receiver) {
      if (key === 'finalizers') reads++;
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { o: { ...o, metadata } as KubernetesObject, reads: () => reads };
}

test('a VM and a VMI entering the cache have their metadata read once, and their records are whole', () => {
  for (const [kind, raw] of [
    ['vm', k.vm('default', 'db', 'Running', { deletionTimestamp: 1_800_000_000, finalizers: ['kubevirt.io/x'] })],
    ['vmi', k.vmi('default', 'db', { phase: 'Running', node: 'node-1' })],
  ] as const) {
    const { o, reads } = counted(raw as unknown as KubernetesObject);
    const entry = cacheEntry(spec(kind), o);
    assert.equal(entry.problem, null, kind);
    assert.equal(reads(), 1, `${kind}: metadata read ${reads()} times`);
    assert.equal(entry.metadata.name, 'db', kind);
    assert.equal(entry.metadata.deletionTimestamp, kind === 'vm' ? 1_800_000_000 : null, kind);
    assert.notEqual(entry.base, undefined, kind);
  }
});

test('outside the cache entry every parse reads the object as it is now', () => {
  const o = k.vm('default', 'db', 'Running') as unknown as KubernetesObject;
  assert.equal(parseMeta(o).name, 'db');
  (o.metadata as { name: string }).name = 'db-renamed';
  assert.equal(parseMeta(o).name, 'db-renamed');
  const known = parseMeta(o);
  const other = k.vm('default', 'web', 'Running') as unknown as KubernetesObject;
  withMeta(o, known, () => {
    assert.equal(parseMeta(o), known, 'the object being entered: the metadata already read');
    assert.equal(parseMeta(other).name, 'web', 'any other object: read');
  });
  (o.metadata as { name: string }).name = 'db-again';
  assert.equal(parseMeta(o).name, 'db-again', 'after it: read anew');
  assert.throws(() => withMeta(o, known, () => assert.fail('boom')), /boom/);
  assert.equal(parseMeta(o).name, 'db-again', 'after a throw too');
});
