// longhorn_orphan: a Longhorn Orphan object (replica data or a runtime instance no volume owns) older than
// --detect.longhorn-orphan-grace. Longhorn creates one per leftover it finds and deletes it only when orphan
// auto-deletion is on; meanwhile the replica data fills the disk. Its size is measured by the node agent
// (vmzombie_longhorn_replica_dir_bytes), joined on the data directory's name.
import { duration } from '../config/flag-spec.js';
import type { Detector } from './detector.js';
import { kubeSubject } from './lib/kube.js';

export interface LonghornOrphanEvidence {
  orphan: string;
  node: string;
  type: string;
  dataName: string | null;
  diskName: string | null;
  diskPath: string | null;
  /** `<DiskPath>/replicas/<DataName>` for replica data; null for runtime instances. */
  dataDir: string | null;
  /** Unix seconds. */
  createdAt: number | null;
}

export const longhornOrphan: Detector<
  'longhorn_orphan',
  LonghornOrphanEvidence,
  'namespace' | 'name' | 'node' | 'disk' | 'type',
  'detect.longhorn-orphan-grace'
> = {
  kind: 'longhorn_orphan',
  labels: ['namespace', 'name', 'node', 'disk', 'type'],
  knobs: {
    'detect.longhorn-orphan-grace': duration(
      '1h',
      'How long a Longhorn Orphan object may exist (from its creation) before longhorn_orphan.',
    ),
  },
  grace: 'detect.longhorn-orphan-grace',
  needs: ['kubevirt', 'kubevirt.synced:orphans.longhorn.io'],
  detect(s) {
    return (s.kubevirt?.longhornOrphans ?? [])
      .filter((o) => o.deletionTimestamp === null)
      .map((o) => {
        const replicaData = o.type === 'replica' || o.type === 'replica-data';
        const dataDir =
          replicaData && o.diskPath && o.dataName ? `${o.diskPath.replace(/\/+$/, '')}/replicas/${o.dataName}` : null;
        return {
          kind: 'longhorn_orphan',
          subject: kubeSubject('orphans.longhorn.io', o.namespace, o.name),
          labels: { namespace: o.namespace, name: o.name, node: o.node, disk: o.diskName ?? '', type: o.type },
          since: o.createdAt,
          reclaimable: {},
          evidence: {
            orphan: o.name,
            node: o.node,
            type: o.type,
            dataName: o.dataName,
            diskName: o.diskName,
            diskPath: o.diskPath,
            dataDir,
            createdAt: o.createdAt,
          },
          ...(o.dataName ? { refs: [`longhorn-data:${o.dataName}`] } : {}),
        };
      });
  },
};
