// Objects shaped like real KubeVirt / Harvester / Longhorn ones (field names as in the upstream
// types: kubevirt.io/v1, harvesterhci.io/v1beta1, longhorn.io/v1beta2), for the test API server.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const iso = (unixSeconds: number): string =>
  new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');

export interface Deleting {
  deletionTimestamp: number;
  finalizers: string[];
}

function meta(namespace: string, name: string, extra: Record<string, unknown> = {}, deleting?: Deleting) {
  return {
    name,
    namespace,
    ...extra,
    ...(deleting
      ? {
          deletionTimestamp: iso(deleting.deletionTimestamp),
          deletionGracePeriodSeconds: 0,
          finalizers: deleting.finalizers,
        }
      : {}),
  };
}

export function vm(namespace: string, name: string, printableStatus: string, deleting?: Deleting) {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: meta(
      namespace,
      name,
      {
        labels: { 'harvesterhci.io/creator': 'harvester' },
        annotations: { 'harvesterhci.io/vmRunStrategy': 'RerunOnFailure' },
      },
      deleting,
    ),
    spec: {
      runStrategy: 'RerunOnFailure',
      template: {
        spec: {
          domain: {
            cpu: { cores: 2 },
            resources: { limits: { cpu: '2', memory: '4Gi' } },
            devices: { disks: [{ name: 'disk-0', disk: { bus: 'virtio' } }] },
          },
        },
      },
    },
    status: {
      printableStatus,
      conditions: [
        {
          type: 'Ready',
          status: printableStatus === 'Running' ? 'True' : 'False',
          lastProbeTime: null,
          lastTransitionTime: '2026-11-23T08:00:00Z',
        },
      ],
      volumeSnapshotStatuses: [{ name: 'disk-0', enabled: true }],
    },
  };
}

export function vmi(
  namespace: string,
  name: string,
  opts: { phase?: string; node?: string; frozen?: boolean; deleting?: Deleting } = {},
) {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: meta(
      namespace,
      name,
      { labels: { 'kubevirt.io/nodeName': opts.node ?? 'node-1', 'vm.kubevirt.io/name': name } },
      opts.deleting,
    ),
    spec: { domain: { devices: {}, resources: { requests: { memory: '4Gi' } } } },
    status: {
      phase: opts.phase ?? 'Running',
      nodeName: opts.node ?? 'node-1',
      guestOSInfo: { id: 'ubuntu' },
      ...(opts.frozen ? { fsFreezeStatus: 'frozen' } : {}),
    },
  };
}

export function launcherPod(
  namespace: string,
  name: string,
  vmiUid: string,
  vmName: string,
  opts: { node?: string; phase?: string } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: {
        'kubevirt.io': 'virt-launcher',
        'kubevirt.io/created-by': vmiUid,
        'vm.kubevirt.io/name': vmName,
        'kubevirt.io/nodeName': opts.node ?? 'node-1',
      },
      ownerReferences: [
        {
          apiVersion: 'kubevirt.io/v1',
          kind: 'VirtualMachineInstance',
          name: vmName,
          uid: vmiUid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      nodeName: opts.node ?? 'node-1',
      containers: [
        {
          name: 'compute',
          image: 'registry.suse.com/suse/sles/15.5/virt-launcher:1.3.1',
          resources: { requests: { memory: '4400Mi' } },
        },
      ],
    },
    status: {
      phase: opts.phase ?? 'Running',
      containerStatuses: [
        { name: 'compute', ready: true, restartCount: 0, state: { running: { startedAt: '2026-11-23T08:00:00Z' } } },
      ],
    },
  };
}

export interface OomKill {
  finishedAt: number;
  containerID: string;
}

