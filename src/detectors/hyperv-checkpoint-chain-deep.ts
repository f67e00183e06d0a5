// hyperv_checkpoint_chain_deep: a VM's checkpoint tree is deeper than
// --detect.hyperv-checkpoint-max-depth. Each level is one more .avhdx every read may walk, and
// deleting them later means long merges. Depth is counted through ParentSnapshotId.
import { int } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import { vmSubjects } from './lib/hyperv.js';

export interface HypervCheckpointChainDeepEvidence {
  vmId: string;
  depth: number;
  maxDepth: number;
  /** Checkpoint names from the root down to the deepest one. */
  chain: string[];
}

export const hypervCheckpointChainDeep: Detector<
  'hyperv_checkpoint_chain_deep',
  HypervCheckpointChainDeepEvidence,
  'vm',
  'detect.hyperv-checkpoint-max-depth'
> = {
  kind: 'hyperv_checkpoint_chain_deep',
  labels: ['vm'],
  knobs: {
    'detect.hyperv-checkpoint-max-depth': int(
      3,
      'A Hyper-V checkpoint tree deeper than this is hyperv_checkpoint_chain_deep.',
    ),
  },
  needs: ['hyperv'],
  detect(s, { options }) {
    const h = s.hyperv;
    if (!h) return [];
    const subjects = vmSubjects(h);
    const byId = new Map(h.checkpoints.map((c) => [c.id, c]));
    const deepest = new Map<string, string[]>();
    for (const cp of h.checkpoints) {
      const chain: string[] = [];
      const seen = new Set<string>();
      for (let c = byId.get(cp.id); c && !seen.has(c.id); c = c.parentId ? byId.get(c.parentId) : undefined) {
        seen.add(c.id);
        chain.unshift(c.name);
      }
      if (chain.length > (deepest.get(cp.vmId)?.length ?? 0)) deepest.set(cp.vmId, chain);
    }
    const out: Array<FindingFrom<typeof hypervCheckpointChainDeep>> = [];
    for (const [vmId, chain] of deepest) {
      if (chain.length <= options['detect.hyperv-checkpoint-max-depth']) continue;
      const vmName =
        h.vms.find((v) => v.id === vmId)?.name ?? h.checkpoints.find((c) => c.vmId === vmId)?.vmName ?? vmId;
      out.push({
        kind: 'hyperv_checkpoint_chain_deep',
        subject: subjects.get(vmId) ?? vmName,
        labels: { vm: vmName },
        since: null,
        reclaimable: {},
        evidence: { vmId, depth: chain.length, maxDepth: options['detect.hyperv-checkpoint-max-depth'], chain },
        refs: [`hyperv-vm:${vmId}`],
      });
    }
    return out;
  },
};
