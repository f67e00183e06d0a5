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
