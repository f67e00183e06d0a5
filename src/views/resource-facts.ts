// What the resource a finding names carries itself, per family: its keep marker (with where it was read)
// and its owner. Each lookup indexes its section once per evaluation and then answers by a finding's labels.
import type { ResourceKeep } from '../snapshot/keep.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { Domain } from '../snapshot/libvirt.js';
import type { VsphereVm } from '../snapshot/vsphere.js';
import { domainOwner, ownerLabel } from './libvirt-owner.js';
import { EMPTY, namesOf, nsName, perList } from './kube-index.js';
import type { KubePod } from '../snapshot/kube.js';

export type Labels = Readonly<Record<string, string | undefined>>;

export interface FactsOfResource {
  keep: { keep: ResourceKeep; origin: string } | null;
  owner: { label: string; detail: string } | null;
}

/**
 * The libvirt host family: a finding that names a domain (labels `domain` and `uuid`: its state, its disk
 * chains, its images' locks, its block jobs) carries the domain's marker and owner.
 */
export function libvirtResources(s: Snapshot): (l: Labels) => FactsOfResource | null {
  const byUuid = new Map<string, Domain>();
  for (const d of s.libvirt?.domains ?? []) byUuid.set(d.uuid.toLowerCase(), d);
  return (l) => {
    if (l.domain === undefined || !l.uuid) return null;
    const d = byUuid.get(l.uuid.toLowerCase());
    if (!d) return null;
    const owner = domainOwner(d);
    return {
      keep: d.keep ? { keep: d.keep, origin: `<metadata> of domain ${d.name} (${d.uuid})` } : null,
      owner: owner
        ? {
            label: ownerLabel(owner),
            detail: [owner.system, owner.project && `project ${owner.project}`, owner.name && `name ${owner.name}`]
              .filter(Boolean)
              .join(', '),
          }
        : null,
    };
  };
}

const VM_RESOURCE = 'virtualmachines.kubevirt.io';
const VMI_RESOURCE = 'virtualmachineinstances.kubevirt.io';

/**
 * The KubeVirt family: the object a finding names (namespace and name, or pod; its `resource` label when it
 * has one) carries its own marker; without one, its VirtualMachine's marker covers it (the VMI of the same
 * name, the launcher pod by its `vm.kubevirt.io/name` label), so one annotation on the VM covers the guest.
 * The owner is the namespace, with the owning VM in the details.
 */
const vmOfPods = perList((pods: readonly KubePod[]) => new Map(pods.map((p) => [nsName(p), p.vmName])));

export function kubevirtResources(s: Snapshot): (l: Labels) => FactsOfResource | null {
  const k = s.kubevirt;
  const marks = new Map<string, Array<{ resource: string; keep: ResourceKeep }>>();
  for (const m of k?.keepMarkers ?? []) {
    const key = `${m.namespace}/${m.name}`;
    marks.set(key, [...(marks.get(key) ?? []), { resource: m.resource, keep: m.keep }]);
  }
  const vmOfPod = vmOfPods(k?.pods ?? EMPTY);
  const vms = namesOf(k?.vms ?? EMPTY);
  return (l) => {
    const name = l.name ?? l.pod;
    if (!k || name === undefined || l.namespace === undefined) return null;
    const ns = l.namespace;
    const resource = l.resource ?? (l.pod !== undefined ? 'pods' : undefined);
    const own = (marks.get(`${ns}/${name}`) ?? []).find((m) => resource === undefined || m.resource === resource);
    const vm =
      resource === 'pods'
        ? (vmOfPod.get(`${ns}/${name}`) ?? null)
        : resource === undefined || resource === VM_RESOURCE || resource === VMI_RESOURCE
          ? vms.has(`${ns}/${name}`)
            ? name
            : null
          : null;
    const ofVm = own || vm === null ? undefined : marks.get(`${ns}/${vm}`)?.find((m) => m.resource === VM_RESOURCE);
    const mark = own ?? ofVm;
    const where = own ? `${own.resource} ${ns}/${name}` : `${VM_RESOURCE} ${ns}/${vm ?? ''}`;
    return {
      keep: mark ? { keep: mark.keep, origin: `annotation vmzombie.io/keep on ${where}` } : null,
      owner: {
        label: `kubevirt:${ns}`,
        detail: vm === null ? `namespace ${ns}` : `namespace ${ns}, VirtualMachine ${vm}`,
      },
    };
  };
}

/**
 * The vSphere family: a finding that names a VM (labels `vcenter` and `vm`) carries the marker of its
 * `vmzombie.keep` custom attribute; its owner is its resource pool (below the root pool) or else its folder
 * (below the datacenter's VM folder), where teams are given their share.
 */
export function vsphereResources(s: Snapshot): (l: Labels) => FactsOfResource | null {
  const byName = new Map<string, VsphereVm>();
  for (const vc of s.vsphere?.vcenters ?? [])
    for (const vm of vc.vms)
      if (!byName.has(`${vc.vcenter}\u0000${vm.name}`)) byName.set(`${vc.vcenter}\u0000${vm.name}`, vm);
  return (l) => {
    if (l.vcenter === undefined || l.vm === undefined) return null;
    const vm = byName.get(`${l.vcenter}\u0000${l.vm}`);
    if (!vm) return null;
    const detail = [vm.folder && `folder ${vm.folder}`, vm.resourcePool && `resource pool ${vm.resourcePool}`]
      .filter(Boolean)
      .join(', ');
    const team = vm.resourcePool ?? vm.folder;
    return {
      keep: vm.keep
        ? { keep: vm.keep, origin: `custom attribute vmzombie.keep of VM ${vm.name} on ${l.vcenter}` }
        : null,
      owner: team ? { label: `vsphere:${team}`, detail } : null,
    };
  };
}
