// image_locked_by_foreign_process: a running domain's disk image (or a layer of its backing chain)
// is locked by a process that is not the qemu of a domain using it: a backup tool, an agent, a
// second qemu. Two guests sharing a read-only base both lock it; that is not foreign.
import type { ImageLockEvidence } from '../views/image-locks.js';
import type { Detector } from './detector.js';
import { isActive } from '../views/domain-processes.js';
import { imageLockFinding, strayLocks } from './lib/domain-files.js';

export const imageLockedByForeignProcess: Detector<
  'image_locked_by_foreign_process',
  ImageLockEvidence,
  'image' | 'domain' | 'uuid'
> = {
  kind: 'image_locked_by_foreign_process',
  labels: ['image', 'domain', 'uuid'],
  needs: ['libvirt', 'procfs', 'libvirt.local'],
  detect(s) {
    if (!s.libvirt || !s.procfs) return [];
    return strayLocks(s.libvirt, s.procfs).flatMap((lock) => {
      const active = lock.use.domains.find(isActive);
      return active ? [imageLockFinding('image_locked_by_foreign_process', lock, active)] : [];
    });
  },
};
