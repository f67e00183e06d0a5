// sysfs source: PCI devices (driver, driver_override, IOMMU group, NUMA node), IOMMU groups,
// mediated devices, hugepage pools (global and per NUMA node) and tun/tap/macvtap interfaces,
// all read under --path.sysfs. Attributes a kernel does not have are null, not errors.
import { access, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { HugepagePool, Mdev, PciDevice, SysfsSection, TapInterface } from '../../snapshot/sysfs.js';
import type { SourceDefinition } from '../source.js';
import { SYSFS_FLAGS } from './flags.js';
import { SourceAbsentError } from '../source-absent-error.js';
import { mapLimit } from '../../util/map-limit.js';
import { describeError } from '../../util/fs-errors.js';
import { attr, intAttr, linkName, list } from './read.js';

const CONCURRENCY = 16;
const IFF_TAP = 0x0002;

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

export async function readSysfs(root: string, signal?: AbortSignal): Promise<SysfsSection> {
  const hasPci = await exists(path.join(root, 'bus/pci'));
  const hasNet = await exists(path.join(root, 'class/net'));
  if (!hasPci && !hasNet) throw new SourceAbsentError(`${root} has neither bus/pci nor class/net: not a sysfs mount`);
  const problems: string[] = [];
  const guard = async <T>(what: string, fn: () => Promise<T>, fallback: T): Promise<T> => {
    try {
      return await fn();
    } catch (e: unknown) {
      if (signal?.aborted) throw e;
      problems.push(`${what}: ${describeError(e)}`);
      return fallback;
    }
  };

  const pciDir = path.join(root, 'bus/pci/devices');
  const pciDevices = (
    await mapLimit(
      await list(pciDir),
      CONCURRENCY,
      (a) => guard(`pci ${a}`, () => readPciDevice(path.join(pciDir, a), a), null),
      signal,
    )
  ).filter((d): d is PciDevice => d !== null);

  const groupsDir = path.join(root, 'kernel/iommu_groups');
  const iommuGroups = await mapLimit(
    await list(groupsDir),
    CONCURRENCY,
    async (g) => ({
      group: g,
      devices: await guard(`iommu group ${g}`, () => list(path.join(groupsDir, g, 'devices')), []),
    }),
    signal,
  );

  const mdevDir = path.join(root, 'bus/mdev/devices');
  const mdevs = (
    await mapLimit(
      await list(mdevDir),
      CONCURRENCY,
      (u) => guard(`mdev ${u}`, () => readMdev(path.join(mdevDir, u), u), null),
      signal,
    )
  ).filter((m): m is Mdev => m !== null);

  const hugepages = await guard('hugepages', () => readHugepages(root), []);

  const netDir = path.join(root, 'class/net');
  const taps = (
    await mapLimit(
      await list(netDir),
      CONCURRENCY,
      (n) => guard(`net ${n}`, () => readTap(path.join(netDir, n), n), null),
      signal,
    )
  ).filter((t): t is TapInterface => t !== null);

  return { pciDevices, iommuGroups, mdevs, hugepages, taps, problems };
}

async function readPciDevice(dir: string, address: string): Promise<PciDevice | null> {
  const [vendor, device, cls, driver, override, group, numa, vfioDevs] = await Promise.all([
    attr(path.join(dir, 'vendor')),
    attr(path.join(dir, 'device')),
    attr(path.join(dir, 'class')),
    linkName(path.join(dir, 'driver')),
    attr(path.join(dir, 'driver_override')),
    linkName(path.join(dir, 'iommu_group')),
    intAttr(path.join(dir, 'numa_node')),
    list(path.join(dir, 'vfio-dev')),
  ]);
  // A device removed while we read it has no attributes left: skip it.
  if (vendor === null || device === null || cls === null) return null;
  return {
    address,
    vendor,
    device,
    class: cls,
    driver,
    driverOverride: override === null || override === '(null)' || override === '' ? null : override,
    iommuGroup: group,
    numaNode: numa === null || numa < 0 ? null : numa,
    vfioDev: vfioDevs.find((n) => /^vfio\d+$/.test(n)) ?? null,
  };
}

async function readMdev(entry: string, uuid: string): Promise<Mdev> {
  // bus/mdev/devices/<uuid> links to the instance under its parent: …/<parent address>/<uuid>.
  const target = path.resolve(path.dirname(entry), await readlink(entry));
  const [type, group] = await Promise.all([
    linkName(path.join(entry, 'mdev_type')),
    linkName(path.join(entry, 'iommu_group')),
  ]);
  return { uuid: uuid.toLowerCase(), parent: path.basename(path.dirname(target)), type, iommuGroup: group };
}

const PAGE_DIR = /^hugepages-(\d+)kB$/;

async function readCounts(dir: string, withResv: boolean) {
  const [nr, free, resv, surplus] = await Promise.all([
    intAttr(path.join(dir, 'nr_hugepages')),
    intAttr(path.join(dir, 'free_hugepages')),
    withResv ? intAttr(path.join(dir, 'resv_hugepages')) : Promise.resolve(null),
    intAttr(path.join(dir, 'surplus_hugepages')),
  ]);
  if (nr === null || free === null) return null;
  return { nr, free, resv, surplus: surplus ?? 0 };
}

async function readHugepages(root: string): Promise<HugepagePool[]> {
  const globalDir = path.join(root, 'kernel/mm/hugepages');
  const nodeDir = path.join(root, 'devices/system/node');
  const nodes = (await list(nodeDir)).filter((n) => /^node\d+$/.test(n));
  const pools: HugepagePool[] = [];
  for (const name of await list(globalDir)) {
    const m = PAGE_DIR.exec(name);
    if (!m) continue;
    const total = await readCounts(path.join(globalDir, name), true);
    if (!total) continue;
    const perNode: HugepagePool['nodes'] = [];
    for (const node of nodes) {
      const counts = await readCounts(path.join(nodeDir, node, 'hugepages', name), false);
      if (counts) perNode.push({ node: Number(node.slice(4)), ...counts });
    }
    pools.push({ pageSizeBytes: Number(m[1]) * 1024, total, nodes: perNode });
  }
  return pools.sort((a, b) => a.pageSizeBytes - b.pageSizeBytes);
}

async function readTap(dir: string, name: string): Promise<TapInterface | null> {
  const [flagsText, macvtapDir] = await Promise.all([
    attr(path.join(dir, 'tun_flags')),
    list(path.join(dir, 'macvtap')),
  ]);
  const tunFlags = flagsText !== null && /^0x[0-9a-f]+$/i.test(flagsText) ? Number.parseInt(flagsText, 16) : null;
  let kind: TapInterface['kind'];
  if (macvtapDir.length > 0 || /^macvtap/.test(name)) kind = 'macvtap';
  else if (tunFlags !== null) kind = tunFlags & IFF_TAP ? 'tap' : 'tun';
  else if (/^vnet\d+$/.test(name)) kind = 'tap';
  else return null;
  const [ifindex, operstate, mac] = await Promise.all([
    intAttr(path.join(dir, 'ifindex')),
    attr(path.join(dir, 'operstate')),
    attr(path.join(dir, 'address')),
  ]);
  return { name, kind, ifindex, tunFlags, operstate, mac };
}

export const sysfsSource: SourceDefinition<'sysfs'> = {
  name: 'sysfs',
  description: 'PCI/VFIO devices, IOMMU groups, mdevs, hugepages and tap interfaces from /sys (--path.sysfs)',
  flags: SYSFS_FLAGS,
  enabledByDefault: (config) => config.mode === 'node',
  create(config) {
    return { collect: ({ signal }) => readSysfs(config['path.sysfs'], signal), close: async () => {} };
  },
};
