// hugepages_reserved_without_domain: hugepages in use or reserved beyond what running
// hugepage-backed domains (<memoryBacking><hugepages/>) and other programs that map hugepages
// (DPDK, databases: HugetlbPages in /proc/<pid>/status) account for. What is left is usually a
// hugetlbfs file of a guest that is gone, or a stray qemu. Reclaimable memory = the difference.
import type { Detector, FindingFrom } from './detector.js';
import { indexDomainProcesses, isActive } from '../views/domain-processes.js';

export interface HugepagesReservedWithoutDomainEvidence {
  /** Per page size: total, free, reserved, surplus pages. */
  pools: Array<{ pageSizeBytes: number; nr: number; free: number; resv: number | null; surplus: number }>;
  inUseBytes: number;
  reservedBytes: number;
  /** Memory of running hugepage-backed domains. */
  domainBytes: number;
  domains: string[];
  /** Hugepage memory mapped by processes that are not guests of running domains. */
  otherProcessBytes: number;
  otherProcesses: string[];
}

export const hugepagesReservedWithoutDomain: Detector<
  'hugepages_reserved_without_domain',
  HugepagesReservedWithoutDomainEvidence,
  never
> = {
  kind: 'hugepages_reserved_without_domain',
  labels: [],
  needs: ['sysfs', 'libvirt', 'procfs', 'libvirt.local', 'procfs.unrestricted'],
  detect(s) {
    const { sysfs, libvirt, procfs } = s;
    if (!sysfs || !libvirt || !procfs) return [];
    const inUse = sysfs.hugepages.reduce((sum, p) => sum + Math.max(0, p.total.nr - p.total.free) * p.pageSizeBytes, 0);
    const reserved = sysfs.hugepages.reduce((sum, p) => sum + (p.total.resv ?? 0) * p.pageSizeBytes, 0);
    if (inUse + reserved === 0) return [];
    const domains = libvirt.domains.filter((d) => isActive(d) && d.hugepages);
    const domainBytes = domains.reduce((sum, d) => sum + d.memoryBytes, 0);
    // qemu processes are left out: a running domain's are counted by its memory, a stray one's are the leak.
    const index = indexDomainProcesses(libvirt.domains, procfs);
    const qemuPids = new Set(index.qemus.map((q) => q.process.pid));
    const others = procfs.processes.filter((p) => (p.hugetlbBytes ?? 0) > 0 && !qemuPids.has(p.pid));
    const otherBytes = others.reduce((sum, p) => sum + (p.hugetlbBytes ?? 0), 0);
    // Reservations of other programs are not in their HugetlbPages until faulted in: when such
    // programs exist, reserved pages are given the benefit of the doubt.
    const held = inUse + (others.length > 0 ? 0 : reserved);
    const excess = held - domainBytes - otherBytes;
    const smallestPage = Math.min(...sysfs.hugepages.map((p) => p.pageSizeBytes));
    if (excess < smallestPage) return [];
    return [
      {
        kind: 'hugepages_reserved_without_domain',
        subject: 'hugepages',
        labels: {},
        since: null,
        reclaimable: { memoryBytes: excess },
        evidence: {
          pools: sysfs.hugepages.map((p) => ({ pageSizeBytes: p.pageSizeBytes, ...p.total })),
          inUseBytes: inUse,
          reservedBytes: reserved,
          domainBytes,
          domains: domains.map((d) => `${d.name} (${d.uuid}) ${d.memoryBytes} bytes`),
          otherProcessBytes: otherBytes,
          otherProcesses: others.map((p) => `pid ${p.pid} ${p.comm} ${p.hugetlbBytes} bytes`),
        },
      },
    ] satisfies Array<FindingFrom<typeof hugepagesReservedWithoutDomain>>;
  },
};
