// vmzombie_kubevirt_qemu_info: one series per KubeVirt qemu, its launcher pod's uid as pod_uid (empty when the
// cgroup was not read), rebuilt on every collection.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { defaultConfig } from '../../src/flags.js';
import { kubevirtQemuMetrics } from '../../src/outputs/metrics/kubevirt-qemu-metrics.js';
import { parsePromText, series } from '../support/prom-text.js';
import { proc, procfs, snapshot } from '../support/node-snapshot.js';

const launcher = (vmi: string) => [
  '/usr/libexec/qemu-kvm',
  '-name',
  `guest=vms_${vmi},debug-threads=on`,
  '-smbios',
  'type=1,manufacturer=KubeVirt,family=KubeVirt',
];

describe('vmzombie_kubevirt_qemu_info', () => {
  it('carries the launcher pod uid, one series per qemu, and drops a qemu that is gone', async () => {
    const registry = new Registry();
    const m = kubevirtQemuMetrics(registry, defaultConfig());
    const uid = '5f3c1b2a-7d41-4a4e-9b1f-0a2b3c4d5e6f';
    m.update(
      snapshot({
        procfs: procfs([
          proc(4242, 'qemu-kvm', launcher('web'), { podUid: uid }),
          proc(4343, 'qemu-kvm', launcher('db')),
        ]),
      }),
    );
    const info = () => registry.metrics().then((t) => series(parsePromText(t), 'vmzombie_kubevirt_qemu_info'));
    assert.deepEqual((await info()).map((s) => [s.labels.vmi, s.labels.pid, s.labels.pod_uid ?? '', s.value]).sort(), [
      ['db', '4343', '', 1],
      ['web', '4242', uid, 1],
    ]);
    m.update(snapshot({ procfs: procfs([proc(4343, 'qemu-kvm', launcher('db'))]) }));
    assert.deepEqual(
      (await info()).map((s) => s.labels.vmi),
      ['db'],
    );
  });
});
