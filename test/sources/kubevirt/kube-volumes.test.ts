// The one-layer-down resources through the real list/watch protocol and @kubernetes/client-node: volumes, every
// pod's claims (stored trimmed), migrations, snapshots; then the detectors on what the reader made of them.
import { afterEach, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { KubeApiServer, RESOURCES } from '../../support/kube-api-server.js';
import { testKubeReader } from '../../support/kube-reader.js';
import * as k from '../../support/kubevirt-objects.js';
import { ctx, kubeSnapshot } from '../../support/kube-snapshot.js';
import { waitFor } from '../../support/wait.js';
import { KubeReader } from '../../../src/sources/kubevirt/kube-reader.js';
import { loadKubeConfig } from '../../../src/sources/kubevirt/kubeconfig.js';
import { cacheEntry } from '../../../src/sources/kubevirt/cache-entry.js';
import { WATCHED, type ResourceKind } from '../../../src/sources/kubevirt/resources.js';
import { silentLogger } from '../../../src/util/log.js';
import { kubevirtOrphanVolume } from '../../../src/detectors/kubevirt-orphan-volume.js';
import { virtLauncherPodStale } from '../../../src/detectors/virt-launcher-pod-stale.js';
import { kubevirtMigrationStuck } from '../../../src/detectors/kubevirt-migration-stuck.js';
import { kubevirtVmiWithoutLauncherPod } from '../../../src/detectors/kubevirt-vmi-without-launcher-pod.js';
import { kubevirtSnapshotStuck } from '../../../src/detectors/kubevirt-snapshot-stuck.js';
import type { KubeSection } from '../../../src/snapshot/kube.js';
import type { KubernetesObject } from '@kubernetes/client-node';

type Obj = Parameters<KubeApiServer['create']>[1];
const as = (o: unknown) => o as Obj;
const GiB = 2 ** 30;
const spec = (kind: ResourceKind) => WATCHED.find((w) => w.kind === kind) ?? assert.fail(kind);
const subjects = (fs: Array<{ subject: string }>) => fs.map((f) => f.subject).sort();

describe('kube source, one layer down', () => {
  let api: KubeApiServer;
  let r: KubeReader | null = null;
  afterEach(async () => {
    await r?.close();
    r = null;
    await api.stop();
  });

  it('reads volumes, claims, migrations and snapshots, and the detectors find only the leftovers', async () => {
    api = new KubeApiServer();
    await api.start();
    const now = Date.now() / 1000;
    // A stopped VM's disks: a DataVolume template and a PVC, referenced by its spec only.
    api.create('vms', as(k.vmWithDisks('default', 'db', 'Stopped', 'db-disk-0', 'db-data')));
    const dbDv = api.create('datavolumes', as(k.dataVolume('default', 'db-disk-0', 'Succeeded')));
    api.create(
      'pvcs',
      as(
        k.vmDiskPvc('default', 'db-disk-0', {
          ownedByVm: 'db',
          owners: [{ kind: 'DataVolume', name: 'db-disk-0', uid: dbDv.metadata.uid as string }],
        }),
      ),
    );
    api.create('pvcs', as(k.vmDiskPvc('default', 'db-data', { ownedByVm: 'db' })));
    // The deleted VM web: its disk stays Bound, its owner reference and annotation name a VM that is gone.
    api.create(
      'pvcs',
      as(
        k.vmDiskPvc('default', 'web-disk-0', {
          ownedByVm: 'web',
          owners: [{ kind: 'VirtualMachine', name: 'web', uid: '5c0f2b8e-0000-4000-8000-000000000001' }],
          volumeName: 'pvc-5c0f2b8e',
        }),
      ),
    );
    api.create('pvs', as(k.pv('pvc-5c0f2b8e', '20Gi', { namespace: 'default', name: 'web-disk-0' })));
    // Still importing; mounted by an ordinary pod; hot-plugged into a running VMI.
    api.create('datavolumes', as(k.dataVolume('default', 'focal', 'ImportInProgress')));
    api.create('pvcs', as(k.vmDiskPvc('default', 'focal', { ownedByVm: 'gone-too' })));
    api.create('pvcs', as(k.vmDiskPvc('default', 'shared-data', { ownedByVm: 'gone-too' })));
    api.create('pods', as(k.podWithClaim('default', 'nginx-7d9c5', 'shared-data')));
    api.create('pvcs', as(k.vmDiskPvc('default', 'pvc-1f2e3d4c', { ownedByVm: 'gone-too' })));

    // VMI app migrated from node-1 to node-2; the old launcher pod still runs.
    const app = api.create(
      'vmis',
      as(
        k.migratedVmi('default', 'app', {
          activePods: {},
          sourcePod: 'virt-launcher-app-old',
          targetPod: 'virt-launcher-app-new',
          migrationUid: 'mig-uid-1',
          completed: true,
          hotplugClaim: 'pvc-1f2e3d4c',
        }),
      ),
    );
    const appUid = app.metadata.uid as string;
    const launcher = (name: string, node: string, extraLabels: Record<string, string> = {}) => {
      const p = k.launcherPod('default', name, appUid, 'app', { node });
      p.metadata.labels = { ...p.metadata.labels, ...extraLabels };
      (p.spec.containers[0] as { resources: unknown }).resources = { requests: { cpu: '100m', memory: '4400Mi' } };
      return api.create('pods', as(p));
    };
    launcher('virt-launcher-app-old', 'node-1');
    const fresh = launcher('virt-launcher-app-new', 'node-2', { 'kubevirt.io/migrationJobUID': 'mig-uid-1' });
    api.modify('vmis', 'default', 'app', (o) => {
      (o.status as { activePods: Record<string, string> }).activePods = { [fresh.metadata.uid as string]: 'node-2' };
    });
    // A migration of another VMI, Scheduling for two hours, its target pod recreated twice.
    api.create('migrations', as(k.migration('default', 'mig-stuck', 'db2', 'Scheduling', now - 7200)));
    // A VMI Pending with no launcher pod for an hour.
    const pending = k.vmi('default', 'hung', { phase: 'Pending' });
    (pending.metadata as Record<string, unknown>).creationTimestamp = k.iso(now - 3600);
    api.create('vmis', as(pending));
    api.create('vmsnapshots', as(k.vmSnapshot('default', 'snap-failed', 'db', 'Failed', now - 3600)));
    api.create('vmsnapshots', as(k.vmSnapshot('default', 'snap-ok', 'db', 'Succeeded', now - 3600)));
    // A VolumeSnapshotContent (cluster-scoped) held by its finalizer.
    api.create(
      'volumesnapshotcontents',
      as({
        metadata: {
          name: 'snapcontent-0d1e',
          deletionTimestamp: k.iso(now - 7200),
          finalizers: ['snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection'],
        },
        spec: { deletionPolicy: 'Delete', driver: 'driver.longhorn.io', source: { volumeHandle: 'pvc-x' } },
      }),
    );

    // A Longhorn orphan: replica data on node-2 no volume owns.
    api.create(
      'lhorphans',
      as({
        metadata: {
          name: 'orphan-5a1b2c3d',
          namespace: 'longhorn-system',
          creationTimestamp: k.iso(now - 7200),
          labels: { longhornnode: 'node-2', 'longhorn.io/orphan-type': 'replica-data' },
          finalizers: ['longhorn.io'],
        },
        spec: {
          nodeID: 'node-2',
          orphanType: 'replica-data',
          parameters: {
            DataName: 'pvc-0a1b-d1a2b3c4',
            DiskName: 'default-disk-1f2e',
            DiskPath: '/var/lib/longhorn/',
            DiskUUID: '9c8b7a6d-0000-4000-8000-00000000000a',
          },
        },
        status: { ownerID: 'node-2', conditions: [] },
      }),
    );

    r = testKubeReader(api);
    const read = () => (r as KubeReader).read(AbortSignal.timeout(5000));
    let section: KubeSection = await read();
    await waitFor('the VMI update through the watch', async () => {
      section = await read();
      return (section.vmis.find((v) => v.name === 'app')?.activePods ?? []).length === 1;
    });

    assert.deepEqual(section.vms.find((v) => v.name === 'db')?.claims, ['db-disk-0', 'db-data']);
    assert.deepEqual(section.vmis.find((v) => v.name === 'app')?.claims, ['pvc-1f2e3d4c']);
    assert.deepEqual(section.pvs, [{ name: 'pvc-5c0f2b8e', capacityBytes: 20 * GiB, claim: 'default/web-disk-0' }]);
    assert.deepEqual(
      (section.claimUsers ?? []).filter((u) => u.resource === 'pods').map((u) => [u.name, u.claims, u.active]),
      [['nginx-7d9c5', ['shared-data'], true]],
    );
    assert.ok(
      section.deleting.some((d) => d.resource === 'volumesnapshotcontents.snapshot.storage.k8s.io'),
      'a VolumeSnapshotContent held by its finalizer joins the stuck-deletion watch',
    );
    for (const res of ['pods:claims', 'virtualmachineinstancemigrations.kubevirt.io', 'backingimages.longhorn.io'])
      assert.equal(section.resources.find((x) => x.resource === res)?.available, true, res);

    assert.deepEqual(section.longhornOrphans, [
      {
        namespace: 'longhorn-system',
        name: 'orphan-5a1b2c3d',
        node: 'node-2',
        type: 'replica-data',
        dataName: 'pvc-0a1b-d1a2b3c4',
        diskName: 'default-disk-1f2e',
        diskPath: '/var/lib/longhorn/',
        createdAt: Math.floor(now - 7200),
        deletionTimestamp: null,
      },
    ]);
    const s = kubeSnapshot(section, now);
    const c = ctx(now);
    const volumes = kubevirtOrphanVolume.detect(s, c);
    assert.deepEqual(subjects(volumes), ['persistentvolumeclaims default/web-disk-0']);
    assert.deepEqual(volumes[0]?.reclaimable, { diskBytes: 20 * GiB });
    assert.deepEqual(volumes[0]?.evidence.ownerReferences, [{ kind: 'VirtualMachine', name: 'web', exists: false }]);
    assert.deepEqual(subjects(virtLauncherPodStale.detect(s, c)), ['pods default/virt-launcher-app-old']);
    assert.deepEqual(virtLauncherPodStale.detect(s, c)[0]?.reclaimable, { vcpus: 0.1, memoryBytes: 4400 * 2 ** 20 });
    assert.deepEqual(subjects(kubevirtMigrationStuck.detect(s, c)), [
      'virtualmachineinstancemigrations.kubevirt.io default/mig-stuck',
    ]);
    assert.deepEqual(subjects(kubevirtVmiWithoutLauncherPod.detect(s, c)), [
      'virtualmachineinstances.kubevirt.io default/hung',
    ]);
    assert.deepEqual(subjects(kubevirtSnapshotStuck.detect(s, c)), [
      'virtualmachinesnapshots.snapshot.kubevirt.io default/snap-failed',
    ]);

    // The VM comes back (restored under the same name, naming the disk): the volume is in use again.
    api.create('vms', as(k.vmWithDisks('default', 'web', 'Stopped', 'web-root', 'web-disk-0')));
    await waitFor('the new VM through the watch', async () => (await read()).vms.some((v) => v.name === 'web'));
    assert.deepEqual(kubevirtOrphanVolume.detect(kubeSnapshot(await read(), now), c), []);
  });

  it('an add-on CRD that is not installed is unavailable alone; the rest still reports', async () => {
    api = new KubeApiServer(['pods', 'pvcs', 'pvs', 'vms', 'vmis', 'podmetrics']);
    await api.start();
    api.create('pvcs', as(k.vmDiskPvc('default', 'web-disk-0', { ownedByVm: 'web' })));
    r = testKubeReader(api);
    const section = await r.read(AbortSignal.timeout(5000));
    const status = (res: string) => section.resources.find((x) => x.resource === res);
    assert.equal(status('virtualmachinesnapshots.snapshot.kubevirt.io')?.available, false);
    assert.equal(status('virtualmachineinstancemigrations.kubevirt.io')?.available, false);
    assert.equal(status('pods:claims')?.available, true);
    const found = kubevirtOrphanVolume.detect(kubeSnapshot(section), ctx());
    assert.deepEqual(subjects(found), ['persistentvolumeclaims default/web-disk-0']);
  });

  // A deleted VM's 20 GiB Longhorn disk, 3 GiB of it written: the PV, its claim, and (where Longhorn runs) the volume.
  const orphanedLonghornDisk = (withVolume: boolean) => {
    api.create(
      'pvcs',
      as(
        k.vmDiskPvc('vms', 'web-disk-0', { ownedByVm: 'web', volumeName: 'pvc-5c0f2b8e-7d41-4a4e-9b1f-0a2b3c4d5e6f' }),
      ),
    );
    api.create(
      'pvs',
      as(k.pv('pvc-5c0f2b8e-7d41-4a4e-9b1f-0a2b3c4d5e6f', '20Gi', { namespace: 'vms', name: 'web-disk-0' })),
    );
    if (withVolume)
      api.create(
        'lhvolumes',
        as(
          k.longhornVolume('pvc-5c0f2b8e-7d41-4a4e-9b1f-0a2b3c4d5e6f', String(20 * GiB), 3 * GiB, {
            namespace: 'vms',
            name: 'web-disk-0',
          }),
        ),
      );
  };

  it("counts a Longhorn volume's actual size as reclaimable, with the PV's capacity in evidence", async () => {
    api = new KubeApiServer();
    await api.start();
    orphanedLonghornDisk(true);
    // Watching one namespace: Longhorn's volumes live in longhorn-system and are still found.
    r = new KubeReader(
      {
        kubeconfig: loadKubeConfig(k.writeKubeconfig(api.url)),
        namespace: 'vms',
        recheckSeconds: 0.2,
        metricsIntervalSeconds: 0.2,
        watchTimeoutSeconds: 60,
        freezeHistorySeconds: 300,
      },
      silentLogger,
    );
    const read = () => (r as KubeReader).read(AbortSignal.timeout(5000));
    let section = await read();
    assert.equal(section.resources.find((x) => x.resource === 'volumes.longhorn.io')?.available, true);
    assert.deepEqual(section.longhornVolumes, [
      { namespace: 'longhorn-system', name: 'pvc-5c0f2b8e-7d41-4a4e-9b1f-0a2b3c4d5e6f', actualSizeBytes: 3 * GiB },
    ]);
    let found = kubevirtOrphanVolume.detect(kubeSnapshot(section), ctx());
    assert.deepEqual(subjects(found), ['persistentvolumeclaims vms/web-disk-0']);
    assert.deepEqual(found[0]?.reclaimable, { diskBytes: 3 * GiB });
    assert.equal(found[0]?.evidence.bytesFrom, 'longhorn actual size');
    assert.equal(found[0]?.evidence.pvCapacityBytes, 20 * GiB);
    assert.deepEqual(found[0]?.evidence.longhornVolume, {
      namespace: 'longhorn-system',
      name: 'pvc-5c0f2b8e-7d41-4a4e-9b1f-0a2b3c4d5e6f',
      actualSizeBytes: 3 * GiB,
    });

    // The guest writes more before it is gone for good: the watch carries the new size.
    api.modify('lhvolumes', 'longhorn-system', 'pvc-5c0f2b8e-7d41-4a4e-9b1f-0a2b3c4d5e6f', (o) => {
      (o.status as { actualSize: number }).actualSize = 5 * GiB;
    });
    await waitFor('the new actual size through the watch', async () => {
      section = await read();
      return section.longhornVolumes?.[0]?.actualSizeBytes === 5 * GiB;
    });
    found = kubevirtOrphanVolume.detect(kubeSnapshot(section), ctx());
    assert.deepEqual(found[0]?.reclaimable, { diskBytes: 5 * GiB });

    // Longhorn's volumes become unreadable (the role loses them): the PV's capacity again, the volume still judged.
    api.faults.set('lhvolumes', 403);
    api.dropWatches();
    await waitFor('the volumes watch to fail', async () => {
      section = await read();
      return section.resources.find((x) => x.resource === 'volumes.longhorn.io')?.error != null;
    });
    found = kubevirtOrphanVolume.detect(kubeSnapshot(section), ctx());
    assert.deepEqual(subjects(found), ['persistentvolumeclaims vms/web-disk-0']);
    assert.deepEqual(found[0]?.reclaimable, { diskBytes: 20 * GiB });
    assert.equal(found[0]?.evidence.bytesFrom, 'pv capacity');
  });

  it("without Longhorn's volumes CRD the PV's capacity counts, and only that resource is unavailable", async () => {
    api = new KubeApiServer(
      (Object.keys(RESOURCES) as Array<keyof typeof RESOURCES>).filter((name) => name !== 'lhvolumes'),
    );
    await api.start();
    orphanedLonghornDisk(false);
    r = testKubeReader(api);
    const section = await r.read(AbortSignal.timeout(5000));
    const status = (res: string) => section.resources.find((x) => x.resource === res);
    assert.equal(status('volumes.longhorn.io')?.available, false);
    assert.equal(status('orphans.longhorn.io')?.available, true);
    assert.deepEqual(section.problems, []);
    const found = kubevirtOrphanVolume.detect(kubeSnapshot(section), ctx());
    assert.deepEqual(subjects(found), ['persistentvolumeclaims vms/web-disk-0']);
    assert.deepEqual(found[0]?.reclaimable, { diskBytes: 20 * GiB });
    assert.equal(found[0]?.evidence.bytesFrom, 'pv capacity');
    assert.equal(found[0]?.evidence.longhornVolume, null);
  });

  it('caches what it parsed of each Longhorn volume: its name and actual size', () => {
    const full = k.longhornVolume('pvc-1', '1073741824', 4096, {
      namespace: 'vms',
      name: 'd',
    }) as unknown as KubernetesObject;
    full.metadata = { ...full.metadata, uid: 'u1', resourceVersion: '9' };
    const kept = cacheEntry(spec('lhvolume'), full);
    assert.deepEqual(kept.metadata, {
      name: 'pvc-1',
      namespace: 'longhorn-system',
      uid: 'u1',
      resourceVersion: '9',
      deletionTimestamp: null,
    });
    assert.deepEqual(kept.base, { namespace: 'longhorn-system', name: 'pvc-1', actualSizeBytes: 4096 });
    const fresh = { ...full, status: {} } as KubernetesObject;
    assert.equal((cacheEntry(spec('lhvolume'), fresh).base as { actualSizeBytes: unknown }).actualSizeBytes, null);
  });

  it('caches a fifth or less of each pod of the all-pods watch, and never its deletion as one of ours', () => {
    const full = k.podWithClaim('default', 'nginx-7d9c5', 'shared-data') as unknown as KubernetesObject;
    full.metadata = { ...full.metadata, uid: 'u1', resourceVersion: '7' };
    const kept = cacheEntry(spec('podclaims'), full);
    assert.deepEqual(kept.metadata, {
      name: 'nginx-7d9c5',
      namespace: 'default',
      uid: 'u1',
      resourceVersion: '7',
      deletionTimestamp: null,
    });
    assert.deepEqual(kept.base, {
      resource: 'pods',
      namespace: 'default',
      name: 'nginx-7d9c5',
      claims: ['shared-data'],
      volumes: [],
      active: true,
      state: 'Running',
    });
    assert.ok(JSON.stringify(kept).length < JSON.stringify(full).length / 5);
    const deleting = { ...full, metadata: { ...full.metadata, deletionTimestamp: new Date() } } as KubernetesObject;
    const fields = (e: { placed: Array<{ field: string }> }) => e.placed.map((p) => p.field);
    assert.deepEqual(fields(cacheEntry(spec('podclaims'), deleting)), ['claimUsers'], 'not a stuck deletion of ours');
    // The launcher pods' own watch does place a deleting pod.
    assert.deepEqual(fields(cacheEntry(spec('pod'), deleting)), ['deleting']);
  });

  it('caches an object it cannot parse as the reason, and the next version parsed', () => {
    const bad = { metadata: { name: 'x', namespace: 'vms', resourceVersion: '1', creationTimestamp: 'yesterday' } };
    const kept = cacheEntry(spec('pod'), bad as unknown as KubernetesObject);
    assert.equal(kept.base, undefined);
    assert.deepEqual(kept.placed, []);
    assert.match(kept.problem ?? '', /^pods vms\/x: unreadable timestamp "yesterday"/);
  });
});
