// hyperv_leftover_avhdx: a VM's current disk chain still holds a differencing disk (.avhdx/.avhd)
// although Get-VMSnapshot lists no checkpoint of that VM: a merge that never ran or failed
// (Hyper-V-VMMS event 19100 without 19080), typically after a backup. Hyper-V merges right after a
// checkpoint is deleted, so the state must last --detect.hyperv-merge-grace before it is reported.
// Nothing is reclaimed by merging as such (the blocks move into the parent); the evidence gives sizes.
import { duration } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import { chainOf, vhdsByPath } from './lib/hyperv.js';

export interface HypervLeftoverAvhdxEvidence {
  vmId: string;
  vmState: string;
  /** The drive's chain from the file the VM writes to down to its base disk. */
  chain: Array<{ path: string; vhdType: string | null; fileSizeBytes: number | null }>;
}

const DIFFERENCING_FILE = /\.avhdx?$/i;

export const hypervLeftoverAvhdx: Detector<
  'hyperv_leftover_avhdx',
  HypervLeftoverAvhdxEvidence,
  'vm',
  'detect.hyperv-merge-grace'
> = {
  kind: 'hyperv_leftover_avhdx',
  labels: ['vm'],
  knobs: {
    'detect.hyperv-merge-grace': duration(
      '2h',
      'Time a Hyper-V VM without checkpoints may still run on a .avhdx (its merge in progress) before ' +
        'hyperv_leftover_avhdx is reported.',
    ),
  },
  grace: 'detect.hyperv-merge-grace',
  needs: ['hyperv'],
  detect(s) {
    const h = s.hyperv;
    if (!h) return [];
    const vhds = vhdsByPath(h);
    const withCheckpoints = new Set(h.checkpoints.map((c) => c.vmId));
    const out: Array<FindingFrom<typeof hypervLeftoverAvhdx>> = [];
    for (const vm of h.vms) {
      if (withCheckpoints.has(vm.id)) continue;
      for (const drive of h.drives.filter((d) => d.vmId === vm.id && d.checkpointId === null)) {
        const chain = chainOf(drive.path, vhds);
        const leftovers = chain.filter((v) => DIFFERENCING_FILE.test(v.path));
        if (leftovers.length === 0) continue;
        out.push({
          kind: 'hyperv_leftover_avhdx',
          subject: leftovers[0]?.path ?? drive.path,
          labels: { vm: vm.name },
          since: null,
          reclaimable: {},
          evidence: {
            vmId: vm.id,
            vmState: vm.state,
            chain: chain.map((v) => ({ path: v.path, vhdType: v.vhdType, fileSizeBytes: v.fileSizeBytes })),
          },
          refs: [`hyperv-vm:${vm.id}`, ...leftovers.map((v) => `file:${v.path.toLowerCase()}`)],
        });
      }
    }
    return out;
  },
};
