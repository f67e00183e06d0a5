// The KubeVirt kinds one layer below VMs: volumes nothing references, a second live launcher pod, migrations
// and snapshots that never finish, a VMI with no launcher pod. Each with the healthy look-alike that stays silent.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { judge, skipReason } from '../support/judge.js';
import { ALL_SYNCED, ctx, kubeSnapshot, NOW, pod, vm, vmi } from '../support/kube-snapshot.js';
import { kubevirtOrphanVolume } from '../../src/detectors/kubevirt-orphan-volume.js';
import { virtLauncherPodStale } from '../../src/detectors/virt-launcher-pod-stale.js';
import { kubevirtMigrationStuck } from '../../src/detectors/kubevirt-migration-stuck.js';
import { kubevirtVmiWithoutLauncherPod } from '../../src/detectors/kubevirt-vmi-without-launcher-pod.js';
import { kubevirtSnapshotStuck } from '../../src/detectors/kubevirt-snapshot-stuck.js';
import { longhornOrphan } from '../../src/detectors/longhorn-orphan.js';
import type {
  KubeClaimUser,
  KubeMigration,
  KubePvc,
  KubeResourceStatus,
  KubeVmSnapshot,
  LonghornOrphan,
} from '../../src/snapshot/kube.js';

const GiB = 2 ** 30;
const synced = (resource: string): KubeResourceStatus => ({
  resource,
  available: true,
  synced: true,
  objects: 0,
  error: null,
});
const RESOURCES = [
  ...ALL_SYNCED,
  synced('pods:claims'),
  synced('virtualmachineinstancemigrations.kubevirt.io'),
  synced('virtualmachinesnapshots.snapshot.kubevirt.io'),
  synced('datavolumes.cdi.kubevirt.io'),
];

const pvc = (name: string, extra: Partial<KubePvc> = {}): KubePvc => ({
  namespace: 'default',
  name,
  uid: `uid-pvc-${name}`,
  phase: 'Bound',
  volumeName: `pvc-${name}`,
  requestBytes: 10 * GiB,
  storageClass: 'harvester-longhorn',
  createdAt: NOW - 86400,
  deletionTimestamp: null,
  ownerReferences: [],
  ownedByVms: [],
  imageId: null,
  kubevirtMarks: ['annotation harvesterhci.io/owned-by'],
  ...extra,
});
const user = (resource: string, name: string, claims: string[], active: boolean, state: string | null = null) =>
  ({ resource, namespace: 'default', name, claims, volumes: [], active, state }) satisfies KubeClaimUser;

