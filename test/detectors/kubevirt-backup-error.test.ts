import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { kubevirtBackupError } from '../../src/detectors/kubevirt-backup-error.js';
import { backup, ctx, kubeSnapshot, NOW } from '../support/kube-snapshot.js';

describe('kubevirt_backup_error', () => {
  it('reports Harvester and Longhorn backups in error, message as evidence', () => {
    const target = { endpoint: 'https://s3.example.com', bucket: 'harvester-backups' };
    const s = kubeSnapshot({
      backups: [
        backup('vm1-backup', {
          error: 'backups.longhorn.io "backup-0c7e" not found',
          errorSince: NOW - 90,
          state: 'Error',
          readyToUse: false,
          backupTarget: target,
        }),
        backup('backup-0c7e', {
          resource: 'backups.longhorn.io',
          namespace: 'longhorn-system',
          source: 'pvc-1f2e',
          state: 'Error',
          readyToUse: null,
          error: 'state Error',
        }),
      ],
    });
    assert.deepEqual(kubevirtBackupError.detect(s, ctx()), [
      {
        kind: 'kubevirt_backup_error',
        subject: 'virtualmachinebackups.harvesterhci.io default/vm1-backup',
        labels: {
          namespace: 'default',
          name: 'vm1-backup',
          source: 'vm1',
          resource: 'virtualmachinebackups.harvesterhci.io',
        },
        since: NOW - 90,
        reclaimable: {},
        evidence: {
          resource: 'virtualmachinebackups.harvesterhci.io',
          source: 'vm1',
          state: 'Error',
          message: 'backups.longhorn.io "backup-0c7e" not found',
          backupTarget: target,
        },
      },
      {
        kind: 'kubevirt_backup_error',
        subject: 'backups.longhorn.io longhorn-system/backup-0c7e',
        labels: {
          namespace: 'longhorn-system',
          name: 'backup-0c7e',
          source: 'pvc-1f2e',
          resource: 'backups.longhorn.io',
        },
        since: null,
        reclaimable: {},
        evidence: {
          resource: 'backups.longhorn.io',
          source: 'pvc-1f2e',
          state: 'Error',
          message: 'state Error',
          backupTarget: null,
        },
      },
    ]);
  });

  it('stays silent for completed and in-progress backups', () => {
    const s = kubeSnapshot({
      backups: [
        backup('ok'),
        backup('running', { readyToUse: false, state: null }),
        backup('lh', { resource: 'backups.longhorn.io', state: 'InProgress', readyToUse: null }),
      ],
    });
    assert.deepEqual(kubevirtBackupError.detect(s, ctx()), []);
  });
});
