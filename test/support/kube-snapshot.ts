// Builders of kube-section snapshot literals for detector tables.
import type { KubeBackup, KubePod, KubeResourceStatus, KubeSection, KubeVm, KubeVmi } from '../../src/snapshot/kube.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';
import { SNAPSHOT_SCHEMA_VERSION } from '../../src/snapshot/snapshot.js';
import type { DetectContext } from '../../src/detectors/detector.js';
import { detectContext, type Knobs } from './detect-context.js';

export const NOW = 1795425000;

export const ALL_SYNCED: KubeResourceStatus[] = [
  'virtualmachines.kubevirt.io',
  'virtualmachineinstances.kubevirt.io',
  'pods',
  'persistentvolumeclaims',
].map((resource) => ({ resource, available: true, synced: true, objects: 0, error: null }));

export function kubeSnapshot(section: Partial<KubeSection>, takenAt = NOW): Snapshot {
  return {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    hostname: 'cluster-agent',
    takenAt,
    collectors: {
      kubevirt: { state: 'ok', reason: null, durationSeconds: 0.01, lastSuccessSeconds: takenAt, stale: false },
    },
    kubevirt: {
      server: 'https://10.53.0.1:6443',
      namespace: null,
      resources: ALL_SYNCED,
      deleting: [],
      vms: [],
      vmis: [],
      pods: [],
      backups: [],
      problems: [],
      ...section,
    },
  };
}

export function ctx(now = NOW, flags: Partial<Knobs> = {}): DetectContext<string> {
  return detectContext(now, flags);
}

export const vm = (name: string, printableStatus: string | null, extra: Partial<KubeVm> = {}): KubeVm => ({
  namespace: 'default',
  name,
  uid: `uid-vm-${name}`,
  printableStatus,
  statusSince: null,
  deletionTimestamp: null,
  finalizers: [],
  ...extra,
});

export const vmi = (name: string, extra: Partial<KubeVmi> = {}): KubeVmi => ({
  namespace: 'default',
  name,
  uid: `uid-vmi-${name}`,
  phase: 'Running',
  nodeName: 'node-1',
  deletionTimestamp: null,
  fsFreezeStatus: null,
  freezeTransitionsTotal: 0,
  freezeTransitionTimes: [],
  frozenUpdatesTotal: 0,
  frozenUpdateTimes: [],
  ...extra,
});

export const pod = (name: string, extra: Partial<KubePod> = {}): KubePod => ({
  namespace: 'default',
  name,
  uid: `uid-pod-${name}`,
  component: 'virt-launcher',
  createdBy: null,
  vmName: null,
  nodeName: 'node-1',
  phase: 'Running',
  deletionTimestamp: null,
  restartsTotal: 0,
  oomKillsTotal: 0,
  memoryLimitBytes: null,
  memoryRequestBytes: null,
  memoryWorkingSetBytes: null,
  ...extra,
});

export const backup = (name: string, extra: Partial<KubeBackup> = {}): KubeBackup => ({
  resource: 'virtualmachinebackups.harvesterhci.io',
  namespace: 'default',
  name,
  source: 'vm1',
  state: null,
  readyToUse: true,
  error: null,
  errorSince: null,
  backupTarget: null,
  ...extra,
});
