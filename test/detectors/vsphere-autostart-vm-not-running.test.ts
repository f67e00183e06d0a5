// Table for vsphere_autostart_vm_not_running: autostart powerOn, VM off, host long up, no HA.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { vsphereAutostartVmNotRunning } from '../../src/detectors/vsphere-autostart-vm-not-running.js';
import type { VsphereHost } from '../../src/snapshot/vsphere.js';
import { HOUR, NOW, ctx, host, snapshotOf, summary, vcenter, vm } from './vsphere-fixture.js';

const auto = (vms: string[], startDelay = 0, enabled: boolean | null = true): VsphereHost['autoStart'] => ({
  enabled,
  defaultStartDelay: 120,
  powerInfo: vms.map((v, i) => ({ vm: `vm-${v}`, startAction: 'powerOn', startDelay, startOrder: i + 1 })),
});

describe('vsphere_autostart_vm_not_running', () => {
  const off = (name: string, h = 'host-1') => vm(name, { powerState: 'poweredOff', host: h });

  it('reports a powered-off autostart VM on a standalone host up for two days', () => {
    const s = snapshotOf(
      vcenter({ hosts: [host('host-1', { autoStart: auto(['app', 'running']) })], vms: [off('app'), vm('running')] }),
    );
    const f = vsphereAutostartVmNotRunning.detect(s, ctx());
    assert.deepEqual(summary(f), ['vsphere_autostart_vm_not_running app']);
    assert.deepEqual(f[0]?.labels, { vcenter: 'vc1:443', vm: 'app', host: 'esx-host-1' });
  });

  it(
    'stays silent: HA cluster, HA unknown, autostart disabled, young host, long delays, host down or in ' +
      'maintenance, startAction none',
    () => {
      const cases: Array<[string, VsphereHost, Array<{ moid: string; name: string; haEnabled: boolean | null }>]> = [
        [
          'HA cluster',
          host('host-1', { parent: { type: 'ClusterComputeResource', value: 'c1' }, autoStart: auto(['app']) }),
          [{ moid: 'c1', name: 'c1', haEnabled: true }],
        ],
        [
          'HA unknown',
          host('host-1', { parent: { type: 'ClusterComputeResource', value: 'c1' }, autoStart: auto(['app']) }),
          [{ moid: 'c1', name: 'c1', haEnabled: null }],
        ],
        ['autostart disabled', host('host-1', { autoStart: auto(['app'], 0, false) }), []],
        ['host booted 5 minutes ago', host('host-1', { bootTime: NOW - 300, autoStart: auto(['app']) }), []],
        [
          'start delays longer than the uptime',
          host('host-1', { bootTime: NOW - HOUR, autoStart: auto(['app'], 3500) }),
          [],
        ],
        ['host not responding', host('host-1', { connectionState: 'notResponding', autoStart: auto(['app']) }), []],
        ['maintenance mode', host('host-1', { inMaintenanceMode: true, autoStart: auto(['app']) }), []],
        ['no boot time', host('host-1', { bootTime: null, autoStart: auto(['app']) }), []],
        [
          'startAction none',
          host('host-1', {
            autoStart: {
              enabled: true,
              defaultStartDelay: 0,
              powerInfo: [{ vm: 'vm-app', startAction: 'none', startDelay: 0, startOrder: 1 }],
            },
          }),
          [],
        ],
      ];
      for (const [name, h, clusters] of cases) {
        const s = snapshotOf(vcenter({ hosts: [h], clusters, vms: [off('app')] }));
        assert.deepEqual(vsphereAutostartVmNotRunning.detect(s, ctx()), [], name);
      }
    },
  );

  it('reports on a cluster host when the cluster runs without HA; the host default delay counts for -1', () => {
    const h = host('host-1', {
      bootTime: NOW - 700,
      parent: { type: 'ClusterComputeResource', value: 'c1' },
      autoStart: auto(['app'], -1),
    });
    const s = snapshotOf(
      vcenter({ hosts: [h], clusters: [{ moid: 'c1', name: 'c1', haEnabled: false }], vms: [off('app')] }),
    );
    assert.deepEqual(vsphereAutostartVmNotRunning.detect(s, ctx()), [], '700 s < 120 s default delay + 600 s grace');
    const later = snapshotOf(
      vcenter({
        hosts: [{ ...h, bootTime: NOW - 800 }],
        clusters: [{ moid: 'c1', name: 'c1', haEnabled: false }],
        vms: [off('app')],
      }),
    );
    assert.deepEqual(summary(vsphereAutostartVmNotRunning.detect(later, ctx())), [
      'vsphere_autostart_vm_not_running app',
    ]);
  });
});
