// The kube source against the test API server through @kubernetes/client-node: initial lists, the
// scrape reading caches only, CRDs that are not installed, dropped watches, 410 Gone and relists,
// the API server going away and coming back, and the counters the watch keeps.
import { afterEach, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { KubeApiServer, type ResourceName } from '../../support/kube-api-server.js';
import { testKubeReader } from '../../support/kube-reader.js';
import * as k from '../../support/kubevirt-objects.js';
import { waitFor } from '../../support/wait.js';
import { KubeReader } from '../../../src/sources/kubevirt/kube-reader.js';
import { LIST_PAGE_SIZE } from '../../../src/sources/kubevirt/list-pages.js';
import { loadKubeConfig } from '../../../src/sources/kubevirt/kubeconfig.js';
import { silentLogger } from '../../../src/util/log.js';
import type { KubeSection } from '../../../src/snapshot/kube.js';

type Obj = Parameters<KubeApiServer['create']>[1];
const as = (o: unknown) => o as Obj;

const reader = (api: KubeApiServer, recheckSeconds = 0.2): KubeReader => testKubeReader(api, recheckSeconds);
const read = (r: KubeReader) => r.read(AbortSignal.timeout(5000));
const vmiOf = (s: KubeSection, name: string) => s.vmis.find((v) => v.name === name);
/** Reads until the section shows what a watch event brought. */
async function waitForRead(r: KubeReader, done: (s: KubeSection) => boolean): Promise<KubeSection> {
  let last: KubeSection | null = null;
  await waitFor('the watch event in a collection', async () => done((last = await read(r))));
  return last as unknown as KubeSection;
}

describe('kube source', () => {
  let api: KubeApiServer;
  let r: KubeReader | null = null;
  afterEach(async () => {
    await r?.close();
    r = null;
    await api.stop();
  });

  it('keeps what did not change: the same lists and records until an event, then the changed ones anew', async () => {
    api = new KubeApiServer();
    await api.start();
    for (const n of ['a', 'b', 'c']) {
      api.create('vms', as(k.vm('default', n, 'Running')));
      api.create('vmis', as(k.vmi('default', n)));
      api.create('pvcs', as(k.pvc('default', `${n}-disk`)));
    }
    r = reader(api);
    const first = await read(r);
    const second = await read(r);
    assert.equal(second.pvcs, first.pvcs, 'no event: the same list');
    assert.equal(second.vmis, first.vmis);
    const vmis = (s: KubeSection) => Object.fromEntries(s.vmis.map((v) => [v.name, v]));
    api.modify('vmis', 'default', 'b', (o) => {
      (o.status as Record<string, unknown>).fsFreezeStatus = 'frozen';
    });
    const third = await waitForRead(r, (s) => vmiOf(s, 'b')?.fsFreezeStatus === 'frozen');
    assert.notEqual(third.vmis, second.vmis);
    assert.equal(vmis(third).a, vmis(second).a, 'an unchanged VMI keeps its record');
    assert.equal(vmis(third).c, vmis(second).c);
    assert.equal(vmiOf(third, 'b')?.freezeTransitionsTotal, 1);
    assert.equal(third.pvcs, second.pvcs, 'a kind without events keeps its list');
    api.remove('pvcs', 'default', 'a-disk');
    const fourth = await waitForRead(r, (s) => (s.pvcs ?? []).length === 2);
    assert.deepEqual((fourth.pvcs ?? []).map((p) => p.name).sort(), ['b-disk', 'c-disk']);
    assert.equal(fourth.resources.find((x) => x.resource === 'persistentvolumeclaims')?.objects, 2);
    api.modify('vms', 'default', 'c', (o) => {
      (o.status as Record<string, unknown>).printableStatus = 'Stopped';
    });
    const fifth = await waitForRead(r, (s) => s.vms.find((v) => v.name === 'c')?.printableStatus === 'Stopped');
    assert.equal(typeof fifth.vms.find((v) => v.name === 'c')?.statusSince, 'number', 'when the status changed');
    assert.equal(
      fifth.vms.find((v) => v.name === 'a'),
      fourth.vms.find((v) => v.name === 'a'),
    );
  });

  it('lists each resource once and serves every collection from the caches', async () => {
    api = new KubeApiServer();
    await api.start();
    api.create('vms', as(k.vm('default', 'vm1', 'Running')));
    const vmi = api.create('vmis', as(k.vmi('default', 'vm1')));
    api.create('pods', as(k.launcherPod('default', 'virt-launcher-vm1-x7k2p', vmi.metadata.uid as string, 'vm1')));
    api.create(
      'pods',
      as({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'nginx', namespace: 'default', labels: { app: 'nginx' } },
        spec: { containers: [] },
        status: {},
      }),
    );
    api.create('podmetrics', as(k.podMetrics('harvester-system', 'virt-handler-abcde', '1500Mi')));
    api.create('pods', as(k.handlerPod('harvester-system', 'virt-handler-abcde', 'node-1')));
    r = reader(api);
    const first = await read(r);
    assert.deepEqual(
      first.pods.map((p) => p.name).sort(),
      ['virt-handler-abcde', 'virt-launcher-vm1-x7k2p'],
      'pods without the kubevirt.io label are not watched',
    );
    await waitFor(
      'pod metrics',
      async () =>
        (await read(r as KubeReader)).pods.find((p) => p.component === 'virt-handler')?.memoryWorkingSetBytes ===
        1500 * 2 ** 20,
    );
    // A new working set reaches the virt-handler pod's record; the other pods keep theirs (they are not asked).
    const launcher = (s: KubeSection) => s.pods.find((p) => p.name === 'virt-launcher-vm1-x7k2p');
    const before = launcher(await read(r));
    api.update('podmetrics', as(k.podMetrics('harvester-system', 'virt-handler-abcde', '1600Mi')));
    const after = await waitForRead(
      r,
      (s) => s.pods.find((p) => p.component === 'virt-handler')?.memoryWorkingSetBytes === 1600 * 2 ** 20,
    );
    assert.ok(before !== undefined);
    assert.equal(launcher(after), before, 'a launcher pod keeps its record when the working sets change');
    // Pods are listed twice: the kubevirt.io pods in full, and every pod's claims (the parse of each pod).
    const lists = api.listRequests('vms') + api.listRequests('pods') + api.listRequests('vmis');
    assert.equal(lists, 4);
    for (let i = 0; i < 5; i++) await read(r);
    assert.equal(
      api.listRequests('vms') + api.listRequests('pods') + api.listRequests('vmis'),
      4,
      'a collection never lists',
    );
    api.modify('vms', 'default', 'vm1', (o) => {
      (o.status as { printableStatus: string }).printableStatus = 'Stopping';
    });
    await waitFor(
      'VM update through the watch',
      async () => (await read(r as KubeReader)).vms[0]?.printableStatus === 'Stopping',
    );
    assert.equal(api.listRequests('vms'), 1);
  });

  it('reports a CRD that is not installed as unavailable, quietly, and finds it once installed', async () => {
    api = new KubeApiServer(['pods', 'pvcs', 'vms', 'vmis']);
    await api.start();
    r = reader(api, 0.2);
    const s = await read(r);
    const backups = s.resources.find((x) => x.resource === 'virtualmachinebackups.harvesterhci.io');
    assert.deepEqual(backups, {
      resource: 'virtualmachinebackups.harvesterhci.io',
      available: false,
      synced: false,
      objects: 0,
      error: null,
    });
    assert.equal(s.resources.find((x) => x.resource === 'pods.metrics.k8s.io')?.available, false);
    api.install('vmbackups');
    api.create(
      'vmbackups',
      as(
        k.vmBackup('default', 'vm1-backup', 'vm1', {
          error: { time: 1795420000, message: 'backups.longhorn.io "backup-0c7e" not found' },
        }),
      ),
    );
    const later = await waitFor('backup after install', async () => {
      const x = await read(r as KubeReader);
      return x.backups.length === 1 ? x : null;
    });
    assert.equal(later.backups[0]?.error, 'backups.longhorn.io "backup-0c7e" not found');
    assert.equal(later.resources.find((x) => x.resource === 'virtualmachinebackups.harvesterhci.io')?.available, true);
  });

  for (const goneMode of ['event', 'http'] as const) {
    it(`loses nothing and counts nothing twice across dropped watches and a 410 (${goneMode})`, async () => {
      api = new KubeApiServer();
      api.goneMode = goneMode;
      await api.start();
      api.create('vmis', as(k.vmi('default', 'db')));
      api.create('pods', as(k.handlerPod('harvester-system', 'virt-handler-1', 'node-1')));
      for (let i = 0; i < 20; i++) api.create('pvcs', as(k.pvc('default', `disk-${i}`)));
      r = reader(api);
      await read(r);
      const toggle = (frozen: boolean) =>
        api.modify('vmis', 'default', 'db', (o) => {
          const st = o.status as Record<string, unknown>;
          if (frozen) st.fsFreezeStatus = 'frozen';
          else delete st.fsFreezeStatus;
        });
      const transitions = async (n: number) =>
        waitFor(`${n} transitions`, async () => vmiOf(await read(r as KubeReader), 'db')?.freezeTransitionsTotal === n);

      toggle(true);
      await transitions(1);
      // Dropped mid-stream: the client resumes from its resourceVersion; the change made meanwhile
      // arrives once.
      await waitFor('watches open', () => api.openWatches() >= 4);
      assert.ok(api.dropWatches() >= 4);
      toggle(false);
      await transitions(2);

      // History compacted while disconnected: the resume gets 410, the client relists.
      const listsBefore = api.listRequests('vmis');
      await waitFor('watches open again', () => api.openWatches() >= 4);
      api.compact();
      api.dropWatches();
      toggle(true);
      api.remove('pvcs', 'default', 'disk-3');
      api.create('pvcs', as(k.pvc('default', 'disk-new')));
      await waitFor('relist after 410', () => api.listRequests('vmis') > listsBefore);
      await transitions(3);
      const s = await read(r);
      assert.equal(s.resources.find((x) => x.resource === 'persistentvolumeclaims')?.objects, 20);
      assert.equal(s.resources.find((x) => x.resource === 'pods')?.objects, 1);
      // The relist delivered every object again; unchanged ones (same resourceVersion) count nothing.
      await new Promise((res) => setTimeout(res, 200));
      const again = vmiOf(await read(r), 'db');
      assert.equal(again?.freezeTransitionsTotal, 3);
      assert.equal(again?.frozenUpdatesTotal, 0);
      assert.equal(again?.freezeTransitionTimes.length, 3);
    });
  }

  it('counts three OOM kills of virt-handler once each, whatever else changes', async () => {
    api = new KubeApiServer();
    await api.start();
    api.create('pods', as(k.handlerPod('harvester-system', 'virt-handler-9xq2w', 'node-1')));
    r = reader(api);
    await read(r);
    const oom = async (n: number) => {
      api.update(
        'pods',
        as(
          k.handlerPod('harvester-system', 'virt-handler-9xq2w', 'node-1', n, {
            finishedAt: 1795420000 + n * 60,
            containerID: `containerd://${'a'.repeat(60)}${n}`,
          }),
        ),
      );
      await waitFor(`restart ${n}`, async () => (await read(r as KubeReader)).pods[0]?.restartsTotal === n);
    };
    await oom(1);
    // A status update that repeats the same last termination is not a new kill.
    api.modify('pods', 'harvester-system', 'virt-handler-9xq2w', (o) => {
      (o.metadata.labels as Record<string, string>).touched = 'yes';
    });
    await oom(2);
    await waitFor('watches open', () => api.openWatches() >= 4);
    api.compact();
    api.dropWatches();
    await oom(3);
    await new Promise((res) => setTimeout(res, 200));
    const pod = (await read(r)).pods[0];
    assert.equal(pod?.oomKillsTotal, 3);
    assert.equal(pod?.restartsTotal, 3);
  });

  it('fails the collection while the API server is down and recovers when it returns', async () => {
    api = new KubeApiServer();
    await api.start();
    api.create('vms', as(k.vm('default', 'vm1', 'Running')));
    r = reader(api);
    assert.equal((await read(r)).vms.length, 1);
    await api.stop();
    await waitFor(
      'collection to fail',
      async () => {
        try {
          await read(r as KubeReader);
          return false;
        } catch (e: unknown) {
          return /ECONNREFUSED|watch caches not current/.test(String(e));
        }
      },
      10000,
    );
    await api.start();
    api.create('vms', as(k.vm('default', 'vm2', 'Running')));
    const back = await waitFor(
      'recovery',
      async () => {
        const s = await read(r as KubeReader);
        return s.vms.length === 2 ? s : null;
      },
      15000,
    );
    assert.deepEqual(back.vms.map((v) => v.name).sort(), ['vm1', 'vm2']);
  });

  it('asks for bookmarks and resumes a dropped watch from the bookmarked resourceVersion', async () => {
    api = new KubeApiServer(['pods', 'vms', 'vmis', 'pvcs']);
    await api.start();
    api.create('vms', as(k.vm('default', 'vm1', 'Running')));
    r = reader(api);
    await read(r);
    // Changes elsewhere move the resourceVersion on; the VM watch learns it only from a bookmark.
    for (let i = 0; i < 5; i++) api.create('pvcs', as(k.pvc('default', `d${i}`)));
    await waitFor('watches open', () => api.openWatches() >= 4);
    const bookmarked = api.resourceVersion;
    // Written before the drop: the client reads the bookmark, then the end of the stream.
    await api.bookmark();
    api.dropWatches();
    await waitFor('VM watch resumed', () =>
      api.requests.some((q) => q.resource === 'vms' && q.watch && q.query.includes(`resourceVersion=${bookmarked}`)),
    );
    assert.ok(
      api.requests
        .filter((q) => q.resource === 'vms' && q.watch)
        .every((q) => q.query.includes('allowWatchBookmarks=true')),
    );
    assert.equal(api.listRequests('vms'), 1);
  });

  it("lists in pages and starts the watch from the first page's resourceVersion", async () => {
    api = new KubeApiServer(['pods', 'vms', 'vmis', 'pvcs']);
    await api.start();
    for (let i = 0; i < 1203; i++)
      api.create(
        'pvcs',
        as(
          k.pvc(
            `ns-${i % 7}`,
            `disk-${i}`,
            i === 1202 ? { deletionTimestamp: 1795420000, finalizers: ['kubernetes.io/pvc-protection'] } : undefined,
          ),
        ),
      );
    const listedAt = api.resourceVersion;
    r = reader(api);
    const s = await read(r);
    assert.equal(s.resources.find((x) => x.resource === 'persistentvolumeclaims')?.objects, 1203);
    assert.deepEqual(
      s.deleting.map((d) => d.name),
      ['disk-1202'],
    );
    const pages = api.requests.filter((q) => q.resource === 'pvcs' && !q.watch);
    assert.equal(pages.length, 3);
    assert.ok(pages.every((q) => q.query.includes(`limit=${LIST_PAGE_SIZE}`)));
    await waitFor('watch', () =>
      api.requests.some((q) => q.resource === 'pvcs' && q.watch && q.query.includes(`resourceVersion=${listedAt}`)),
    );
    // Lists and watches alike carry the kubeconfig's credentials.
    assert.deepEqual(
      new Set(api.requests.filter((q) => q.resource !== null).map((q) => q.authorization)),
      new Set(['Bearer test-token']),
    );
  });

  it('lists again from the start when a continue token expires mid-list', async () => {
    api = new KubeApiServer(['pods', 'vms', 'vmis', 'pvcs']);
    await api.start();
    for (let i = 0; i < 1100; i++) api.create('pvcs', as(k.pvc('default', `disk-${i}`)));
    let expired = false;
    api.onContinue = (resource) => {
      if (resource !== 'pvcs' || expired) return;
      expired = true;
      api.compact();
    };
    r = reader(api);
    const s = await read(r);
    assert.equal(s.resources.find((x) => x.resource === 'persistentvolumeclaims')?.objects, 1100);
    // First page, the expired second page, then a whole list of three pages.
    assert.equal(api.listRequests('pvcs'), 5);
  });

  it('freeze times age out of a VMI without a watch event of it; the other VMIs keep their records', async () => {
    api = new KubeApiServer(['pods', 'vms', 'vmis', 'pvcs'] satisfies ResourceName[]);
    await api.start();
    api.create('vmis', as(k.vmi('default', 'db')));
    api.create('vmis', as(k.vmi('default', 'web')));
    let now = 1000;
    r = new KubeReader(
      {
        kubeconfig: loadKubeConfig(k.writeKubeconfig(api.url)),
        namespace: null,
        recheckSeconds: 60,
        metricsIntervalSeconds: 60,
        watchTimeoutSeconds: 60,
        freezeHistorySeconds: 300,
        clock: () => now,
      },
      silentLogger,
    );
    await read(r);
    api.modify('vmis', 'default', 'db', (o) => {
      (o.status as Record<string, unknown>).fsFreezeStatus = 'frozen';
    });
    const frozen = await waitForRead(r, (s) => vmiOf(s, 'db')?.freezeTransitionsTotal === 1);
    assert.deepEqual(vmiOf(frozen, 'db')?.freezeTransitionTimes, [1000]);
    now = 1299;
    const within = await read(r);
    assert.deepEqual(vmiOf(within, 'db')?.freezeTransitionTimes, [1000]);
    now = 1301;
    const aged = await read(r);
    assert.deepEqual(vmiOf(aged, 'db')?.freezeTransitionTimes, [], 'aged out with no event of its own');
    assert.equal(vmiOf(aged, 'db')?.freezeTransitionsTotal, 1);
    assert.equal(vmiOf(aged, 'web'), vmiOf(frozen, 'web'), 'an unchanged VMI places the same record');
  });

  it('watches one namespace with --kube.namespace', async () => {
    api = new KubeApiServer(['pods', 'vms', 'vmis', 'pvcs'] satisfies ResourceName[]);
    await api.start();
    api.create('vms', as(k.vm('team-a', 'a1', 'Running')));
    api.create('vms', as(k.vm('team-b', 'b1', 'Running')));
    r = new KubeReader(
      {
        kubeconfig: loadKubeConfig(k.writeKubeconfig(api.url)),
        namespace: 'team-a',
        recheckSeconds: 60,
        metricsIntervalSeconds: 60,
        watchTimeoutSeconds: 60,
        freezeHistorySeconds: 300,
      },
      silentLogger,
    );
    const s = await read(r);
    assert.deepEqual(
      s.vms.map((v) => `${v.namespace}/${v.name}`),
      ['team-a/a1'],
    );
    assert.equal(s.namespace, 'team-a');
  });
});
