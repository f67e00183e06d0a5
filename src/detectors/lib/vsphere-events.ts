// Who removed a VM and when, from the VmRemovedEvent vCenter still holds (its event retention, 30 days
// by default): matched by the VM's moid, else by its name (a folder's name, a .vmx's base name).
import type { Vcenter } from '../../snapshot/vsphere.js';

export interface Removal {
  user: string;
  time: string;
  vm: string;
}

export function removalOf(vc: Vcenter, moid: string | null, names: readonly string[]): Removal | null {
  const removed = (vc.files.events ?? []).filter((e) => e.type === 'VmRemovedEvent');
  const hit =
    (moid ? removed.find((e) => e.vmMoid === moid) : undefined) ??
    removed.filter((e) => names.includes(e.vm)).sort((a, b) => b.time - a.time)[0];
  return hit ? { user: hit.user, time: new Date(hit.time * 1000).toISOString(), vm: hit.vm } : null;
}

/** The VM names a datastore folder may have held: the folder's own name and its .vmx files' base names. */
export function namesOfFolder(folder: string, vmx: readonly string[]): string[] {
  const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);
  return [base(folder), ...vmx.map((p) => base(p).replace(/\.vmtx?$/, ''))];
}
