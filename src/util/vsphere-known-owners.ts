// Known owners on vSphere: VMs and datastore files another product creates and removes on its own
// (Horizon replicas, App Volumes, vSphere Replication, SRM placeholders, vCLS, extension-managed VMs).
// They are never reported as orphans, leftovers or long powered-off VMs. Entries: `vm:<glob>` (VM name),
// `extension:<glob>` (config.managedBy.extensionKey), `path:<glob>` ("datastore/folder/file").

/** The built-in known owners (--vsphere.default-known-owners); docs/vsphere.md lists why each is here. */
export const DEFAULT_KNOWN_OWNERS: readonly string[] = [
  // Horizon instant/linked clones: replicas, templates and parents the Connection Server manages.
  'vm:cp-replica-*',
  'vm:cp-template-*',
  'vm:cp-parent-*',
  'vm:replica-*',
  // vSphere Cluster Services agent VMs.
  'vm:vCLS*',
  // Any VM an extension manages (SRM placeholders com.vmware.vcDr, vCLS/EAM com.vmware.vim.eam, Horizon, VR).
  'extension:*',
  // App Volumes writable volumes and packages: attached only while a user is logged on.
  'path:*/cloudvolumes/*',
  'path:*/appvolumes/*',
  // vSphere Replication target disks and configs (hbrdisk.RDID-*, hbrcfg.GID-*, hbrgrp.GID-*).
  'path:*/hbrdisk.RDID-*',
  'path:*/hbrcfg.GID-*',
  'path:*/hbrgrp.GID-*',
];

/** The list in effect: the operator's entries, after the defaults unless those are turned off. */
export function knownOwnersInEffect(extra: readonly string[], defaults: boolean): string[] {
  return [...(defaults ? DEFAULT_KNOWN_OWNERS : []), ...extra];
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

export interface KnownOwners {
  vm(name: string, extensionKey: string | null): string | null;
  /** `path` as "datastore/relative/path". */
  path(datastore: string, path: string): string | null;
}

/** A matcher over the entries; each test answers the entry that matched (for evidence) or null. */
export function knownOwners(entries: readonly string[] | undefined): KnownOwners {
  const parsed = (entries ?? DEFAULT_KNOWN_OWNERS).map((e) => {
    const i = e.indexOf(':');
    return { entry: e, type: e.slice(0, i), re: globToRegExp(e.slice(i + 1)) };
  });
  const find = (type: string, value: string) => parsed.find((p) => p.type === type && p.re.test(value))?.entry ?? null;
  return {
    vm: (name, extensionKey) => find('vm', name) ?? (extensionKey ? find('extension', extensionKey) : null),
    path: (datastore, path) => find('path', `${datastore}/${path}`),
  };
}

/** Why an entry is malformed, or null: checked when the flag is parsed. */
export function knownOwnerError(entry: string): string | null {
  const i = entry.indexOf(':');
  const type = i < 0 ? '' : entry.slice(0, i);
  return ['vm', 'extension', 'path'].includes(type) && entry.length > i + 1
    ? null
    : `--vsphere.known-owner: expected vm:<glob>, extension:<glob> or path:<glob>, got "${entry}"`;
}
