// Recognises KubeVirt's qemu processes on a node: virt-launcher starts qemu with `-name guest=<namespace>_<vmi>`
// (the libvirt domain name KubeVirt derives from the VMI) and `-smbios type=1,…,manufacturer=KubeVirt,…,
// family=KubeVirt`. Namespaces and VMI names are DNS names, so the first underscore splits them. A libvirt
// guest that merely has an underscore in its name lacks the SMBIOS mark and is not taken for one. Its cgroup
// (read by the procfs source) names the launcher pod.
import type { ProcessInfo } from '../snapshot/procfs.js';
import { isQemuProcess, parseQemuGuest, splitQemuOptions } from './qemu-cmdline.js';

export interface KubevirtQemu {
  pid: number;
  namespace: string;
  vmi: string;
  /** The virt-launcher pod's uid, from the qemu's cgroup; null when it could not be read. */
  podUid: string | null;
  startTimeSeconds: number;
}

const DOMAIN_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)_([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

function hasKubevirtSmbios(argv: readonly string[]): boolean {
  for (let i = 1; i < argv.length - 1; i++) {
    if (argv[i] !== '-smbios') continue;
    const parts = splitQemuOptions(argv[i + 1] as string);
    if (parts.includes('type=1') && (parts.includes('manufacturer=KubeVirt') || parts.includes('family=KubeVirt')))
      return true;
  }
  return false;
}

export function kubevirtQemu(p: ProcessInfo): KubevirtQemu | null {
  if (!isQemuProcess(p) || !hasKubevirtSmbios(p.cmdline)) return null;
  const guest = parseQemuGuest(p);
  if (guest.capabilityProbe || guest.name === null) return null;
  const m = DOMAIN_NAME.exec(guest.name);
  if (!m) return null;
  return {
    pid: p.pid,
    namespace: m[1] as string,
    vmi: m[3] as string,
    podUid: p.podUid ?? null,
    startTimeSeconds: p.startTimeSeconds,
  };
}

export function kubevirtQemus(processes: readonly ProcessInfo[]): KubevirtQemu[] {
  return processes.flatMap((p) => kubevirtQemu(p) ?? []);
}
