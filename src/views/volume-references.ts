// Which storage volumes the defined domains use, by every way a domain can name one: pool and volume
// name (type='volume' disks), host path, network source name (an RBD `pool/image`), a backing file of
// a used volume or of a live chain, a boot file, a path in libvirt's snapshot metadata.
import type { LibvirtSection } from '../snapshot/libvirt.js';
import type { StoragePool, StorageVolume } from '../snapshot/libvirt-storage.js';

/** Far beyond any real chain; stops a looping chain. */
const MAX_LINKS = 256;

export const volumeKey = (pool: string, name: string) => `${pool}\u0000${name}`;

/** The names a volume answers to: its path, its key, and `<source name>/<volume>` for network pools. */
export function volumeNames(v: StorageVolume, pool: StoragePool | undefined): string[] {
  const names = [v.key];
  if (v.path) names.push(v.path);
  if (pool?.sourceName) names.push(`${pool.sourceName}/${v.name}`);
  // libvirt writes an RBD volume's path as `rbd:pool/image`.
  if (v.path?.startsWith('rbd:')) names.push(v.path.slice(4));
  return names;
}

/** Keys (pool + volume name) of every used volume, with what uses each (a domain name, or "snapshot metadata"). */
export function usedVolumes(libvirt: LibvirtSection, snapshotPaths: readonly string[]): Map<string, string> {
  const storage = libvirt.storage;
  const used = new Map<string, string>();
  if (!storage) return used;
  const pools = new Map(storage.pools.map((p) => [p.name, p]));
  const byName = new Map<string, StorageVolume>();
  for (const v of storage.volumes) for (const n of volumeNames(v, pools.get(v.pool))) byName.set(n, v);
  const mark = (v: StorageVolume | undefined, by: string) => {
    // Follow the volume's own backing chain: a base image is used by whoever uses its overlay.
    for (let i = 0; v && i < MAX_LINKS; i++) {
      const k = volumeKey(v.pool, v.name);
      if (used.has(k)) return;
      used.set(k, by);
      v = v.backing ? byName.get(v.backing) : undefined;
    }
  };
  const byKey = new Map(storage.volumes.map((v) => [volumeKey(v.pool, v.name), v]));
  for (const d of libvirt.domains) {
    for (const disk of d.disks) {
      if (disk.volume) mark(byKey.get(volumeKey(disk.volume.pool, disk.volume.volume)), d.name);
      if (disk.source) mark(byName.get(disk.source), d.name);
      if (disk.network) mark(byName.get(disk.network.name), d.name);
      for (const p of disk.backingChain) mark(byName.get(p), d.name);
      if (disk.mirror?.source) mark(byName.get(disk.mirror.source), d.name);
    }
    for (const p of d.bootFiles ?? []) mark(byName.get(p), d.name);
  }
  for (const p of snapshotPaths) mark(byName.get(p), 'snapshot metadata');
  return used;
}
