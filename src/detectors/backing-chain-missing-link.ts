// backing_chain_missing_link: a disk chain some defined domain references names a backing file
// that does not exist. The domain cannot start (or, running, lost a layer under it).
import type { Detector, FindingFrom } from './detector.js';
import { describeDomain } from './lib/domain-files.js';
import { diskChains } from '../views/disk-chains.js';

export interface BackingChainMissingLinkEvidence {
  /** The image whose header (or live XML) names the missing file. */
  image: string;
  missingBacking: string;
  /** The name as stored in the header (relative names are resolved against the image's directory). */
  backingName: string;
  chain: string[];
  domains: string[];
  targets: string[];
}

export const backingChainMissingLink: Detector<
  'backing_chain_missing_link',
  BackingChainMissingLinkEvidence,
  'image' | 'domain' | 'uuid'
> = {
  kind: 'backing_chain_missing_link',
  labels: ['image', 'domain', 'uuid'],
  needs: ['libvirt', 'pools', 'libvirt.local'],
  detect(s) {
    const { libvirt, pools } = s;
    if (!libvirt || !pools) return [];
    const byImage = new Map<string, FindingFrom<typeof backingChainMissingLink>>();
    for (const c of diskChains(libvirt, pools)) {
      if (!c.missing) continue;
      const existing = byImage.get(c.missing.image);
      const target = `${c.domain.name}:${c.disk.target}`;
      if (existing) {
        const dom = describeDomain(c.domain);
        if (!existing.evidence.domains.includes(dom)) existing.evidence.domains.push(dom);
        existing.evidence.targets.push(target);
        continue;
      }
      byImage.set(c.missing.image, {
        kind: 'backing_chain_missing_link',
        subject: c.missing.image,
        labels: { image: c.missing.image, domain: c.domain.name, uuid: c.domain.uuid },
        since: null,
        reclaimable: {},
        evidence: {
          image: c.missing.image,
          missingBacking: c.missing.backing,
          backingName: c.missing.raw,
          chain: c.links,
          domains: [describeDomain(c.domain)],
          targets: [target],
        },
      });
    }
    return [...byImage.values()];
  },
};
