// Whether the resource a finding named is still there, looked up by the finding's labels in its family's
// sections: for the reclaimed ledger, a finding that ends with its resource gone was given back (`gone`);
// one whose resource is still there is in use again (`healthy`). Null: the labels name nothing to look up.
import type { Snapshot } from '../snapshot/snapshot.js';
import { hasExited } from '../snapshot/procfs.js';

export type Labels = Readonly<Record<string, string | undefined>>;

/** The libvirt host family: processes, image files, PCI devices, mdevs, taps, domains. */
export function libvirtHostResourcePresent(l: Labels, s: Snapshot): boolean | null {
  // An exited process its parent has not reaped yet holds nothing: it is gone.
  if (l.pid !== undefined && s.procfs) return s.procfs.processes.some((p) => String(p.pid) === l.pid && !hasExited(p));
  if (l.image !== undefined && (s.pools || s.libvirt)) {
    const files = [...(s.pools?.images ?? []), ...(s.pools?.external ?? []), ...(s.libvirt?.files ?? [])];
    return files.some((f) => f.path === l.image && (!('exists' in f) || f.exists !== false));
  }
  if (l.address !== undefined && s.sysfs) return s.sysfs.pciDevices.some((d) => d.address === l.address);
  if (l.parent !== undefined && l.uuid !== undefined && s.sysfs) return s.sysfs.mdevs.some((m) => m.uuid === l.uuid);
  if (l.interface !== undefined && s.sysfs) return s.sysfs.taps.some((t) => t.name === l.interface);
  if (l.uuid !== undefined && s.libvirt) {
    const uuid = l.uuid.toLowerCase();
    return s.libvirt.domains.some((d) => d.uuid.toLowerCase() === uuid);
  }
  return null;
}

/** The KubeVirt family: the object by namespace and name among the watched kinds. */
export function kubevirtResourcePresent(l: Labels, s: Snapshot): boolean | null {
  const k = s.kubevirt;
  const name = l.name ?? l.pod;
  if (!k || name === undefined) return null;
  const ns = l.namespace ?? '';
  const same = (o: { namespace: string; name: string }) => o.namespace === ns && o.name === name;
  return [k.vms, k.vmis, k.pods, k.backups, k.deleting].some((list) =>
    (list as Array<{ namespace: string; name: string }>).some(same),
  );
}

/** The vSphere family: the VM by name on its vCenter. */
export function vsphereResourcePresent(l: Labels, s: Snapshot): boolean | null {
  const vc = s.vsphere?.vcenters.find((v) => v.vcenter === l.vcenter);
  if (!vc || l.vm === undefined) return null;
  return vc.vms.some((vm) => vm.name === l.vm);
}

/** The Hyper-V family: worker processes, VMs by name, files by path (compared as Windows does). */
export function hypervResourcePresent(l: Labels, s: Snapshot): boolean | null {
  const h = s.hyperv;
  if (!h) return null;
  if (l.pid !== undefined) return h.workers.some((w) => String(w.pid) === l.pid);
  if (l.vm !== undefined) return h.vms.some((vm) => vm.name === l.vm || `${vm.name} (${vm.id})` === l.vm);
  return null;
}
