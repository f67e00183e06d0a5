// Shared pure helpers of the hyperv detectors: subjects for VMs, paths compared as Windows does
// (case-insensitive, either slash), the set of files some VM or checkpoint uses through its chain,
// and the facts a hyperv detector may need beyond the section being fresh.
import type { Snapshot } from '../../snapshot/snapshot.js';
import type { HypervSection, HypervVhd, HypervVm } from '../../snapshot/hyperv.js';

/** Facts about the hyperv section a detector may need (see `hypervFactFails`). */
export type HypervFact = 'hyperv.workers-attributable' | 'hyperv.files-scanned';

/** Why a fact does not hold for this snapshot, or null when it does. */
export function hypervFactFails(fact: HypervFact, s: Snapshot): string | null {
  const h = s.hyperv;
  if (!h) return null;
  if (fact === 'hyperv.workers-attributable') {
    if (!h.host.elevated)
      return 'the collector is not elevated: vmwp.exe command lines read as null, so no worker can be tied to its VM';
    if (!h.host.computeSystemsListed)
      return 'Host Compute Service systems (WSL2, containers) could not be listed: their workers look like ghosts';
    return null;
  }
  if (h.files.scannedAt === null)
    return `no file scan of the VM directories has finished yet${h.files.error ? ` (${h.files.error})` : ''}`;
  return null;
}

/** A Windows path as a comparable key: lower-case, backslashes, no trailing separator. */
export function pathKey(p: string): string {
  return p.replace(/\//g, '\\').replace(/\\+$/, '').toLowerCase();
}

export function dirOf(p: string): string {
  const i = p.replace(/\//g, '\\').lastIndexOf('\\');
  return i < 0 ? '' : p.slice(0, i);
}

/** The VM's name, or "name (id)" when two VMs share it, so findings never merge. */
export function vmSubjects(h: HypervSection): Map<string, string> {
  const count = new Map<string, number>();
  for (const vm of h.vms) count.set(vm.name, (count.get(vm.name) ?? 0) + 1);
  return new Map(h.vms.map((vm) => [vm.id, (count.get(vm.name) ?? 0) > 1 ? `${vm.name} (${vm.id})` : vm.name]));
}

export function vhdsByPath(h: HypervSection): Map<string, HypervVhd> {
  return new Map(h.vhds.map((v) => [pathKey(v.path), v]));
}

/** The files of a chain from `path` down to its base disk, as far as Get-VHD could read it. */
export function chainOf(path: string, vhds: Map<string, HypervVhd>): HypervVhd[] {
  const out: HypervVhd[] = [];
  const seen = new Set<string>();
  for (let key: string | null = pathKey(path); key !== null && !seen.has(key);) {
    seen.add(key);
    const vhd = vhds.get(key);
    if (!vhd) break;
    out.push(vhd);
    key = vhd.parentPath ? pathKey(vhd.parentPath) : null;
  }
  return out;
}

/** Every file a VM or one of its checkpoints uses, directly or as any parent in its chain (path keys). */
export function referencedPaths(h: HypervSection): Set<string> {
  const vhds = vhdsByPath(h);
  const out = new Set<string>();
  for (const d of h.drives) {
    out.add(pathKey(d.path));
    for (const v of chainOf(d.path, vhds)) {
      out.add(pathKey(v.path));
      if (v.parentPath) out.add(pathKey(v.parentPath));
    }
  }
  return out;
}

export function vmById(h: HypervSection): Map<string, HypervVm> {
  return new Map(h.vms.map((vm) => [vm.id, vm]));
}
