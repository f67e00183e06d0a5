// hyperv_ghost_worker: a vmwp.exe worker process whose VM GUID (second token of its command line)
// is neither a VM Get-VM lists nor a Host Compute Service system (WSL2, Docker Desktop, multipass,
// container utility VMs run in vmwp.exe too, and Get-VM never lists them): the worker outlived its
// VM and holds its memory. GUIDs are compared lower-case (vmwp.exe writes them upper-case). Needs
// an elevated collector (else command lines read as null) and the compute systems listed.
import type { Detector, FindingFrom } from './detector.js';

export interface HypervGhostWorkerEvidence {
  pid: number;
  vmId: string;
  commandLine: string;
  startTime: string | null;
  workingSetBytes: number | null;
  /** How many VMs Get-VM listed and compute systems were known, to show the GUID was looked for. */
  vmsListed: number;
  computeSystemsListed: number;
}

export const hypervGhostWorker: Detector<'hyperv_ghost_worker', HypervGhostWorkerEvidence, 'pid' | 'vm_id'> = {
  kind: 'hyperv_ghost_worker',
  labels: ['pid', 'vm_id'],
  needs: ['hyperv', 'hyperv.workers-attributable'],
  detect(s) {
    const h = s.hyperv;
    if (!h) return [];
    const known = new Set([...h.vms.map((v) => v.id), ...h.computeSystems.map((c) => c.id)]);
    const out: Array<FindingFrom<typeof hypervGhostWorker>> = [];
    for (const w of h.workers) {
      if (w.vmId === null || w.commandLine === null || known.has(w.vmId)) continue;
      out.push({
        kind: 'hyperv_ghost_worker',
        subject: `vmwp.exe pid ${w.pid} (VM ${w.vmId})`,
        labels: { pid: String(w.pid), vm_id: w.vmId },
        since: null,
        reclaimable: w.workingSetBytes !== null ? { memoryBytes: w.workingSetBytes } : {},
        evidence: {
          pid: w.pid,
          vmId: w.vmId,
          commandLine: w.commandLine,
          startTime: w.startTime !== null ? new Date(w.startTime * 1000).toISOString() : null,
          workingSetBytes: w.workingSetBytes,
          vmsListed: h.vms.length,
          computeSystemsListed: h.computeSystems.length,
        },
        refs: [`hyperv-vm:${w.vmId}`],
      });
    }
    return out;
  },
};