export function handlerPod(namespace: string, name: string, node: string, restartCount = 0, lastOom?: OomKill) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: {
        'kubevirt.io': 'virt-handler',
        'app.kubernetes.io/component': 'kubevirt',
        'prometheus.kubevirt.io': 'true',
      },
    },
    spec: {
      nodeName: node,
      containers: [
        {
          name: 'virt-handler',
          image: 'registry.suse.com/suse/sles/15.5/virt-handler:1.3.1',
          resources: { limits: { cpu: '700m', memory: '1600Mi' }, requests: { cpu: '10m', memory: '325Mi' } },
        },
      ],
    },
    status: {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'virt-handler',
          ready: true,
          restartCount,
          state: { running: { startedAt: '2026-11-23T08:00:00Z' } },
          lastState: lastOom
            ? {
                terminated: {
                  exitCode: 137,
                  reason: 'OOMKilled',
                  startedAt: iso(lastOom.finishedAt - 60),
                  finishedAt: iso(lastOom.finishedAt),
                  containerID: lastOom.containerID,
                },
              }
            : {},
        },
      ],
    },
  };
}

export function podMetrics(namespace: string, name: string, memory: string) {
  return {
    apiVersion: 'metrics.k8s.io/v1beta1',
    kind: 'PodMetrics',
    metadata: { name, namespace, labels: { 'kubevirt.io': 'virt-handler' } },
    timestamp: '2026-11-23T09:00:00Z',
    window: '10.5s',
    containers: [{ name: 'virt-handler', usage: { cpu: '12m', memory } }],
  };
}

export function vmBackup(
  namespace: string,
  name: string,
  vmName: string,
  opts: { error?: { time: number; message: string }; endpoint?: string; bucket?: string } = {},
) {
  const errored = opts.error !== undefined;
  return {
    apiVersion: 'harvesterhci.io/v1beta1',
    kind: 'VirtualMachineBackup',
    metadata: { name, namespace, finalizers: ['wrangler.cattle.io/harvester-vm-backup-controller'] },
    spec: { source: { apiGroup: 'kubevirt.io', kind: 'VirtualMachine', name: vmName }, type: 'backup' },
    status: {
      readyToUse: !errored,
      backupTarget: {
        endpoint: opts.endpoint ?? 'https://s3.example.com',
        bucketName: opts.bucket ?? 'harvester-backups',
        bucketRegion: 'us-east-1',
      },
      conditions: errored
        ? [
            {
              type: 'InProgress',
              status: 'False',
              reason: 'Error',
              message: opts.error?.message,
              lastTransitionTime: iso(opts.error?.time ?? 0),
            },
            { type: 'Ready', status: 'False' },
          ]
        : [
            { type: 'InProgress', status: 'False' },
            { type: 'Ready', status: 'True' },
          ],
      ...(errored ? { error: { time: iso(opts.error?.time ?? 0), message: opts.error?.message } } : {}),
      volumeBackups: [{ name: `${name}-volume-disk-0`, readyToUse: !errored, volumeName: 'disk-0' }],
    },
  };
}

export function longhornBackup(namespace: string, name: string, volume: string, state: string, error?: string) {
  return {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'Backup',
    metadata: { name, namespace, labels: { 'backup-volume': volume }, finalizers: ['longhorn.io'] },
    spec: { labels: {} },
    status: { state, volumeName: volume, backupCreatedAt: '', ...(error ? { error } : {}) },
  };
}

export function pvc(namespace: string, name: string, deleting?: Deleting) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: meta(namespace, name, {}, deleting),
    spec: {
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: '10Gi' } },
      storageClassName: 'harvester-longhorn',
      volumeMode: 'Block',
    },
    status: { phase: 'Bound' },
  };
}