describe('kubevirt_orphan_volume', () => {
  const orphan = pvc('web-disk-0', {
    ownerReferences: [{ kind: 'VirtualMachine', name: 'web', uid: 'uid-vm-web' }],
    ownedByVms: ['default/web'],
  });
  const base = {
    resources: RESOURCES,
    vms: [vm('db', 'Stopped', { claims: ['db-disk-0'] })],
    vmis: [vmi('app', { claims: ['app-disk-0', 'hp-data'] })],
    pvcs: [
      orphan,
      pvc('db-disk-0'), // a stopped VM's disk
      pvc('app-disk-0'),
      pvc('hp-data'), // hot-plugged into a running VMI (status.volumeStatus)
      pvc('importing'), // a DataVolume still importing
      pvc('nginx-data'), // an ordinary pod mounts it
      pvc('pvc-1f2e3d4c'), // a guest cluster's volume hot-plugged into its running guest VM
      pvc('postgres-0', { kubevirtMarks: [] }), // another workload's claim, scaled to zero
      pvc('pending', { phase: 'Pending', volumeName: null }),
      pvc('restored', { ownedByVms: [] }), // a restore in progress
      pvc('exported'), // a Harvester image exported from it
    ],
    pvs: [{ name: 'pvc-web-disk-0', capacityBytes: 20 * GiB, claim: 'default/web-disk-0' }],
    claimUsers: [
      user('datavolumes.cdi.kubevirt.io', 'importing', ['importing'], true, 'ImportInProgress'),
      user('pods', 'nginx-7d9c', ['nginx-data'], true, 'Running'),
      user('pods', 'backup-job-x', ['web-disk-0'], false, 'Succeeded'),
      user('virtualmachinerestores.snapshot.kubevirt.io', 'r1', ['restored'], true),
      user('virtualmachineimages.harvesterhci.io', 'img1', ['default/exported'], true, 'export-from-volume'),
    ],
  };

  it("reports the deleted VM's volume with its capacity and the owners that are gone, nothing else", () => {
    const s = kubeSnapshot({
      ...base,
      vmis: [...base.vmis, vmi('guest-cp-1', { claims: ['pvc-1f2e3d4c'] })],
    });
    assert.deepEqual(judge(kubevirtOrphanVolume, s, ctx()), [
      {
        kind: 'kubevirt_orphan_volume',
        subject: 'persistentvolumeclaims default/web-disk-0',
        labels: { namespace: 'default', name: 'web-disk-0' },
        since: null,
        reclaimable: { diskBytes: 20 * GiB },
        evidence: {
          pvc: 'web-disk-0',
          phase: 'Bound',
          volume: 'pvc-web-disk-0',
          storageClass: 'harvester-longhorn',
          bytesFrom: 'pv capacity',
          pvCapacityBytes: 20 * GiB,
          longhornVolume: null,
          ownerReferences: [{ kind: 'VirtualMachine', name: 'web', exists: false }],
          ownedByVms: [{ vm: 'default/web', exists: false }],
          dataVolume: null,
          imageId: null,
          kubevirtMarks: ['annotation harvesterhci.io/owned-by'],
          createdAt: NOW - 86400,
        },
        refs: ['pv:pvc-web-disk-0'],
      },
    ]);
  });

  it("counts a Longhorn volume's actual size only while its watch is current and the PV is Longhorn's", () => {
    const lhStatus = (extra: Partial<KubeResourceStatus> = {}) => ({ ...synced('volumes.longhorn.io'), ...extra });
    const bytes = (resource: KubeResourceStatus | null, driver = 'driver.longhorn.io', actual: number | null = GiB) => {
      const s = kubeSnapshot({
        ...base,
        resources: resource ? [...RESOURCES, resource] : RESOURCES,
        vmis: [...base.vmis, vmi('guest-cp-1', { claims: ['pvc-1f2e3d4c'] })],
        pvVolumeHandles: [{ name: 'pvc-web-disk-0', driver, volumeHandle: 'pvc-web-disk-0' }],
        longhornVolumes: [{ namespace: 'longhorn-system', name: 'pvc-web-disk-0', actualSizeBytes: actual }],
      });
      const [f] = judge(kubevirtOrphanVolume, s, ctx()) as Array<{
        reclaimable: { diskBytes?: number };
        evidence: { bytesFrom: string; pvCapacityBytes: number | null };
      }>;
      assert.equal(f?.evidence.pvCapacityBytes, 20 * GiB);
      return [f?.reclaimable.diskBytes, f?.evidence.bytesFrom];
    };
    assert.deepEqual(bytes(lhStatus()), [GiB, 'longhorn actual size']);
    assert.deepEqual(bytes(null), [20 * GiB, 'pv capacity'], 'Longhorn volumes not watched');
    assert.deepEqual(bytes(lhStatus({ available: false })), [20 * GiB, 'pv capacity'], 'CRD not installed');
    assert.deepEqual(bytes(lhStatus({ error: 'HTTP 403' })), [20 * GiB, 'pv capacity'], 'watch failing');
    assert.deepEqual(bytes(lhStatus({ synced: false })), [20 * GiB, 'pv capacity'], 'first list not done');
    assert.deepEqual(bytes(lhStatus(), 'csi.vsphere.vmware.com'), [20 * GiB, 'pv capacity'], 'not a Longhorn PV');
    assert.deepEqual(bytes(lhStatus(), 'driver.longhorn.io', null), [20 * GiB, 'pv capacity'], 'no actualSize');
  });

  it('falls back to the request without a PV, and reports a finished DataVolume nothing uses', () => {
    const s = kubeSnapshot({
      ...base,
      pvcs: [pvc('imported', { volumeName: null, requestBytes: 5 * GiB })],
      pvs: [],
      claimUsers: [user('datavolumes.cdi.kubevirt.io', 'imported', ['imported'], false, 'Succeeded')],
    });
    const [f] = judge(kubevirtOrphanVolume, s, ctx()) as Array<{ reclaimable: unknown; evidence: unknown }>;
    assert.deepEqual(f?.reclaimable, { diskBytes: 5 * GiB });
    assert.deepEqual((f?.evidence as { dataVolume: unknown }).dataVolume, { name: 'imported', phase: 'Succeeded' });
  });

  it('stays silent while a snapshot of the VM its owner annotation names is in progress', () => {
    const snap: KubeVmSnapshot = {
      namespace: 'default',
      name: 's1',
      uid: 'u',
      source: 'VirtualMachine/web',
      phase: 'InProgress',
      failureDeadlineSeconds: 300,
      createdAt: NOW - 60,
      error: null,
      deletionTimestamp: null,
    };
    const s = kubeSnapshot({ ...base, vmis: [], vms: [], pvcs: [base.pvcs[0] as KubePvc], vmSnapshots: [snap] });
    assert.deepEqual(judge(kubevirtOrphanVolume, s, ctx()), []);
  });

  it('a volume a Longhorn backing image is exported from is in use', () => {
    const s = kubeSnapshot({
      ...base,
      pvcs: [orphan],
      claimUsers: [{ ...user('backingimages.longhorn.io', 'bi-1', [], true), volumes: ['pvc-web-disk-0'] }],
    });
    assert.deepEqual(judge(kubevirtOrphanVolume, s, ctx()), []);
  });

  it('cannot judge without the all-pods cache, and refuses while an add-on watch that adds users fails', () => {
    const noPods = kubeSnapshot({ ...base, resources: ALL_SYNCED });
    assert.match(skipReason(kubevirtOrphanVolume, noPods) ?? '', /pods:claims is not watched/);
    const failing = kubeSnapshot({
      ...base,
      resources: [
        ...RESOURCES.filter((r) => r.resource !== 'datavolumes.cdi.kubevirt.io'),
        { ...synced('datavolumes.cdi.kubevirt.io'), error: '403 Forbidden' },
      ],
    });
    assert.throws(() => kubevirtOrphanVolume.detect(failing, ctx()), /datavolumes.*403/);
    const absent = kubeSnapshot({
      ...base,
      resources: [
        ...RESOURCES.filter((r) => r.resource !== 'datavolumes.cdi.kubevirt.io'),
        { ...synced('datavolumes.cdi.kubevirt.io'), available: false, synced: false },
      ],
    });
    assert.equal(judge(kubevirtOrphanVolume, absent, ctx()).length, 2, 'CDI not installed: nothing imports');
  });
});

