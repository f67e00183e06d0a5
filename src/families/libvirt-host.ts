// The libvirt host family: a KVM host's libvirt domains, processes, devices and image pools, read by
// the node agent.
import { libvirtResources } from '../views/resource-facts.js';
import { HOST_KINDS } from '../catalog/host.js';
import { LIBVIRT_KINDS } from '../catalog/libvirt.js';
import { deviceMetrics } from '../outputs/metrics/device-metrics.js';
import { libvirtMetrics } from '../outputs/metrics/libvirt-metrics.js';
import { storageMetrics } from '../outputs/metrics/storage-metrics.js';
import { sharedStorageMetrics } from '../outputs/metrics/shared-storage-metrics.js';
import { libvirtSource } from '../sources/libvirt/libvirt-source.js';
import { poolsSource } from '../sources/pools/pools-source.js';
import { procfsSource } from '../sources/procfs/procfs-source.js';
import { sysfsSource } from '../sources/sysfs/sysfs-source.js';
import { LibvirtSectionSchema } from '../snapshot/libvirt.js';
import { PoolsSectionSchema } from '../snapshot/pools.js';
import { ProcfsSectionSchema } from '../snapshot/procfs.js';
import { SysfsSectionSchema } from '../snapshot/sysfs.js';
import { hostOfUrl } from '../util/url-host.js';
import { diskChains } from '../views/disk-chains.js';
import { libvirtHostResourcePresent } from '../views/presence.js';
import { defineFamily } from './family.js';

export const libvirtHostFamily = defineFamily({
  name: 'libvirt',
  title: 'libvirt / KVM hosts',
  docsPage: 'docs/node-collectors.md',
  scopes: ['libvirt', 'host'],
  sections: {
    libvirt: { schema: LibvirtSectionSchema, hostNames: (s) => [hostOfUrl(s.uri)] },
    procfs: { schema: ProcfsSectionSchema },
    sysfs: { schema: SysfsSectionSchema },
    pools: {
      schema: PoolsSectionSchema,
      // File servers of shared storage: the `server` of an NFS/GlusterFS source `server:/export`.
      hostNames: (p) => (p.sharedMounts ?? []).map((m) => /^([^:/,\s]+):\//.exec(m.store)?.[1]),
    },
  },
  sources: [libvirtSource, procfsSource, sysfsSource, poolsSource],
  kinds: { ...LIBVIRT_KINDS, ...HOST_KINDS },
  facts: {
    // A remote libvirt's guests are not in this /proc.
    'libvirt.local': {
      transient: false,
      check: (s) =>
        s.libvirt && !s.libvirt.local
          ? `libvirt is remote (${s.libvirt.uri}): this host's processes and files say nothing about its domains`
          : null,
    },
    // A volume is unused only if every way of using it was seen: the pools and their volumes, and the
    // snapshot metadata of every domain that has any (read from this host's files).
    'libvirt.storage': {
      transient: true,
      check: (s) => {
        if (!s.libvirt?.storage) return "libvirt's storage API was not read (no storage driver, or it refused)";
        const withSnapshots = s.libvirt.domains.filter((d) => (d.snapshots ?? 0) > 0);
        if (withSnapshots.length > 0 && !s.pools?.snapshotReferences) {
          return (
            `${withSnapshots.length} domain(s) have snapshot metadata that was not read ` +
            `(first: ${withSnapshots[0]!.name}): a volume may belong to one of their snapshots`
          );
        }
        return null;
      },
    },
    // Without the network driver's answer no lease can be judged (a daemon without it: no networks at all).
    'libvirt.networks': {
      transient: true,
      check: (s) =>
        s.libvirt?.networks
          ? null
          : "libvirt's networks and DHCP leases were not read (no network driver, or it refused)",
    },
    'libvirt.nwfilter-bindings': {
      transient: true,
      check: (s) =>
        s.libvirt?.nwfilterBindings
          ? null
          : "libvirt's nwfilter bindings were not read (no nwfilter driver, or it refused)",
    },
    // Shut-off times come from the qemu logs; without them no domain can be dated.
    'libvirt.shut-off-dated': {
      transient: false,
      check: (s) =>
        s.libvirt?.shutOff ? null : 'the qemu logs that date shut-off domains were not read (--libvirt.log-dir)',
    },
    // With hidepid, the absence of a process proves nothing.
    'procfs.unrestricted': {
      transient: false,
      check: (s) =>
        s.procfs?.restricted ? "/proc hides other users' processes (hidepid): a missing process proves nothing" : null,
    },
    // A chain that could not be followed to its end may run through any image in the pool.
    'pools.chains-complete': {
      transient: true,
      check: (s) => {
        if (!s.libvirt || !s.pools) return 'needs libvirt and pools';
        const broken = diskChains(s.libvirt, s.pools).filter((c) => !c.complete);
        if (broken.length === 0) return null;
        const first = broken[0]!;
        return (
          `the backing chain of ${broken.length} disk(s) could not be read to its end ` +
          `(first: ${first.domain.name} ${first.disk.target}): any image of the pools may be part of it`
        );
      },
    },
  },
  resourcePresent: libvirtHostResourcePresent,
  resources: libvirtResources,
  metrics: [libvirtMetrics, storageMetrics, sharedStorageMetrics, deviceMetrics],
  dashboards: [
    {
      file: 'vmzombie-hypervisor.json',
      load: async () => (await import('../bundle/dashboards/hypervisor.js')).hypervisorDashboard,
    },
  ],
});
