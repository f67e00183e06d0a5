// Makes a snapshot safe to attach to a public bug report: command lines cut to what detection reads
// (a qemu's guest name, uuid, vCPUs, memory, machine type; the program name of anything else), host
// and user names replaced by stable placeholders everywhere, credentials in URLs dropped. The same
// name always gets the same placeholder, so the redacted snapshot gives the same findings.
import type { Snapshot } from '../snapshot/snapshot.js';
import type { ProcessInfo } from '../snapshot/procfs.js';
import { isQemuProcess, parseQemuGuest } from '../views/qemu-cmdline.js';

const LOCAL_HOSTS = new Set(['', 'localhost', '127.0.0.1', '::1', '[::1]']);

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Only the arguments `parseQemuGuest` reads, rebuilt so that it reads the same values back. */
export function redactCmdline(p: ProcessInfo): string[] {
  // Kernel threads have none; keep it that way.
  if (p.cmdline.length === 0) return [];
  const argv0 = basename(p.cmdline[0] as string);
  if (!isQemuProcess(p)) return [argv0];
  const g = parseQemuGuest(p);
  const out = [argv0];
  if (g.name !== null) out.push('-name', `guest=${g.name.replace(/,/g, ',,')}`);
  if (g.uuid !== null) out.push('-uuid', g.uuid);
  out.push('-smp', String(g.vcpus));
  if (g.memoryBytes !== null) out.push('-m', `${Math.round(g.memoryBytes / 1024)}k`);
  if (g.capabilityProbe) out.push('-machine', 'none');
  return out;
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).hostname || null;
  } catch {
    return null;
  }
}

class Names {
  private readonly map = new Map<string, string>();
  constructor(private readonly prefix: string) {}
  add(name: string | null | undefined): void {
    if (!name || LOCAL_HOSTS.has(name) || this.map.has(name)) return;
    this.map.set(name, `${this.prefix}-${this.map.size + 1}`);
  }
  entries(): Array<[string, string]> {
    return [...this.map];
  }
}

/** Every host name the snapshot carries: this host, remote libvirt/API/vCenter hosts, ESXi hosts, nodes. */
function collectHosts(s: Snapshot, hosts: Names): void {
  hosts.add(s.hostname);
  hosts.add(s.hostname.split('.')[0]);
  if (s.libvirt) hosts.add(hostOf(s.libvirt.uri));
  if (s.kubevirt) {
    hosts.add(hostOf(s.kubevirt.server));
    const placed: Array<{ nodeName?: string | null }> = [...s.kubevirt.pods, ...s.kubevirt.vmis];
    for (const o of placed) hosts.add(o.nodeName);
  }
  for (const h of s.virthandler?.handlers ?? []) hosts.add(h.node);
  // File servers of shared storage: the `server` of an NFS/GlusterFS source `server:/export`.
  for (const m of s.pools?.sharedMounts ?? []) hosts.add(/^([^:/,\s]+):\//.exec(m.store)?.[1]);
  for (const vc of s.vsphere?.vcenters ?? []) {
    hosts.add(vc.vcenter.replace(/:\d+$/, ''));
    for (const h of vc.hosts) hosts.add(h.name);
  }
}

/** User names seen in home directories anywhere in the snapshot. */
function collectUsers(value: unknown, users: Names): void {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\/(?:home|Users)\/([^/\s,'"]+)/g)) users.add(m[1]);
  } else if (Array.isArray(value)) {
    for (const v of value) collectUsers(v, users);
  } else if (value && typeof value === 'object') {
    for (const v of Object.values(value)) collectUsers(v, users);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function redactSnapshot(snapshot: Snapshot): Snapshot {
  const s = structuredClone(snapshot);
  if (s.procfs) for (const p of s.procfs.processes) p.cmdline = redactCmdline(p);
  const hosts = new Names('host');
  collectHosts(s, hosts);
  const users = new Names('user');
  collectUsers(s, users);
  // Longest first, so "hv1.example.com" is replaced whole before "hv1"; whole words only.
  const pairs = [...hosts.entries(), ...users.entries()].sort((a, b) => b[0].length - a[0].length);
  const names = pairs.map(([n]) => escapeRegExp(n)).join('|');
  const pattern = pairs.length ? new RegExp(`(?<![\\w.-])(?:${names})(?![\\w-])`, 'g') : null;
  const lookup = new Map(pairs);
  const fix = (text: string): string => {
    // Credentials a URL carries (qemu+ssh://root@hv2/system, https://user:pw@vc/sdk) are never kept.
    const noUserInfo = text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1');
    return pattern ? noUserInfo.replace(pattern, (m) => lookup.get(m) ?? m) : noUserInfo;
  };
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return fix(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  return walk(s) as Snapshot;
}
