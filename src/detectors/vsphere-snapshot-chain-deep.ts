// vsphere_snapshot_chain_deep: a VM's snapshot tree is deeper than --detect.snapshot-max-depth
// (VMware: 2–3 snapshots in a chain for good performance; 32 is the hard limit). Every level is
// one more delta disk each read may have to walk.
import { int } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import { vsphereVms } from './lib/vsphere.js';

export interface VsphereSnapshotChainDeepEvidence {
  vcenter: string;
  vmMoid: string;
  depth: number;
  maxDepth: number;
  /** Snapshot names from the root down to the deepest one. */
  chain: string[];
}

export const vsphereSnapshotChainDeep: Detector<
  'vsphere_snapshot_chain_deep',
  VsphereSnapshotChainDeepEvidence,
  'vcenter' | 'vm',
  'detect.snapshot-max-depth'
> = {
  kind: 'vsphere_snapshot_chain_deep',
  labels: ['vcenter', 'vm'],
  knobs: {
    'detect.snapshot-max-depth': int(3, 'A vSphere snapshot tree deeper than this is vsphere_snapshot_chain_deep.'),
  },
  needs: ['vsphere'],
  detect(s, { options }) {
    const out: Array<FindingFrom<typeof vsphereSnapshotChainDeep>> = [];
    for (const { vc, vm, subject } of vsphereVms(s)) {
      let deepest = -1;
      for (const [i, snap] of vm.snapshots.entries())
        if (deepest < 0 || snap.depth > (vm.snapshots[deepest]?.depth ?? 0)) deepest = i;
      const leaf = vm.snapshots[deepest];
      if (!leaf || leaf.depth <= options['detect.snapshot-max-depth']) continue;
      const chain: string[] = [];
      for (let i: number | null = deepest; i !== null; i = vm.snapshots[i]?.parent ?? null)
        chain.unshift(vm.snapshots[i]?.name ?? '?');
      out.push({
        kind: 'vsphere_snapshot_chain_deep',
        subject,
        labels: { vcenter: vc.vcenter, vm: vm.name },
        since: null,
        reclaimable: {},
        evidence: {
          vcenter: vc.vcenter,
          vmMoid: vm.moid,
          depth: leaf.depth,
          maxDepth: options['detect.snapshot-max-depth'],
          chain,
        },
      });
    }
    return out;
  },
};
