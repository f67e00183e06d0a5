// image_locked_by_foreign_process: a running domain's disk image (or a layer of its backing chain)
// is locked by a process that is not the qemu of a domain using it: a backup tool, an agent, a
// second qemu. Two guests sharing a read-only base both lock it; that is not foreign.
import type { Detector, FindingOf } from './finding.js';
import { isActive } from './lib/domain-processes.js';
import { describeDomain, filesInUse, legitimateHolder } from './lib/domain-files.js';
import { LockTable } from './lib/image-locks.js';

export const imageLockedByForeignProcess: Detector<'image_locked_by_foreign_process'> = {
  kind: 'image_locked_by_foreign_process',
  needs: ['libvirt', 'procfs'],
  detect(s) {
    const { libvirt, procfs } = s;
    if (!libvirt || !procfs || !libvirt.local) return [];
    const locks = new LockTable(procfs);
    const legit = legitimateHolder(libvirt, procfs);
    const findings: Array<FindingOf<'image_locked_by_foreign_process'>> = [];
    for (const use of filesInUse(libvirt)) {
      const active = use.domains.filter(isActive);
      if (active.length === 0) continue;
      const foreign = locks.holdersOf(use.file).filter((h) => !legit(h, use));
      if (foreign.length === 0) continue;
      const first = active[0]!;
      findings.push({
        kind: 'image_locked_by_foreign_process',
        subject: use.file.path,
        labels: { image: use.file.path, domain: first.name, uuid: first.uuid },
        since: null,
        reclaimable: {},
        evidence: { image: use.file.path, domains: use.domains.map(describeDomain), holders: foreign },
      });
    }
    return findings;
  },
};
