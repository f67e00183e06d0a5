// snapshot_chain_deep: a domain disk whose chain (active layer plus backing files) is deeper than
// --detect.max-chain-depth. Every layer costs a lookup on reads; long chains come from external
// snapshots or backups that were never committed (blockcommit) back.
import { int } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import { diskChains, ImageIndex } from '../views/disk-chains.js';

export interface SnapshotChainDeepEvidence {
  depth: number;
  maxDepth: number;
  chain: string[];
  /** Snapshots libvirt has metadata for (the whole domain, internal and external). */
  libvirtSnapshots: number | null;
  /** Internal snapshots stored in the chain's qcow2 files (nb_snapshots of their headers). */
  internalSnapshotsInChain: number;
  /** The chain loops back on itself (a corrupted or hand-edited header). */
  loop: boolean;
}

export const snapshotChainDeep: Detector<
  'snapshot_chain_deep',
  SnapshotChainDeepEvidence,
  'domain' | 'uuid' | 'target',
  'detect.max-chain-depth'
> = {
  kind: 'snapshot_chain_deep',
  labels: ['domain', 'uuid', 'target'],
  knobs: {
    'detect.max-chain-depth': int(
      8,
      'A disk chain (active layer plus backing files) deeper than this is snapshot_chain_deep.',
    ),
  },
  needs: ['libvirt', 'pools', 'libvirt.local'],
  detect(s, { options }) {
    const { libvirt, pools } = s;
    if (!libvirt || !pools) return [];
    const index = new ImageIndex(pools);
    const findings: Array<FindingFrom<typeof snapshotChainDeep>> = [];
    for (const c of diskChains(libvirt, pools)) {
      if (c.depth <= options['detect.max-chain-depth']) continue;
      findings.push({
        kind: 'snapshot_chain_deep',
        subject: `${c.domain.name} (${c.domain.uuid}) ${c.disk.target}`,
        labels: { domain: c.domain.name, uuid: c.domain.uuid, target: c.disk.target },
        since: null,
        reclaimable: {},
        evidence: {
          depth: c.depth,
          maxDepth: options['detect.max-chain-depth'],
          chain: c.links,
          libvirtSnapshots: c.domain.snapshots ?? null,
          internalSnapshotsInChain: c.links.reduce((sum, p) => sum + (index.byPath.get(p)?.internalSnapshots ?? 0), 0),
          loop: c.loop,
        },
      });
    }
    return findings;
  },
};
