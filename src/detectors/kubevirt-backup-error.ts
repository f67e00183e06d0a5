// kubevirt_backup_error: a Harvester VirtualMachineBackup with status.error or condition InProgress
// False reason Error, or a Longhorn Backup in state Error. Harvester retries such a backup, freezing
// the guest on every attempt; the message is evidence, never a label.
import type { Detector } from './detector.js';
import { kubeSubject } from './lib/kube.js';

export interface BackupErrorEvidence {
  resource: string;
  source: string | null;
  state: string | null;
  message: string;
  backupTarget: { endpoint: string; bucket: string } | null;
}

export const kubevirtBackupError: Detector<
  'kubevirt_backup_error',
  BackupErrorEvidence,
  'namespace' | 'name' | 'source' | 'resource'
> = {
  kind: 'kubevirt_backup_error',
  labels: ['namespace', 'name', 'source', 'resource'],
  needs: ['kubevirt'],
  detect(s) {
    return (s.kubevirt?.backups ?? []).flatMap((b) =>
      b.error === null
        ? []
        : [
            {
              kind: 'kubevirt_backup_error' as const,
              subject: kubeSubject(b.resource, b.namespace, b.name),
              labels: { namespace: b.namespace, name: b.name, source: b.source ?? '', resource: b.resource },
              since: b.errorSince,
              reclaimable: {},
              evidence: {
                resource: b.resource,
                source: b.source,
                state: b.state,
                message: b.error,
                backupTarget: b.backupTarget,
              },
            },
          ],
    );
  },
};