describe('virt_launcher_pod_stale', () => {
  const web = vmi('web', {
    uid: 'vmi-web',
    nodeName: 'node-2',
    activePods: ['uid-pod-virt-launcher-web-new'],
    migration: {
      sourcePod: 'virt-launcher-web-old',
      targetPod: 'virt-launcher-web-new',
      migrationUid: 'm1',
      completed: true,
      failed: false,
    },
  });
  const launcher = (name: string, extra: Parameters<typeof pod>[1] = {}) =>
    pod(name, {
      createdBy: 'vmi-web',
      vmName: 'web',
      cpuRequestCores: 0.2,
      memoryRequestsBytes: 4400 * 2 ** 20,
      ...extra,
    });

  it('reports the old launcher pod still Running after a finished migration, with its requests', () => {
    const s = kubeSnapshot({
      resources: RESOURCES,
      vmis: [web],
      pods: [
        launcher('virt-launcher-web-old', { nodeName: 'node-1' }),
        launcher('virt-launcher-web-new', { nodeName: 'node-2' }),
      ],
    });
    assert.deepEqual(judge(virtLauncherPodStale, s, ctx()), [
      {
        kind: 'virt_launcher_pod_stale',
        subject: 'pods default/virt-launcher-web-old',
        labels: { namespace: 'default', name: 'virt-launcher-web-old', vmi: 'web' },
        since: null,
        reclaimable: { vcpus: 0.2, memoryBytes: 4400 * 2 ** 20 },
        evidence: {
          pod: 'virt-launcher-web-old',
          podUid: 'uid-pod-virt-launcher-web-old',
          node: 'node-1',
          vmi: 'web',
          vmiUid: 'vmi-web',
          vmiNode: 'node-2',
          activePods: ['uid-pod-virt-launcher-web-new'],
          migrationJobUid: null,
          cpuRequestCores: 0.2,
          memoryRequestsBytes: 4400 * 2 ** 20,
        },
      },
    ]);
  });

  it('stays silent during a migration, for a finished old pod and before the VMI lists an active pod', () => {
    const migrating = {
      ...web,
      activePods: ['uid-pod-virt-launcher-web-old'],
      migration: {
        sourcePod: 'virt-launcher-web-old',
        targetPod: 'virt-launcher-web-new',
        migrationUid: 'm2',
        completed: false,
        failed: false,
      },
    };
    const inFlight: KubeMigration = {
      namespace: 'default',
      name: 'mig-2',
      uid: 'm2',
      vmiName: 'web',
      phase: 'Scheduling',
      createdAt: NOW - 30,
      deletionTimestamp: null,
    };
    const cases = [
      // The target pod before the VMI lists it: migrationState names it.
      { vmis: [migrating], pods: [launcher('virt-launcher-web-old'), launcher('virt-launcher-web-new')] },
      // A target pod of a migration in flight, before migrationState names it.
      {
        vmis: [{ ...migrating, migration: null }],
        pods: [launcher('virt-launcher-web-old'), launcher('virt-launcher-web-x9', { migrationJobUid: 'm2' })],
        migrations: [inFlight],
      },
      // The old pod finished (Completed): it holds nothing.
      {
        vmis: [web],
        pods: [launcher('virt-launcher-web-old', { phase: 'Succeeded' }), launcher('virt-launcher-web-new')],
      },
      // Still scheduling: no active pod yet.
      { vmis: [{ ...web, activePods: [], migration: null }], pods: [launcher('virt-launcher-web-new')] },
    ];
    for (const c of cases)
      assert.deepEqual(judge(virtLauncherPodStale, kubeSnapshot({ resources: RESOURCES, ...c }), ctx()), []);
  });
});

