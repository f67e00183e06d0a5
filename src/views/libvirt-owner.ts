// Who a libvirt resource belongs to, where the host records it: OpenStack nova's metadata in the
// domain XML (project), a KubeVirt launcher's domain name (namespace), Proxmox-style `vm-<id>-`
// volume names, nova's `<instance uuid>_disk` RBD images. The label is one short word per finding.
import type { Domain } from '../snapshot/libvirt.js';

export interface Owner {
  /** nova, kubevirt, proxmox. */
  system: string;
  /** nova project, KubeVirt namespace, Proxmox vmid, nova instance uuid (from a volume name). */
  project: string | null;
  name: string | null;
}

const PROXMOX = /^(?:vm|base)-(\d{1,9})-/;
const NOVA_DISK = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})_disk(?:\.\w+)?$/;

export function domainOwner(d: Pick<Domain, 'owner'>): Owner | null {
  return d.owner ?? null;
}

/** From a volume or image name alone. */
export function volumeOwner(name: string): Owner | null {
  const px = PROXMOX.exec(name);
  if (px) return { system: 'proxmox', project: px[1] as string, name: null };
  const nova = NOVA_DISK.exec(name);
  if (nova) return { system: 'nova', project: null, name: nova[1] as string };
  return null;
}

/** `system:project` (or `system:name`); empty when the host records no owner. */
export function ownerLabel(owner: Owner | null): string {
  if (!owner) return '';
  return `${owner.system}:${owner.project ?? owner.name ?? ''}`;
}
