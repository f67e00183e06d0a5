// image_locked_while_domain_inactive: every domain using an image is shut off, yet something still
// locks it, so the guest cannot start again and the holder is usually a leftover qemu or tool.
// A base image shared with a running guest is locked by that guest's qemu: that does not count.
import type { ImageLockEvidence } from '../views/image-locks.js';
import type { Detector } from './detector.js';
import { isActive } from '../views/domain-processes.js';
import { imageLockFinding, strayLocks } from './lib/domain-files.js';

export const imageLockedWhileDomainInactive: Detector<
  'image_locked_while_domain_inactive',
  ImageLockEvidence,
  'image' | 'domain' | 'uuid'
> = {
  kind: 'image_locked_while_domain_inactive',
  labels: ['image', 'domain', 'uuid'],
  needs: ['libvirt', 'procfs', 'libvirt.local'],
  detect(s) {
    if (!s.libvirt || !s.procfs) return [];
    // Any active user makes it the other kind's case (a foreign lock on a live image).
    return strayLocks(s.libvirt, s.procfs).flatMap((lock) =>
      lock.use.domains.some(isActive)
        ? []
        : [imageLockFinding('image_locked_while_domain_inactive', lock, lock.use.domains[0]!)],
    );
  },
};