describe('kubevirt_migration_stuck', () => {
  const mig = (name: string, phase: string, createdAt: number): KubeMigration => ({
    namespace: 'default',
    name,
    uid: `uid-${name}`,
    vmiName: 'web',
    phase,
    createdAt,
    deletionTimestamp: null,
  });

  it('reports a migration outside Succeeded/Failed with the target pods it made; finished ones are silent', () => {
    const s = kubeSnapshot({
      resources: RESOURCES,
      migrations: [
        mig('stuck', 'Scheduling', NOW - 7200),
        mig('done', 'Succeeded', NOW - 7200),
        mig('failed', 'Failed', NOW - 9000),
      ],
      pods: [
        pod('virt-launcher-web-a1', { migrationJobUid: 'uid-stuck', phase: 'Pending' }),
        pod('virt-launcher-web-b2', { migrationJobUid: 'uid-stuck', phase: 'Failed' }),
        pod('virt-launcher-web-c3', { migrationJobUid: 'uid-done' }),
      ],
    });
    assert.deepEqual(judge(kubevirtMigrationStuck, s, ctx()), [
      {
        kind: 'kubevirt_migration_stuck',
        subject: 'virtualmachineinstancemigrations.kubevirt.io default/stuck',
        labels: { namespace: 'default', name: 'stuck', vmi: 'web' },
        since: NOW - 7200,
        reclaimable: {},
        evidence: {
          migration: 'stuck',
          uid: 'uid-stuck',
          vmi: 'web',
          phase: 'Scheduling',
          createdAt: NOW - 7200,
          targetPods: 2,
          targetPodNames: ['virt-launcher-web-a1', 'virt-launcher-web-b2'],
          targetPodPhases: ['Pending', 'Failed'],
        },
      },
    ]);
  });

  it('is skipped when the migrations CRD is not watched', () => {
    assert.match(skipReason(kubevirtMigrationStuck, kubeSnapshot({})) ?? '', /migrations/);
  });
});

describe('kubevirt_vmi_without_launcher_pod', () => {
  it('reports a Pending VMI without launcher pod; silent with a pod, importing, deleting or Running', () => {
    const s = kubeSnapshot({
      resources: RESOURCES,
      vmis: [
        vmi('stuck', { phase: 'Pending', createdAt: NOW - 3600, claims: ['stuck-disk'] }),
        vmi('starting', { phase: 'Scheduling', createdAt: NOW - 3600 }),
        vmi('importing', { phase: 'Pending', createdAt: NOW - 3600, claims: ['importing-disk'] }),
        vmi('going', { phase: 'Pending', createdAt: NOW - 3600, deletionTimestamp: NOW - 60 }),
        vmi('running', { phase: 'Running', createdAt: NOW - 3600 }),
      ],
      pods: [pod('virt-launcher-starting-x', { createdBy: 'uid-vmi-starting' })],
      claimUsers: [user('datavolumes.cdi.kubevirt.io', 'importing-disk', ['importing-disk'], true, 'ImportInProgress')],
    });
    assert.deepEqual(judge(kubevirtVmiWithoutLauncherPod, s, ctx()), [
      {
        kind: 'kubevirt_vmi_without_launcher_pod',
        subject: 'virtualmachineinstances.kubevirt.io default/stuck',
        labels: { namespace: 'default', name: 'stuck', phase: 'Pending' },
        since: NOW - 3600,
        reclaimable: {},
        evidence: {
          vmi: 'stuck',
          uid: 'uid-vmi-stuck',
          phase: 'Pending',
          createdAt: NOW - 3600,
          claims: ['stuck-disk'],
        },
      },
    ]);
  });
});

