// vSphere series beside the common ones: one info series per VM, the age of every snapshot, and
// the age and health of each datastore's file scan. Every series carries `vcenter`; per-VM series
// are capped by --vsphere.max-vm-series per vCenter, the rest counted.
import { Counter, Gauge } from 'prom-client';
import type { SectionMetricsFactory } from './section-metrics.js';

export const vsphereMetrics: SectionMetricsFactory = (registry, config) => {
  const r = [registry];
  const vmInfo = new Gauge<'vcenter' | 'vm' | 'host' | 'power_state' | 'connection_state'>({
    name: 'vmzombie_vsphere_vm_info',
    help: 'One series per vSphere VM or template, value 1.',
    labelNames: ['vcenter', 'vm', 'host', 'power_state', 'connection_state'],
    registers: r,
  });
  const snapshotAge = new Gauge<'vcenter' | 'vm' | 'snapshot'>({
    name: 'vmzombie_vsphere_snapshot_age_seconds',
    help: 'Age of each vSphere snapshot (now minus its createTime).',
    labelNames: ['vcenter', 'vm', 'snapshot'],
    registers: r,
  });
  const scanAge = new Gauge<'vcenter' | 'datastore'>({
    name: 'vmzombie_vsphere_datastore_scan_age_seconds',
    help: 'Seconds since the datastore was last listed by the file scan.',
    labelNames: ['vcenter', 'datastore'],
    registers: r,
  });
  const scanUp = new Gauge<'vcenter' | 'datastore'>({
    name: 'vmzombie_vsphere_datastore_scan_up',
    help: '1 when the last file scan of the datastore worked, 0 when it failed (reason on the landing page).',
    labelNames: ['vcenter', 'datastore'],
    registers: r,
  });
  const layoutsAge = new Gauge<'vcenter'>({
    name: 'vmzombie_vsphere_vm_layouts_age_seconds',
    help: "Seconds since the VMs' layoutEx was last read by the file scan.",
    labelNames: ['vcenter'],
    registers: r,
  });
  const dropped = new Counter<'vcenter'>({
    name: 'vmzombie_vsphere_series_dropped_total',
    help: 'Per-VM series left out by --vsphere.max-vm-series, summed over collections.',
    labelNames: ['vcenter'],
    registers: r,
  });
  return {
    update(snapshot) {
      for (const g of [vmInfo, snapshotAge, scanAge, scanUp, layoutsAge]) g.reset();
      const now = snapshot.takenAt;
      const max = config['vsphere.max-vm-series'];
      for (const vc of snapshot.vsphere?.vcenters ?? []) {
        const vcenter = vc.vcenter;
        const hosts = new Map(vc.hosts.map((h) => [h.moid, h.name]));
        let series = 0;
        let left = 0;
        for (const vm of vc.vms) {
          if (series >= max) {
            left += 1 + vm.snapshots.length;
            continue;
          }
          vmInfo.set(
            {
              vcenter,
              vm: vm.name,
              host: vm.host ? (hosts.get(vm.host) ?? vm.host) : '',
              power_state: vm.powerState,
              connection_state: vm.connectionState,
            },
            1,
          );
          series++;
          for (const snap of vm.snapshots) {
            if (snap.createTime === null) continue;
            if (series >= max) {
              left++;
              continue;
            }
            snapshotAge.set({ vcenter, vm: vm.name, snapshot: snap.name }, Math.max(0, now - snap.createTime));
            series++;
          }
        }
        dropped.inc({ vcenter }, left);
        if (vc.files.layoutsAt !== null) layoutsAge.set({ vcenter }, Math.max(0, now - vc.files.layoutsAt));
        for (const ds of vc.files.datastores) {
          scanUp.set({ vcenter, datastore: ds.datastore }, ds.error === null ? 1 : 0);
          if (ds.scannedAt !== null) scanAge.set({ vcenter, datastore: ds.datastore }, Math.max(0, now - ds.scannedAt));
        }
      }
    },
  };
};
