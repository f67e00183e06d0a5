// The reader keeps each kind's part of the section from the watch events, object by object, instead of walking
// every cache at each collection. After a long run of adds, updates, deletions, objects that cannot be parsed,
// and a relist that replaced objects by new ones of the same name without a delete event, a reader that followed
// all of it, collecting between the changes, holds what a reader started afterwards lists: the same entries (in
// any order; the order of a section list is free) and the same problems.
import { afterEach, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { KubeApiServer, type ResourceName } from '../../support/kube-api-server.js';
import { testKubeReader } from '../../support/kube-reader.js';
import * as k from '../../support/kubevirt-objects.js';
import { waitFor } from '../../support/wait.js';
import type { KubeReader } from '../../../src/sources/kubevirt/kube-reader.js';
import { cacheEntry } from '../../../src/sources/kubevirt/cache-entry.js';
import { KindShare } from '../../../src/sources/kubevirt/kind-share.js';
import { KINDS, type KindState } from '../../../src/sources/kubevirt/kinds.js';
import { WATCHED } from '../../../src/sources/kubevirt/resources.js';
import type { KubeSection } from '../../../src/snapshot/kube.js';

type Obj = Parameters<KubeApiServer['create']>[1];
const as = (o: unknown) => o as Obj;
const read = (r: KubeReader) => r.read(AbortSignal.timeout(5000));

/** A small seeded generator (mulberry32): the same run every time, and a failure that can be replayed. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The section as a set: each list's entries as sorted JSON, the problems sorted, each resource's object count.
 * A VM's `statusSince` is left out: it is when this reader's watch first saw the status, which a reader started
 * later saw later.
 */
function contents(s: KubeSection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(s)) {
    if (field === 'resources') out[field] = s.resources.map((x) => `${x.resource} ${x.objects}`).sort();
    else if (Array.isArray(value))
      out[field] = value
        .map((item: unknown) => {
          if (typeof item !== 'object' || item === null) return JSON.stringify(item);
          const { statusSince: _since, ...rest } = item as Record<string, unknown>;
          return JSON.stringify(rest);
        })
        .sort();
  }
  return out;
}

describe('a kind share', () => {
  const pvcSpec = WATCHED.find((w) => w.kind === 'pvc') as (typeof WATCHED)[number];
  const pvc = (name: string, uid: string, extra: { keep?: boolean } = {}) => {
    const o = k.pvc('default', name) as { metadata: Record<string, unknown> };
    o.metadata.uid = uid;
    if (extra.keep) o.metadata.annotations = { 'vmzombie.io/keep': 'audit' };
    return cacheEntry(pvcSpec, as(o));
  };
  const names = (list: unknown) => (list as Array<{ name: string }>).map((p) => p.name);

  it("an unchanged kind is the same share; a removed object's row is the next new object's", () => {
    const share = new KindShare(pvcSpec, KINDS.pvc, () => {});
    const state = {} as KindState;
    for (const name of ['a', 'b', 'c']) share.upsert(pvc(name, `u-${name}`));
    const first = share.collect(state, 0);
    assert.deepEqual(names(first.lists.pvcs), ['a', 'b', 'c']);
    assert.equal(share.collect(state, 1), first, 'no event: the same share');
    share.remove(as(k.pvc('default', 'b')));
    share.upsert(pvc('d', 'u-d'));
    // The row b left is taken: the lists do not grow with objects that came and went.
    assert.deepEqual(names(share.collect(state, 2).lists.pvcs), ['a', 'd', 'c']);
    share.upsert(pvc('a', 'u-a', { keep: true }));
    const kept = share.collect(state, 3);
    assert.deepEqual(names(kept.lists.keepMarkers), ['a']);
    share.upsert(pvc('a', 'u-a'));
    const unkept = share.collect(state, 4);
    assert.deepEqual(unkept.lists.keepMarkers, [], 'a list the object left no longer has its entry');
    assert.deepEqual(names(unkept.lists.pvcs), ['a', 'd', 'c']);
  });

  it('an object with two entries in one list has both there, and one when it has one', () => {
    const share = new KindShare(pvcSpec, KINDS.pvc, () => {});
    const state = {} as KindState;
    const withPlaced = (entry: ReturnType<typeof pvc>, items: string[]) => {
      entry.placed = items.map((name) => ({ field: 'pvcs', item: { name } }) as (typeof entry.placed)[number]);
      return entry;
    };
    share.upsert(withPlaced(pvc('a', 'u-a'), ['a']));
    share.upsert(withPlaced(pvc('b', 'u-b'), ['b1', 'b2']));
    assert.deepEqual(names(share.collect(state, 0).lists.pvcs), ['a', 'b1', 'b2']);
    share.upsert(withPlaced(pvc('b', 'u-b'), ['b3']));
    assert.deepEqual(names(share.collect(state, 1).lists.pvcs), ['a', 'b3']);
  });
});

