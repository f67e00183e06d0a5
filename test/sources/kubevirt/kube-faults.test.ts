// The kube source under API server faults (the repo's list/watch test server): a 403 on one
// optional CRD, 500s on a required resource, a watch cut in the middle of a line, a slow server,
// and the jittered retry delay. Each ends in recovery with nothing lost and nothing counted twice.
import { afterEach, describe, it, test } from 'vitest';
import assert from 'node:assert/strict';
import { KubeApiServer } from '../../support/kube-api-server.js';
import { testKubeReader } from '../../support/kube-reader.js';
import * as k from '../../support/kubevirt-objects.js';
import { waitFor } from '../../support/wait.js';
import type { KubeReader } from '../../../src/sources/kubevirt/kube-reader.js';
import { retryDelayMs } from '../../../src/sources/kubevirt/resource-cache.js';
import type { KubeSection } from '../../../src/snapshot/kube.js';

type Obj = Parameters<KubeApiServer['create']>[1];
const as = (o: unknown) => o as Obj;
const BACKUPS = 'virtualmachinebackups.harvesterhci.io';

const reader = (api: KubeApiServer): KubeReader => testKubeReader(api);
const read = (r: KubeReader, ms = 5000) => r.read(AbortSignal.timeout(ms));
const resource = (s: KubeSection, name: string) => s.resources.find((x) => x.resource === name);
/** Reads until a collection succeeds and shows `done` (the reader retries with backoff). */
const recovered = (r: KubeReader, done: (s: KubeSection) => boolean) =>
  waitFor(
    'recovery',
    async () => {
      try {
        return done(await read(r));
      } catch {
        return false;
      }
    },
    15_000,
  );

describe('kube source under API faults', () => {
  let api: KubeApiServer;
  let r: KubeReader | null = null;
  afterEach(async () => {
    await r?.close();
    r = null;
    await api.stop();
  });

  it('a 403 on one optional CRD marks only that resource unavailable; the rest reports; it recovers', async () => {
    api = new KubeApiServer();
    await api.start();
    api.create('vms', as(k.vm('default', 'vm1', 'Running')));
    api.create('vmbackups', as(k.vmBackup('default', 'vm1-backup', 'vm1')));
    api.faults.set('vmbackups', 403);
    r = reader(api);
    const s = await read(r);
    assert.deepEqual(
      s.vms.map((v) => v.name),
      ['vm1'],
    );
    const backups = resource(s, BACKUPS);
    assert.equal(backups?.available, false);
    assert.match(backups?.error ?? '', /^HTTP 403: virtualmachinebackups is forbidden/);
    assert.equal(resource(s, 'backups.longhorn.io')?.available, true);
    assert.equal(resource(s, 'virtualmachines.kubevirt.io')?.available, true);
    assert.deepEqual(
      s.problems.filter((p) => p.startsWith(BACKUPS)),
      [`${BACKUPS}: ${backups?.error}; its objects are not reported`],
    );
    api.faults.delete('vmbackups');
    const back = await waitFor(
      'backups readable again',
      async () => {
        const x = await read(r as KubeReader);
        return resource(x, BACKUPS)?.available && x.backups.length === 1 ? x : null;
      },
      15_000,
    );
    assert.equal(resource(back, BACKUPS)?.error, null);
    assert.deepEqual(
      back.problems.filter((p) => p.startsWith(BACKUPS)),
      [],
    );
  });

  it('500s on a required resource take the collector down with the reason; backoff; recovery', async () => {
    api = new KubeApiServer();
    await api.start();
    api.create('vms', as(k.vm('default', 'vm1', 'Running')));
    api.faults.set('vms', 500);
    r = reader(api);
    await assert.rejects(
      read(r),
      /watch caches not current \(virtualmachines\.kubevirt\.io: HTTP 500: Internal error occurred/,
    );
    const during = api.listRequests('vms');
    api.faults.delete('vms');
    assert.ok(await recovered(r, (s) => s.vms.length === 1));
    // Backoff: a handful of lists while failing, not one per poll.
    assert.ok(during <= 6, `${during} lists while the server answered 500`);
  });

  it('a list answered with a cut-off body takes the collector down with the reason; it recovers', async () => {
    api = new KubeApiServer();
    await api.start();
    api.create('pods', as(k.launcherPod('default', 'virt-launcher-db-x', 'uid-db', 'db')));
    api.garbledLists.add('pods');
    r = reader(api);
    await assert.rejects(read(r), /watch caches not current \(pods: .*JSON/);
    api.garbledLists.delete('pods');
    assert.ok(await recovered(r, (s) => s.pods.length === 1));
  });

  it('a watch cut in the middle of a line loses nothing and counts nothing twice', async () => {
    api = new KubeApiServer();
    await api.start();
    api.create('vmis', as(k.vmi('default', 'db')));
    for (let i = 0; i < 5; i++) api.create('vms', as(k.vm('default', `vm${i}`, 'Running')));
    r = reader(api);
    await read(r);
    const toggle = (frozen: boolean) =>
      api.modify('vmis', 'default', 'db', (o) => {
        const st = o.status as Record<string, unknown>;
        if (frozen) st.fsFreezeStatus = 'frozen';
        else delete st.fsFreezeStatus;
      });
    const transitions = (n: number) =>
      waitFor(`${n} transitions`, async () => {
        const s = await read(r as KubeReader);
        return s.vmis.find((v) => v.name === 'db')?.freezeTransitionsTotal === n ? s : null;
      });
    toggle(true);
    await transitions(1);
    for (let round = 2; round <= 4; round++) {
      await waitFor('watches open', () => api.openWatches() >= 4);
      assert.ok(api.cutWatchesMidLine() >= 4);
      toggle(round % 2 === 0 ? false : true);
      api.modify('vms', 'default', 'vm0', (o) => {
        o.metadata.labels ??= {};
        (o.metadata.labels as Record<string, string>).round = String(round);
      });
      await transitions(round);
    }
    await new Promise((res) => setTimeout(res, 200));
    const s = await read(r);
    assert.equal(s.vmis.find((v) => v.name === 'db')?.freezeTransitionsTotal, 4);
    assert.equal(s.vms.length, 5);
    assert.equal(resource(s, 'virtualmachines.kubevirt.io')?.error, null);
  });

  it('a slow server: the first collection waits for the lists or times out; a later one succeeds', async () => {
    api = new KubeApiServer();
    await api.start();
    api.create('vms', as(k.vm('default', 'vm1', 'Running')));
    api.delayMs = 700;
    r = reader(api);
    await assert.rejects(read(r, 200), (e: unknown) => e instanceof Error && e.name === 'TimeoutError');
    const s = await read(r, 10_000);
    assert.equal(s.vms.length, 1);
    // Once listed, a collection never waits for the slow server.
    api.delayMs = 60_000;
    assert.equal((await read(r, 200)).vms.length, 1);
  });
});

test('retry delay: immediate once, then exponential to 8 s, jittered between half and all of it', () => {
  assert.equal(
    retryDelayMs(1, () => 0.7),
    0,
  );
  assert.equal(
    retryDelayMs(2, () => 0),
    250,
  );
  assert.equal(
    retryDelayMs(2, () => 1),
    500,
  );
  assert.equal(
    retryDelayMs(3, () => 0.5),
    750,
  );
  assert.equal(
    retryDelayMs(20, () => 0),
    4000,
  );
  assert.equal(
    retryDelayMs(20, () => 1),
    8000,
  );
});
