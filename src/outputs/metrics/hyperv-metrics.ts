// Hyper-V series beside the common ones: one info series per VM (a VM that is off has one too,
// which performance counters cannot give), the age of every checkpoint, the vmwp.exe workers by
// whether Hyper-V or the Host Compute Service knows their VM, whether the collector runs elevated,
// and the age and health of the file scan. Per-VM series are capped by --findings.max-per-kind. No
// series at all where the hyperv collector does not run (the `host` label is the Windows host's name).
import { Counter, Gauge } from 'prom-client';
import type { SectionMetricsFactory } from './section-metrics.js';

export const hypervMetrics: SectionMetricsFactory = (registry, config) => {
  const r = [registry];
  const vmInfo = new Gauge<'vm' | 'vm_id' | 'state' | 'automatic_start_action'>({
    name: 'vmzombie_hyperv_vm_info',
    help: 'One series per Hyper-V VM, value 1; state and automatic start action by name.',
    labelNames: ['vm', 'vm_id', 'state', 'automatic_start_action'],
    registers: r,
  });
  const checkpointAge = new Gauge<'vm' | 'checkpoint'>({
    name: 'vmzombie_hyperv_checkpoint_age_seconds',
    help: 'Age of each Hyper-V checkpoint (now minus its CreationTime).',
    labelNames: ['vm', 'checkpoint'],
    registers: r,
  });
  const workers = new Gauge<'owner'>({
    name: 'vmzombie_hyperv_workers',
    help: 'vmwp.exe worker processes by who runs their VM: vm (Get-VM), compute (Host Compute Service), none, unknown.',
    labelNames: ['owner'],
    registers: r,
  });
  const elevated = new Gauge<'host'>({
    name: 'vmzombie_hyperv_collector_elevated',
    help: '1 when the Hyper-V collector runs elevated (worker command lines readable), else 0.',
    labelNames: ['host'],
    registers: r,
  });
  const scanAge = new Gauge<'host'>({
    name: 'vmzombie_hyperv_file_scan_age_seconds',
    help: 'Seconds since the Hyper-V file scan last listed the VM directories.',
    labelNames: ['host'],
    registers: r,
  });
  const scanUp = new Gauge<'host'>({
    name: 'vmzombie_hyperv_file_scan_up',
    help: '1 when the last Hyper-V file scan worked in every directory, 0 otherwise (reason on the landing page).',
    labelNames: ['host'],
    registers: r,
  });
  const dropped = new Counter<'host'>({
    name: 'vmzombie_hyperv_series_dropped_total',
    help: 'Per-VM and per-checkpoint series left out by --findings.max-per-kind, summed over collections.',
    labelNames: ['host'],
    registers: r,
  });
  return {
    update(snapshot) {
      for (const g of [vmInfo, checkpointAge, workers, elevated, scanAge, scanUp]) g.reset();
      const h = snapshot.hyperv;
      if (!h) return;
      const max = config['findings.max-per-kind'];
      const host = h.host.name;
      let left = 0;
      for (const [i, vm] of h.vms.entries()) {
        if (i >= max) left++;
        else
          vmInfo.set(
            { vm: vm.name, vm_id: vm.id, state: vm.state, automatic_start_action: vm.automaticStartAction },
            1,
          );
      }
      for (const [i, cp] of h.checkpoints.entries()) {
        if (cp.creationTime === null) continue;
        if (i >= max) left++;
        else checkpointAge.set({ vm: cp.vmName, checkpoint: cp.name }, Math.max(0, snapshot.takenAt - cp.creationTime));
      }
      dropped.inc({ host }, left);
      const vmIds = new Set(h.vms.map((v) => v.id));
      const computeIds = new Set(h.computeSystems.map((c) => c.id));
      const counts = { vm: 0, compute: 0, none: 0, unknown: 0 };
      for (const w of h.workers) {
        if (w.vmId === null) counts.unknown++;
        else if (vmIds.has(w.vmId)) counts.vm++;
        else if (computeIds.has(w.vmId)) counts.compute++;
        else counts.none++;
      }
      for (const [owner, n] of Object.entries(counts)) workers.set({ owner }, n);
      elevated.set({ host }, h.host.elevated ? 1 : 0);
      if (h.files.scannedAt !== null) scanAge.set({ host }, Math.max(0, snapshot.takenAt - h.files.scannedAt));
      scanUp.set({ host }, h.files.error === null && h.files.dirs.every((d) => d.error === null) ? 1 : 0);
    },
  };
};
