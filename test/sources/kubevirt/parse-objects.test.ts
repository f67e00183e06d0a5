import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import {
  parseLonghornBackup,
  parseMeta,
  parsePod,
  parseQuantity,
  parseVmBackup,
  podMetricsMemory,
  timestampSeconds,
} from '../../../src/sources/kubevirt/parse-objects.js';
import * as k from '../../support/kubevirt-objects.js';

describe('kube object parsers', () => {
  it('reads quantities in binary, decimal and exponent forms', () => {
    assert.equal(parseQuantity('1600Mi'), 1600 * 2 ** 20);
    assert.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30);
    assert.equal(parseQuantity('128974848'), 128974848);
    assert.equal(parseQuantity('129e6'), 129e6);
    assert.equal(parseQuantity('1G'), 1e9);
    assert.equal(parseQuantity('500m'), 0.5);
    assert.throws(() => parseQuantity('12 MiB'), /unreadable quantity "12 MiB"/);
  });

  it('reads timestamps as the watch (string) and the typed list (Date) give them', () => {
    assert.equal(timestampSeconds('2026-11-23T09:00:00Z'), Date.UTC(2026, 10, 23, 9) / 1000);
    assert.equal(timestampSeconds(new Date(Date.UTC(2026, 10, 23, 9))), Date.UTC(2026, 10, 23, 9) / 1000);
    assert.equal(timestampSeconds(undefined), null);
    assert.throws(() => timestampSeconds('yesterday'), /unreadable timestamp/);
  });

  it('reads a stuck Harvester VM deletion', () => {
    const m = parseMeta(
      k.vm('default', 'web', 'Terminating', {
        deletionTimestamp: 1795420000,
        finalizers: ['wrangler.cattle.io/VMController.CleanupPVCAndSnapshot'],
      }),
    );
    assert.equal(m.deletionTimestamp, 1795420000);
    assert.deepEqual(m.finalizers, ['wrangler.cattle.io/VMController.CleanupPVCAndSnapshot']);
    assert.throws(() => parseMeta({ metadata: {} }), /without metadata.name/);
  });

  it('reads virt-handler limits and working set', () => {
    const p = parsePod(k.handlerPod('harvester-system', 'virt-handler-a', 'node-1', 2));
    assert.deepEqual(
      [p.component, p.memoryLimitBytes, p.memoryRequestBytes, p.restartsTotal, p.nodeName],
      ['virt-handler', 1600 * 2 ** 20, 325 * 2 ** 20, 2, 'node-1'],
    );
    assert.equal(
      podMetricsMemory(k.podMetrics('harvester-system', 'virt-handler-a', '1550Mi'), 'virt-handler'),
      1550 * 2 ** 20,
    );
  });

  it('reads backup errors from status.error, the InProgress condition and Longhorn state', () => {
    const b = parseVmBackup(
      k.vmBackup('default', 'b1', 'vm1', {
        error: { time: 1795420000, message: 'backups.longhorn.io "backup-1" not found' },
      }),
    );
    assert.deepEqual(
      [b.error, b.errorSince, b.state, b.source, b.backupTarget],
      [
        'backups.longhorn.io "backup-1" not found',
        1795420000,
        'Error',
        'vm1',
        { endpoint: 'https://s3.example.com', bucket: 'harvester-backups' },
      ],
    );
    const conditionOnly = k.vmBackup('default', 'b2', 'vm1', {
      error: { time: 1795420000, message: 'target unreachable' },
    }) as { status: Record<string, unknown> };
    delete conditionOnly.status.error;
    assert.equal(parseVmBackup(conditionOnly).error, 'target unreachable');
    assert.equal(parseVmBackup(k.vmBackup('default', 'ok', 'vm1')).error, null);
    assert.equal(
      parseLonghornBackup(
        k.longhornBackup('longhorn-system', 'backup-1', 'pvc-1', 'Error', 'failed to get backup target'),
      ).error,
      'failed to get backup target',
    );
    assert.equal(
      parseLonghornBackup(k.longhornBackup('longhorn-system', 'backup-2', 'pvc-1', 'Completed')).error,
      null,
    );
  });
});
