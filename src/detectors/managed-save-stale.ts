// managed_save_stale: a domain with a managed-save image (`virsh managedsave`) nobody has resumed for
// longer than the grace, dated by the image's mtime where the save directory is readable; and a
// `.save` file in that directory whose domain has no managed save (or is gone). Each holds a RAM-sized
// file, and a domain with one cannot be undefined without --managed-save.
import path from 'node:path';
import { duration } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';
import { domainOwner, ownerLabel, type Owner } from '../views/libvirt-owner.js';

export interface ManagedSaveEvidence {
  /** null for a save file whose domain no longer exists. */
  domainState: string | null;
  /** What libvirt says: the domain has a managed save. False for a file libvirt no longer counts. */
  libvirtManagedSave: boolean;
  file: string | null;
  fileBytes: number | null;
  fileMtimeSeconds: number | null;
  owner: Owner | null;
}

export const managedSaveStale: Detector<
  'managed_save_stale',
  ManagedSaveEvidence,
  'domain' | 'uuid' | 'owner',
  'detect.managed-save-grace'
> = {
  kind: 'managed_save_stale',
  labels: ['domain', 'uuid', 'owner'],
  knobs: {
    'detect.managed-save-grace': duration(
      '7d',
      'How old a managed-save image (by its mtime, else since first seen) may be before managed_save_stale.',
    ),
  },
  grace: 'detect.managed-save-grace',
  needs: ['libvirt'],
  detect(s) {
    const libvirt = s.libvirt;
    if (!libvirt) return [];
    const files = new Map((libvirt.saveFiles ?? []).map((f) => [path.basename(f.path, '.save'), f]));
    const findings: Array<FindingFrom<typeof managedSaveStale>> = [];
    const claimed = new Set<string>();
    for (const d of libvirt.domains) {
      if (!d.managedSave) continue;
      const f = files.get(d.name);
      claimed.add(d.name);
      const owner = domainOwner(d);
      findings.push({
        kind: 'managed_save_stale',
        subject: `${d.name} (${d.uuid})`,
        labels: { domain: d.name, uuid: d.uuid, owner: ownerLabel(owner) },
        since: f?.mtimeSeconds ?? null,
        reclaimable: { diskBytes: f?.allocatedBytes ?? 0 },
        evidence: {
          domainState: d.state,
          libvirtManagedSave: true,
          file: f?.path ?? null,
          fileBytes: f?.allocatedBytes ?? null,
          fileMtimeSeconds: f?.mtimeSeconds ?? null,
          owner,
        },
        refs: [`domain:${d.uuid}`, ...(f ? [`file:${f.path}`] : [])],
      });
    }
    const byName = new Map(libvirt.domains.map((d) => [d.name, d]));
    for (const [name, f] of files) {
      if (claimed.has(name) || !f.exists) continue;
      const d = byName.get(name);
      // A running domain's save file is being written or read right now (a save or restore in progress).
      if (d && d.state !== 'shutoff') continue;
      findings.push({
        kind: 'managed_save_stale',
        subject: f.path,
        labels: { domain: name, uuid: d?.uuid ?? '', owner: '' },
        since: f.mtimeSeconds,
        reclaimable: { diskBytes: f.allocatedBytes ?? 0 },
        evidence: {
          domainState: d?.state ?? null,
          libvirtManagedSave: false,
          file: f.path,
          fileBytes: f.allocatedBytes,
          fileMtimeSeconds: f.mtimeSeconds,
          owner: null,
        },
        refs: [`file:${f.path}`],
      });
    }
    return findings;
  },
};
