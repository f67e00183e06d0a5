// domain_shut_off_long: a persistent domain shut off for longer than the grace (30 days by default),
// still holding its disks. The stop is dated by libvirt's qemu log of the domain (its last "shutting
// down" line, else the log's mtime), which survives exporter and libvirtd restarts; a domain with no
// log on this host is not judged, nor one with a managed save (managed_save_stale). Templates carry
// a marker (metadata in urn:vmzombie:template).
import { duration } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import type { Domain, LibvirtSection } from '../snapshot/libvirt.js';
import { domainOwner, ownerLabel, type Owner } from '../views/libvirt-owner.js';
import { volumeKey } from '../views/volume-references.js';

export interface ShutOffEvidence {
  reason: string;
  shutOffSince: number;
  /** qemu-log: the log's last "shutting down" line; qemu-log-mtime: the log's mtime (less exact). */
  record: string;
  autostart: boolean;
  /** Disks no other defined domain references, with the bytes each holds. */
  ownDisks: Array<{ path: string; bytes: number | null }>;
  owner: Owner | null;
}

export const domainShutOffLong: Detector<
  'domain_shut_off_long',
  ShutOffEvidence,
  'domain' | 'uuid' | 'owner',
  'detect.shut-off-grace'
> = {
  kind: 'domain_shut_off_long',
  labels: ['domain', 'uuid', 'owner'],
  knobs: {
    'detect.shut-off-grace': duration(
      '30d',
      'How long a persistent domain may stay shut off (dated by its qemu log) before domain_shut_off_long.',
    ),
  },
  grace: 'detect.shut-off-grace',
  needs: ['libvirt', 'libvirt.local', 'libvirt.shut-off-dated'],
  detect(s) {
    const libvirt = s.libvirt;
    if (!libvirt?.shutOff) return [];
    const records = new Map(libvirt.shutOff.map((r) => [r.uuid, r]));
    const findings: Array<FindingFrom<typeof domainShutOffLong>> = [];
    for (const d of libvirt.domains) {
      const rec = records.get(d.uuid);
      // A managed-saved domain is managed_save_stale's: it is saved, not merely off.
      if (!rec || d.state !== 'shutoff' || !d.persistent || d.template || d.managedSave) continue;
      const ownDisks = disksOnlyOf(d, libvirt);
      const owner = domainOwner(d);
      findings.push({
        kind: 'domain_shut_off_long',
        subject: `${d.name} (${d.uuid})`,
        labels: { domain: d.name, uuid: d.uuid, owner: ownerLabel(owner) },
        since: rec.since,
        reclaimable: { diskBytes: ownDisks.reduce((n, x) => n + (x.bytes ?? 0), 0) },
        evidence: {
          reason: d.reason,
          shutOffSince: rec.since,
          record: rec.record,
          autostart: d.autostart,
          ownDisks,
          owner,
        },
        refs: [`domain:${d.uuid}`],
      });
    }
    return findings;
  },
};

/** The disks (active layer and chain, or pool volume) that no other defined domain references. */
function disksOnlyOf(d: Domain, libvirt: LibvirtSection): Array<{ path: string; bytes: number | null }> {
  const others = new Set<string>();
  for (const o of libvirt.domains) {
    if (o.uuid === d.uuid) continue;
    for (const k of o.disks) {
      if (k.source) others.add(k.source);
      for (const p of k.backingChain) others.add(p);
      if (k.volume) others.add(volumeKey(k.volume.pool, k.volume.volume));
    }
  }
  const stats = new Map(libvirt.files.map((f) => [f.path, f]));
  const volumes = new Map((libvirt.storage?.volumes ?? []).map((v) => [volumeKey(v.pool, v.name), v]));
  const out: Array<{ path: string; bytes: number | null }> = [];
  for (const k of d.disks) {
    if (k.readonly || k.shareable || k.device === 'cdrom') continue;
    if (k.volume) {
      const key = volumeKey(k.volume.pool, k.volume.volume);
      if (!others.has(key))
        out.push({ path: `${k.volume.pool}/${k.volume.volume}`, bytes: volumes.get(key)?.allocationBytes ?? null });
      continue;
    }
    if (k.source && !others.has(k.source))
      out.push({ path: k.source, bytes: stats.get(k.source)?.allocatedBytes ?? null });
  }
  return out;
}