describe('kubevirt_snapshot_stuck', () => {
  const snap = (name: string, extra: Partial<KubeVmSnapshot>): KubeVmSnapshot => ({
    namespace: 'default',
    name,
    uid: `uid-${name}`,
    source: 'VirtualMachine/web',
    phase: 'InProgress',
    failureDeadlineSeconds: 300,
    createdAt: NOW - 600,
    error: null,
    deletionTimestamp: null,
    ...extra,
  });

  it('reports Failed and past-deadline snapshots; silent within it, done, or without a deadline', () => {
    const s = kubeSnapshot({
      resources: RESOURCES,
      vmSnapshots: [
        snap('failed', { phase: 'Failed', error: 'VolumeSnapshot failed: timed out' }),
        snap('late', {}),
        snap('early', { createdAt: NOW - 120 }),
        snap('done', { phase: 'Succeeded' }),
        snap('no-deadline', { failureDeadlineSeconds: 0, createdAt: NOW - 86400 }),
        snap('deleting', { phase: 'Failed', deletionTimestamp: NOW - 10 }),
      ],
    });
    const found = judge(kubevirtSnapshotStuck, s, ctx()) as Array<{ labels: unknown; since: number | null }>;
    assert.deepEqual(
      found.map((f) => [f.labels, f.since]),
      [
        [{ namespace: 'default', name: 'failed', phase: 'Failed' }, NOW - 600],
        [{ namespace: 'default', name: 'late', phase: 'InProgress' }, NOW - 300],
      ],
    );
  });
});

describe('longhorn_orphan', () => {
  const orphan = (name: string, extra: Partial<LonghornOrphan> = {}): LonghornOrphan => ({
    namespace: 'longhorn-system',
    name,
    node: 'harvester-node-2',
    type: 'replica-data',
    dataName: 'pvc-5c0f2b8e-7d1a-4a63-9f0e-1d2c3b4a5f6e-d1a2b3c4',
    diskName: 'default-disk-1f2e3d4c',
    diskPath: '/var/lib/harvester/defaultdisk/',
    createdAt: NOW - 7200,
    deletionTimestamp: null,
    ...extra,
  });
  const withOrphans = (orphans: LonghornOrphan[]) =>
    kubeSnapshot({ resources: [...RESOURCES, synced('orphans.longhorn.io')], longhornOrphans: orphans });

  it('reports each orphan with node, disk, type, its data directory and its age; not one being deleted', () => {
    const found = judge(
      longhornOrphan,
      withOrphans([orphan('orphan-a1'), orphan('orphan-gone', { deletionTimestamp: NOW - 5 })]),
      ctx(),
    );
    assert.deepEqual(found, [
      {
        kind: 'longhorn_orphan',
        subject: 'orphans.longhorn.io longhorn-system/orphan-a1',
        labels: {
          namespace: 'longhorn-system',
          name: 'orphan-a1',
          node: 'harvester-node-2',
          disk: 'default-disk-1f2e3d4c',
          type: 'replica-data',
        },
        since: NOW - 7200,
        reclaimable: {},
        evidence: {
          orphan: 'orphan-a1',
          node: 'harvester-node-2',
          type: 'replica-data',
          dataName: 'pvc-5c0f2b8e-7d1a-4a63-9f0e-1d2c3b4a5f6e-d1a2b3c4',
          diskName: 'default-disk-1f2e3d4c',
          diskPath: '/var/lib/harvester/defaultdisk/',
          dataDir: '/var/lib/harvester/defaultdisk/replicas/pvc-5c0f2b8e-7d1a-4a63-9f0e-1d2c3b4a5f6e-d1a2b3c4',
          createdAt: NOW - 7200,
        },
        refs: ['longhorn-data:pvc-5c0f2b8e-7d1a-4a63-9f0e-1d2c3b4a5f6e-d1a2b3c4'],
      },
    ]);
  });

  it('an engine instance has no data directory; without the Orphan CRD the kind is skipped', () => {
    const [f] = judge(longhornOrphan, withOrphans([orphan('orphan-e1', { type: 'engine-instance' })]), ctx()) as Array<{
      evidence: { dataDir: string | null };
    }>;
    assert.equal(f?.evidence.dataDir, null);
    assert.match(skipReason(longhornOrphan, kubeSnapshot({})) ?? '', /orphans.longhorn.io/);
  });
});