/** Writes a kubeconfig pointing at `server` (plain HTTP, as the test server speaks) and returns its path. */
export function writeKubeconfig(server: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vmzombie-kube-'));
  const file = path.join(dir, 'kubeconfig');
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: ${server}
    insecure-skip-tls-verify: true
users:
- name: test
  user:
    token: test-token
contexts:
- name: test
  context: {cluster: test, user: test}
current-context: test
`,
  );
  return file;
}

// One layer down: volumes, migrations, snapshots, as KubeVirt, CDI, Harvester and Longhorn write them.

/** A Harvester VM disk PVC: owner annotation, optional owner references, bound to `volumeName`. */
export function vmDiskPvc(
  namespace: string,
  name: string,
  opts: { ownedByVm?: string; owners?: Array<{ kind: string; name: string; uid: string }>; volumeName?: string } = {},
) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name,
      namespace,
      annotations: {
        ...(opts.ownedByVm
          ? {
              'harvesterhci.io/owned-by': JSON.stringify([
                { schema: 'kubevirt.io.virtualmachine', refs: [`${namespace}/${opts.ownedByVm}`] },
              ]),
            }
          : {}),
        'pv.kubernetes.io/bind-completed': 'yes',
      },
      ...(opts.owners
        ? {
            ownerReferences: opts.owners.map((o) => ({
              apiVersion: o.kind === 'DataVolume' ? 'cdi.kubevirt.io/v1beta1' : 'kubevirt.io/v1',
              kind: o.kind,
              name: o.name,
              uid: o.uid,
              controller: true,
              blockOwnerDeletion: true,
            })),
          }
        : {}),
      finalizers: ['kubernetes.io/pvc-protection'],
    },
    spec: {
      accessModes: ['ReadWriteMany'],
      resources: { requests: { storage: '10Gi' } },
      storageClassName: 'harvester-longhorn',
      volumeMode: 'Block',
      volumeName: opts.volumeName ?? `pvc-${name}`,
    },
    status: { phase: 'Bound', accessModes: ['ReadWriteMany'], capacity: { storage: '10Gi' } },
  };
}

export function pv(name: string, capacity: string, claim: { namespace: string; name: string }) {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, finalizers: ['kubernetes.io/pv-protection'] },
    spec: {
      capacity: { storage: capacity },
      claimRef: { kind: 'PersistentVolumeClaim', namespace: claim.namespace, name: claim.name },
      csi: { driver: 'driver.longhorn.io', volumeHandle: name },
      persistentVolumeReclaimPolicy: 'Delete',
    },
    status: { phase: 'Bound' },
  };
}

/**
 * A Longhorn Volume as longhorn-manager writes it for a PV of driver.longhorn.io (named after the PV's volume
 * handle): detached since its VM is gone, spec.size a string of bytes, status.actualSize an int64 of the bytes
 * one replica holds.
 */
export function longhornVolume(
  name: string,
  size: string,
  actualSize: number,
  pvc: { namespace: string; name: string },
) {
  return {
    apiVersion: 'longhorn.io/v1beta2',
    kind: 'Volume',
    metadata: {
      name,
      namespace: 'longhorn-system',
      finalizers: ['longhorn.io'],
      labels: { longhornvolume: name, 'recurring-job-group.longhorn.io/default': 'enabled' },
    },
    spec: {
      size,
      numberOfReplicas: 3,
      frontend: 'blockdev',
      dataEngine: 'v1',
      accessMode: 'rwo',
      dataLocality: 'disabled',
      migratable: true,
      nodeID: '',
    },
    status: {
      state: 'detached',
      robustness: 'unknown',
      actualSize,
      currentNodeID: '',
      ownerID: 'node-1',
      kubernetesStatus: {
        namespace: pvc.namespace,
        pvcName: pvc.name,
        pvName: name,
        pvStatus: 'Bound',
        lastPVCRefAt: '',
        lastPodRefAt: iso(Date.now() / 1000 - 7200),
        workloadsStatus: null,
      },
      conditions: [{ type: 'Scheduled', status: 'True', reason: '', message: '' }],
    },
  };
}

/** A VM whose disks are a DataVolume template and a plain PVC, stopped or running. */
export function vmWithDisks(namespace: string, name: string, printableStatus: string, dataVolume: string, pvc: string) {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: { name, namespace, finalizers: ['kubevirt.io/virtualMachineControllerFinalize'] },
    spec: {
      runStrategy: printableStatus === 'Stopped' ? 'Halted' : 'RerunOnFailure',
      dataVolumeTemplates: [{ metadata: { name: dataVolume }, spec: { storage: { resources: {} } } }],
      template: {
        spec: {
          domain: { devices: { disks: [{ name: 'disk-0' }, { name: 'disk-1' }] } },
          volumes: [
            { name: 'disk-0', dataVolume: { name: dataVolume } },
            { name: 'disk-1', persistentVolumeClaim: { claimName: pvc } },
          ],
        },
      },
    },
    status: { printableStatus },
  };
}

export function dataVolume(namespace: string, name: string, phase: string) {
  return {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: { name, namespace },
    spec: { source: { http: { url: 'http://images.example/focal.qcow2' } }, storage: {} },
    status: { phase, progress: phase === 'Succeeded' ? '100.0%' : '37.5%' },
  };
}

/** A running VMI after a migration (or during one): activePods, migrationState, a hot-plugged volume. */
export function migratedVmi(
  namespace: string,
  name: string,
  opts: {
    activePods: Record<string, string>;
    sourcePod: string;
    targetPod: string;
    migrationUid: string;
    completed: boolean;
    hotplugClaim?: string;
  },
) {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstance',
    metadata: { name, namespace, labels: { 'vm.kubevirt.io/name': name } },
    spec: {
      domain: { devices: {} },
      volumes: opts.hotplugClaim
        ? [{ name: 'hp', persistentVolumeClaim: { claimName: opts.hotplugClaim, hotpluggable: true } }]
        : [],
    },
    status: {
      phase: 'Running',
      nodeName: 'node-2',
      activePods: opts.activePods,
      migrationState: {
        sourceNode: 'node-1',
        targetNode: 'node-2',
        sourcePod: opts.sourcePod,
        targetPod: opts.targetPod,
        migrationUid: opts.migrationUid,
        completed: opts.completed,
        failed: false,
      },
      volumeStatus: opts.hotplugClaim
        ? [
            {
              name: 'hp',
              phase: 'Ready',
              hotplugVolume: { attachPodName: `hp-volume-${name}-abcde`, attachPodUID: 'x' },
              persistentVolumeClaimInfo: { claimName: opts.hotplugClaim },
            },
          ]
        : [],
    },
  };
}

export function migration(namespace: string, name: string, vmiName: string, phase: string, created: number) {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachineInstanceMigration',
    metadata: { name, namespace, creationTimestamp: iso(created), finalizers: ['kubevirt.io/migrationJobFinalize'] },
    spec: { vmiName },
    status: { phase, phaseTransitionTimestamps: [{ phase, phaseTransitionTimestamp: iso(created) }] },
  };
}

export function vmSnapshot(namespace: string, name: string, vm: string, phase: string, created: number) {
  return {
    apiVersion: 'snapshot.kubevirt.io/v1beta1',
    kind: 'VirtualMachineSnapshot',
    metadata: { name, namespace, creationTimestamp: iso(created) },
    spec: { source: { apiGroup: 'kubevirt.io', kind: 'VirtualMachine', name: vm }, failureDeadline: '5m0s' },
    status: {
      phase,
      readyToUse: phase === 'Succeeded',
      ...(phase === 'Failed' ? { error: { message: 'snapshot deadline exceeded', time: iso(created + 300) } } : {}),
    },
  };
}

/** Any pod mounting a PVC (an ordinary workload, no kubevirt.io label). */
export function podWithClaim(namespace: string, name: string, claim: string, phase = 'Running') {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels: { app: name }, annotations: { big: 'x'.repeat(2000) } },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'main', image: 'nginx', env: [{ name: 'A', value: 'b' }] }],
      volumes: [
        { name: 'data', persistentVolumeClaim: { claimName: claim } },
        { name: 'tmp', emptyDir: {} },
      ],
    },
    status: { phase },
  };
}
