// Snapshot literals for detector tables: small builders with healthy defaults, overridden per case.
import type { Domain, DomainDisk, FileStat, LibvirtSection } from '../../src/snapshot/libvirt.js';
import type { ImageFile, PoolsSection } from '../../src/snapshot/pools.js';
import type { OpenFile, ProcessInfo, ProcfsSection } from '../../src/snapshot/procfs.js';
import type { PciDevice, SysfsSection } from '../../src/snapshot/sysfs.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';
import type { DetectContext } from '../../src/detectors/detector.js';
import { detectContext, type Knobs } from './detect-context.js';

export const NOW = 1_800_000_000;

export const ctx = (options: Partial<Knobs> = {}): DetectContext<string> =>
  detectContext(NOW, { 'detect.orphan-min-age': 3600, 'detect.max-chain-depth': 8, ...options });

let uuidSeq = 0;
export function domain(name: string, over: Partial<Domain> = {}): Domain {
  const n = (++uuidSeq).toString(16).padStart(12, '0');
  return {
    name,
    uuid: `00000000-0000-4000-8000-${n}`,
    id: null,
    state: 'running',
    reason: 'booted',
    autostart: false,
    persistent: true,
    snapshots: 0,
    vcpus: 1,
    memoryBytes: 32 * 1024 ** 2,
    hugepages: false,
    disks: [],
    hostdevs: [],
    interfaces: [],
    bootFiles: [],
    pid: null,
    ...over,
  };
}

export function disk(source: string, backingChain: string[] = [], target = 'vda'): DomainDisk {
  return {
    target,
    device: 'disk',
    type: 'file',
    source,
    readonly: false,
    shareable: false,
    backingChain,
    volume: null,
  };
}

export function fileStat(p: string, inode: number, exists = true): FileStat {
  return {
    path: p,
    exists,
    inode: exists ? inode : null,
    devMajor: exists ? 8 : null,
    devMinor: exists ? 1 : null,
    sizeBytes: exists ? 1 << 20 : null,
    allocatedBytes: exists ? 1 << 20 : null,
    mtimeSeconds: exists ? NOW - 86400 : null,
    error: null,
  };
}

export function libvirt(domains: Domain[], files: FileStat[] = [], over: Partial<LibvirtSection> = {}): LibvirtSection {
  return { uri: 'qemu:///system', local: true, domains, files, problems: [], ...over };
}

let inodeSeq = 5000;
export function image(p: string, over: Partial<ImageFile> = {}): ImageFile {
  return {
    path: p,
    pool: 'default',
    exists: true,
    format: 'qcow2',
    sizeBytes: 10 << 30,
    allocatedBytes: 200 << 20,
    inode: ++inodeSeq,
    devMajor: 8,
    devMinor: 1,
    mtimeSeconds: NOW - 7 * 86400,
    backing: null,
    internalSnapshots: 0,
    error: null,
    ...over,
  };
}

export function backedBy(p: string, format = 'qcow2'): ImageFile['backing'] {
  return { raw: p, path: p, format };
}

export function pools(images: ImageFile[], external: ImageFile[] = []): PoolsSection {
  return {
    pools: [{ name: 'default', path: '/var/lib/libvirt/images', origin: 'libvirt', readable: true }],
    images,
    external,
    problems: [],
  };
}

export function proc(
  pid: number,
  comm: string,
  cmdline: string[] = [comm],
  over: Partial<ProcessInfo> = {},
): ProcessInfo {
  return {
    pid,
    ppid: 1,
    comm,
    state: 'S',
    cmdline,
    uid: 0,
    startTimeSeconds: NOW - 3600,
    rssBytes: 1 << 20,
    hugetlbBytes: 0,
    ...over,
  };
}

/** The qemu of a libvirt domain, as libvirt starts it. */
export function qemuOf(pid: number, d: Domain): ProcessInfo {
  return proc(
    pid,
    'qemu-system-x86',
    ['/usr/bin/qemu-system-x86_64', '-name', `guest=${d.name},debug-threads=on`, '-uuid', d.uuid, '-m', '32'],
    { rssBytes: 40 << 20 },
  );
}

export function fd(pid: number, n: number, target: string, over: Partial<OpenFile> = {}): OpenFile {
  return {
    pid,
    fd: n,
    target,
    inode: null,
    devMajor: null,
    devMinor: null,
    mntId: null,
    locks: [],
    tapInterface: null,
    vfioDeviceSyspath: null,
    ...over,
  };
}

export function procfs(
  processes: ProcessInfo[],
  openFiles: OpenFile[] = [],
  over: Partial<ProcfsSection> = {},
): ProcfsSection {
  return {
    bootTimeSeconds: NOW - 86400 * 10,
    restricted: false,
    processes: [proc(1, 'init'), ...processes],
    openFiles,
    locks: [],
    problems: [],
    ...over,
  };
}

export function pci(address: string, over: Partial<PciDevice> = {}): PciDevice {
  return {
    address,
    vendor: '0x10de',
    device: '0x1eb8',
    class: '0x030200',
    driver: 'vfio-pci',
    driverOverride: null,
    iommuGroup: null,
    numaNode: 0,
    vfioDev: null,
    ...over,
  };
}

export function sysfs(over: Partial<SysfsSection> = {}): SysfsSection {
  const pciDevices = over.pciDevices ?? [];
  const groups = new Map<string, string[]>();
  for (const d of pciDevices)
    if (d.iommuGroup !== null) groups.set(d.iommuGroup, [...(groups.get(d.iommuGroup) ?? []), d.address]);
  for (const m of over.mdevs ?? [])
    if (m.iommuGroup !== null) groups.set(m.iommuGroup, [...(groups.get(m.iommuGroup) ?? []), m.uuid]);
  return {
    pciDevices,
    iommuGroups: [...groups].map(([group, devices]) => ({ group, devices })),
    mdevs: [],
    hugepages: [],
    taps: [],
    problems: [],
    ...over,
  };
}

export function snapshot(sections: Partial<Pick<Snapshot, 'libvirt' | 'procfs' | 'sysfs' | 'pools'>>): Snapshot {
  const collectors: Snapshot['collectors'] = {};
  for (const name of Object.keys(sections))
    collectors[name] = { state: 'ok', reason: null, durationSeconds: 0.01, lastSuccessSeconds: NOW, stale: false };
  return { schemaVersion: 1, hostname: 'test', takenAt: NOW, collectors, ...sections };
}
