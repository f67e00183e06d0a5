// image_locked_while_domain_inactive: every domain using an image is shut off, yet something still
// locks it, so the guest cannot start again and the holder is usually a leftover qemu or tool.
// A base image shared with a running guest is locked by that guest's qemu: that does not count.
import type { Detector, FindingOf } from './finding.js';
import { isActive } from './lib/domain-processes.js';
import { describeDomain, filesInUse, legitimateHolder } from './lib/domain-files.js';
import { LockTable } from './lib/image-locks.js';

export const imageLockedWhileDomainInactive: Detector<'image_locked_while_domain_inactive'> = {
  kind: 'image_locked_while_domain_inactive',
  needs: ['libvirt', 'procfs'],
  detect(s) {
    const { libvirt, procfs } = s;
    if (!libvirt || !procfs || !libvirt.local) return [];
    const locks = new LockTable(procfs);
    const legit = legitimateHolder(libvirt, procfs);
    const findings: Array<FindingOf<'image_locked_while_domain_inactive'>> = [];
    for (const use of filesInUse(libvirt)) {
      const inactive = use.domains.filter((d) => !isActive(d));
      if (inactive.length === 0) continue;
      const stray = locks.holdersOf(use.file).filter((h) => !legit(h, use));
      // Any active user makes this the other detector's case (a foreign lock on a live image).
      if (stray.length === 0 || use.domains.some(isActive)) continue;
      const first = inactive[0]!;
      findings.push({
        kind: 'image_locked_while_domain_inactive',
        subject: use.file.path,
        labels: { image: use.file.path, domain: first.name, uuid: first.uuid },
        since: null,
        reclaimable: {},
        evidence: { image: use.file.path, domains: use.domains.map(describeDomain), holders: stray },
      });
    }
    return findings;
  },
};
