// qemu_without_domain: a qemu guest process that no active libvirt domain owns. libvirt lost track
// of it (a crashed or restarted daemon, a half-finished destroy) or someone started it by hand; it
// still holds the guest's memory, vCPUs and disk locks. libvirt's capability probes are not guests.
// Its disks are part of this finding: an image it holds that no domain references is reported here,
// with its bytes, and never as orphan_image (deleting a running guest's disk is data loss).
import type { Detector, FindingFrom } from './detector.js';
import type { ProcfsSection } from '../snapshot/procfs.js';
import type { LibvirtSection } from '../snapshot/libvirt.js';
import type { PoolsSection } from '../snapshot/pools.js';
import { indexDomainProcesses } from '../views/domain-processes.js';
import { domainFiles } from './lib/domain-files.js';
import { fileId, ImageIndex } from '../views/disk-chains.js';
import { commandLineText } from '../views/command-line-mask.js';

export interface GhostDisk {
  path: string;
  /** Bytes the file occupies (st_blocks × 512), when the pools source read it. */
  allocatedBytes: number | null;
  /** Defined domains whose disks or chains name this file; empty: only this process uses it. */
  referencedBy: string[];
  /** /proc/locks lines this process holds on the file (through its fds). */
  locks: string[];
}

export interface QemuWithoutDomainEvidence {
  pid: number;
  comm: string;
  cmdline: string;
  startedAt: number;
  rssBytes: number | null;
  guestName: string | null;
  guestUuid: string | null;
  /** A defined domain with this name or uuid, and its state, when there is one. */
  definedDomain: string | null;
  /** Regular files the process holds open (its disks, usually). */
  openFiles: string[];
  /** The disk images among them: known images, files a domain references, or files it locks. */
  disks: GhostDisk[];
}

export const qemuWithoutDomain: Detector<'qemu_without_domain', QemuWithoutDomainEvidence, 'guest' | 'uuid' | 'pid'> = {
  kind: 'qemu_without_domain',
  labels: ['guest', 'uuid', 'pid'],
  needs: ['libvirt', 'procfs', 'libvirt.local', 'procfs.unrestricted'],
  detect(s) {
    const { libvirt, procfs, pools } = s;
    if (!libvirt || !procfs) return [];
    const index = indexDomainProcesses(libvirt.domains, procfs);
    const disksOf = ghostDisks(libvirt, procfs, pools);
    const findings: Array<FindingFrom<typeof qemuWithoutDomain>> = [];
    for (const { process: p, guest } of index.qemus) {
      if (index.ownedPids.has(p.pid)) continue;
      const defined = libvirt.domains.find(
        (d) =>
          (guest.uuid !== null && d.uuid.toLowerCase() === guest.uuid) ||
          (guest.name !== null && d.name === guest.name),
      );
      const label = guest.name ?? `pid ${p.pid}`;
      const disks = disksOf(p.pid);
      findings.push({
        kind: 'qemu_without_domain',
        subject: `${label} (pid ${p.pid})`,
        labels: { guest: guest.name ?? '', uuid: guest.uuid ?? '', pid: String(p.pid) },
        // Not the process start time: a guest's qemu can take many seconds to exit after
        // `virsh destroy` (freeing a large guest's memory), so the grace counts from first sight.
        since: null,
        reclaimable: {
          vcpus: guest.vcpus,
          memoryBytes: p.rssBytes ?? guest.memoryBytes ?? 0,
          // Only disks no domain references: a defined domain's image is that domain's, not reclaimable.
          diskBytes: disks.reduce((sum, d) => sum + (d.referencedBy.length === 0 ? (d.allocatedBytes ?? 0) : 0), 0),
        },
        evidence: {
          pid: p.pid,
          comm: p.comm,
          cmdline: commandLineText(p.cmdline, 1024),
          startedAt: p.startTimeSeconds,
          rssBytes: p.rssBytes,
          guestName: guest.name,
          guestUuid: guest.uuid,
          definedDomain: defined ? `${defined.name} (${defined.uuid}) ${defined.state}` : null,
          openFiles: procfs.openFiles.filter((f) => f.pid === p.pid && f.target.startsWith('/')).map((f) => f.target),
          disks,
        },
        refs: [...disks.map((d) => `file:${d.path}`), ...(defined ? [`domain:${defined.uuid.toLowerCase()}`] : [])],
      });
    }
    return findings;
  },
};

/** The disks each process holds, one entry per file (a file opened through several fds once). */
function ghostDisks(
  libvirt: LibvirtSection,
  procfs: ProcfsSection,
  pools: PoolsSection | undefined,
): (pid: number) => GhostDisk[] {
  const images = new ImageIndex(pools);
  const users = new Map<string, string[]>();
  for (const d of libvirt.domains) {
    for (const path of domainFiles(d))
      users.set(path, [...(users.get(path) ?? []), `${d.name} (${d.uuid}) ${d.state}`]);
  }
  // Chains the pools source followed through headers count as referenced too (a shut-off domain's XML has none).
  for (const d of libvirt.domains) {
    for (const start of domainFiles(d)) {
      let next = images.byPath.get(start)?.backing?.path ?? null;
      for (let hops = 0; next !== null && hops < 256; hops++) {
        const list = users.get(next) ?? [];
        if (!list.includes(`${d.name} (${d.uuid}) ${d.state}`))
          users.set(next, [...list, `${d.name} (${d.uuid}) ${d.state}`]);
        next = images.byPath.get(next)?.backing?.path ?? null;
      }
    }
  }
  const stats = new Map(libvirt.files.map((f) => [f.path, f]));
  const cmdlines = new Map(procfs.processes.map((p) => [p.pid, p.cmdline]));
  return (pid) => {
    const byFile = new Map<string, GhostDisk>();
    const seenIds = new Set<string>();
    for (const f of procfs.openFiles) {
      if (f.pid !== pid || !f.target.startsWith('/')) continue;
      const path = f.target.replace(/ \(deleted\)$/, '');
      const image = images.get(
        path,
        f.inode !== null && f.devMajor !== null ? fileId(f.devMajor, f.devMinor, f.inode) : null,
      );
      // Not every locked file is a disk (qemu locks its pid file too): a known image, a file a domain
      // names, or one its command line names as a drive.
      const isDisk =
        image !== undefined || users.has(path) || stats.has(path) || namedOnCommandLine(cmdlines.get(pid) ?? [], path);
      if (!isDisk) continue;
      const disk = byFile.get(path) ?? {
        path,
        allocatedBytes: null,
        referencedBy: users.get(path) ?? users.get(image?.path ?? '') ?? [],
        locks: [],
      };
      // A file open under two names (a hard link) counts its bytes once.
      const id = image?.inode != null ? fileId(image.devMajor, image.devMinor, image.inode) : null;
      if (disk.allocatedBytes === null && image && !(id !== null && seenIds.has(id))) {
        disk.allocatedBytes = image.allocatedBytes;
        if (id !== null) seenIds.add(id);
      }
      for (const l of f.locks) if (!disk.locks.includes(l.raw)) disk.locks.push(l.raw);
      byFile.set(path, disk);
    }
    return [...byFile.values()];
  };
}

/** `-drive file=PATH,…` (commas doubled in PATH) or a -blockdev JSON `"filename":"PATH"`. */
function namedOnCommandLine(args: readonly string[], path: string): boolean {
  const escaped = path.replace(/,/g, ',,');
  return args.some(
    (a) =>
      a.includes(`file=${escaped},`) ||
      a.endsWith(`file=${escaped}`) ||
      a.includes(`"filename":${JSON.stringify(path)}`),
  );
}
