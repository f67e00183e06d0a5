// mdev_without_domain: a mediated device (vGPU instance) that no running domain uses and no
// process holds. libvirt never removes mdevs, so one made for a deleted VM keeps its share of the
// parent GPU until someone removes it.
import type { Detector, FindingFrom } from './detector.js';
import { vfioUsage } from '../views/vfio.js';

export interface MdevWithoutDomainEvidence {
  uuid: string;
  parent: string;
  type: string | null;
  iommuGroup: string | null;
  /** Shut-off domains that list this mdev. */
  definedBy: string[];
}

export const mdevWithoutDomain: Detector<'mdev_without_domain', MdevWithoutDomainEvidence, 'uuid' | 'parent' | 'type'> =
  {
    kind: 'mdev_without_domain',
    labels: ['uuid', 'parent', 'type'],
    needs: ['sysfs', 'libvirt', 'procfs', 'libvirt.local', 'procfs.unrestricted'],
    detect(s) {
      const { sysfs, libvirt, procfs } = s;
      if (!sysfs || !libvirt || !procfs) return [];
      const usage = vfioUsage(sysfs, libvirt, procfs);
      return sysfs.mdevs
        .filter((m) => !usage.mdevUsers.has(m.uuid) && !(m.iommuGroup !== null && usage.groupHolders.has(m.iommuGroup)))
        .map((m): FindingFrom<typeof mdevWithoutDomain> => ({
          kind: 'mdev_without_domain',
          subject: m.uuid,
          labels: { uuid: m.uuid, parent: m.parent, type: m.type ?? '' },
          since: null,
          reclaimable: { devices: 1 },
          evidence: {
            uuid: m.uuid,
            parent: m.parent,
            type: m.type,
            iommuGroup: m.iommuGroup,
            definedBy: libvirt.domains
              .filter((d) => d.hostdevs.some((h) => h.type === 'mdev' && h.address.toLowerCase() === m.uuid))
              .map((d) => `${d.name} (${d.uuid}) ${d.state}`),
          },
        }));
    },
  };