describe('kind shares in the reader', () => {
  let api: KubeApiServer;
  const readers: KubeReader[] = [];
  afterEach(async () => {
    for (const r of readers.splice(0)) await r.close();
    await api.stop();
  });

  it('after adds, updates, deletions, unparseable objects and a replacing relist: a new reader lists it', async () => {
    api = new KubeApiServer();
    await api.start();
    const ns = (i: number) => (i % 3 === 0 ? 'default' : `team-${i % 3}`);
    const created = new Set<number>();
    const createSet = (i: number) => {
      const name = `vm-${i}`;
      api.create('vms', as(k.vm(ns(i), name, 'Running')));
      const vmi = api.create('vmis', as(k.vmi(ns(i), name)));
      api.create('pods', as(k.launcherPod(ns(i), `virt-launcher-${name}-x`, vmi.metadata.uid as string, name)));
      api.create('pvcs', as(k.pvc(ns(i), `${name}-disk`)));
      api.create('datavolumes', as(k.dataVolume(ns(i), `${name}-dv`, 'Succeeded')));
      api.create('pods', as(k.podWithClaim(ns(i), `${name}-user`, `${name}-disk`)));
      api.create('vmsnapshots', as(k.vmSnapshot(ns(i), `${name}-snap`, name, 'Succeeded', 1_700_000_000)));
      created.add(i);
    };
    for (let i = 0; i < 24; i++) createSet(i);
    const r = testKubeReader(api);
    readers.push(r);
    await read(r);

    const random = seeded(31);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)] as T;
    const live = () => [...created];
    const has = (resource: ResourceName, i: number, name: string) => api.get(resource, ns(i), name) !== undefined;
    const ops: Array<() => void> = [
      () => {
        const i = pick(live());
        api.modify('vms', ns(i), `vm-${i}`, (o) => {
          (o.status as Record<string, unknown>).printableStatus = pick(['Running', 'Stopped', 'Paused']);
        });
      },
      () => {
        const i = pick(live());
        if (has('pvcs', i, `vm-${i}-disk`)) api.remove('pvcs', ns(i), `vm-${i}-disk`);
        else api.create('pvcs', as(k.pvc(ns(i), `vm-${i}-disk`)));
      },
      () => {
        const i = pick(live());
        if (!has('pvcs', i, `vm-${i}-disk`)) return;
        api.modify('pvcs', ns(i), `vm-${i}-disk`, (o) => {
          o.metadata.deletionTimestamp = k.iso(1_700_000_000);
          (o.metadata as Record<string, unknown>).finalizers = ['kubernetes.io/pvc-protection'];
        });
      },
      () => {
        const i = pick(live());
        api.modify('vms', ns(i), `vm-${i}`, (o) => {
          const annotations = ((o.metadata as Record<string, unknown>).annotations ??= {}) as Record<string, string>;
          if ('vmzombie.io/keep' in annotations) delete annotations['vmzombie.io/keep'];
          else annotations['vmzombie.io/keep'] = 'kept for the audit';
        });
      },
      () => {
        // An unreadable deletion timestamp: the object becomes a problem, and an object again when repaired.
        const i = pick(live());
        api.modify('vms', ns(i), `vm-${i}`, (o) => {
          if (o.metadata.deletionTimestamp === 'garbage') delete o.metadata.deletionTimestamp;
          else o.metadata.deletionTimestamp = 'garbage';
        });
      },
      () => {
        const i = pick(live());
        if (has('vmsnapshots', i, `vm-${i}-snap`)) api.remove('vmsnapshots', ns(i), `vm-${i}-snap`);
        if (has('pods', i, `vm-${i}-user`)) api.remove('pods', ns(i), `vm-${i}-user`);
      },
      () => {
        const i = pick(live());
        for (const [resource, name] of [
          ['vms', `vm-${i}`],
          ['vmis', `vm-${i}`],
          ['pods', `virt-launcher-vm-${i}-x`],
          ['pvcs', `vm-${i}-disk`],
          ['datavolumes', `vm-${i}-dv`],
          ['pods', `vm-${i}-user`],
          ['vmsnapshots', `vm-${i}-snap`],
        ] as Array<[ResourceName, string]>)
          if (has(resource, i, name)) api.remove(resource, ns(i), name);
        created.delete(i);
      },
      () => createSet(Math.max(...created, 0) + 1),
    ];
    for (let round = 0; round < 14; round++) {
      for (let n = 0; n < 12; n++) pick(ops)();
      if (round === 7) {
        // While the watches are down, objects are deleted and made again under the same names (new uids) and the
        // history is compacted: the resume gets 410 and the relist brings the new objects as updates of the old.
        await waitFor('watches open', () => api.openWatches() >= 4);
        api.dropWatches();
        for (const i of live().slice(0, 6)) {
          api.remove('vms', ns(i), `vm-${i}`);
          api.create('vms', as(k.vm(ns(i), `vm-${i}`, 'Stopped')));
          if (has('pvcs', i, `vm-${i}-disk`)) api.remove('pvcs', ns(i), `vm-${i}-disk`);
          api.create('pvcs', as(k.pvc(ns(i), `vm-${i}-disk`, { deletionTimestamp: 1_700_000_000, finalizers: ['x'] })));
        }
        api.compact();
      }
      await read(r);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }

    const fresh = testKubeReader(api);
    readers.push(fresh);
    const expected = contents(await read(fresh));
    assert.ok((expected.vms as unknown[]).length > 5 && (expected.problems as unknown[]).length > 0, 'a varied run');
    assert.ok((expected.deleting as unknown[]).length > 0 && (expected.keepMarkers as unknown[]).length > 0);
    // The watch may still be delivering the last changes: the followed reader is given until it has them.
    let got: Record<string, unknown> = {};
    try {
      await waitFor('the followed reader holds what a new reader lists', async () => {
        got = contents(await read(r));
        return JSON.stringify(got) === JSON.stringify(expected);
      });
    } catch {
      assert.deepEqual(got, expected);
    }
  });
});
