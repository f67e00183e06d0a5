// Builds a sysfs tree in a temp directory with the kernel's shapes: device directories under
// devices/, bus and class entries as relative symlinks to them, driver and iommu_group links.
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface PciSpec {
  address: string;
  vendor: string;
  device: string;
  class: string;
  driver?: string;
  driverOverride?: string;
  iommuGroup?: string;
  numaNode?: number;
  vfioDev?: string;
}

export class SysfsTree {
  private constructor(readonly root: string) {}

  static async create(): Promise<SysfsTree> {
    const root = await mkdtemp(path.join(os.tmpdir(), 'vmz-sysfs-'));
    const tree = new SysfsTree(root);
    await mkdir(path.join(root, 'bus/pci/devices'), { recursive: true });
    await mkdir(path.join(root, 'class/net'), { recursive: true });
    return tree;
  }

  private async file(rel: string, content: string): Promise<void> {
    const p = path.join(this.root, rel);
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(p, content.endsWith('\n') ? content : `${content}\n`);
  }

  /** A symlink at `from` whose target is written relative, as sysfs does. */
  private async link(from: string, to: string): Promise<void> {
    const abs = path.join(this.root, from);
    await mkdir(path.dirname(abs), { recursive: true });
    await symlink(path.relative(path.dirname(abs), path.join(this.root, to)), abs);
  }

  async pci(spec: PciSpec): Promise<void> {
    const dev = `devices/pci0000:00/${spec.address}`;
    await this.file(`${dev}/vendor`, spec.vendor);
    await this.file(`${dev}/device`, spec.device);
    await this.file(`${dev}/class`, spec.class);
    await this.file(`${dev}/numa_node`, String(spec.numaNode ?? -1));
    await this.file(`${dev}/driver_override`, spec.driverOverride ?? '(null)');
    await this.link(`bus/pci/devices/${spec.address}`, dev);
    if (spec.driver) {
      await mkdir(path.join(this.root, 'bus/pci/drivers', spec.driver), { recursive: true });
      await this.link(`${dev}/driver`, `bus/pci/drivers/${spec.driver}`);
    }
    if (spec.iommuGroup !== undefined) {
      await mkdir(path.join(this.root, 'kernel/iommu_groups', spec.iommuGroup, 'devices'), { recursive: true });
      await this.link(`${dev}/iommu_group`, `kernel/iommu_groups/${spec.iommuGroup}`);
      await this.link(`kernel/iommu_groups/${spec.iommuGroup}/devices/${spec.address}`, dev);
    }
    if (spec.vfioDev) await mkdir(path.join(this.root, dev, 'vfio-dev', spec.vfioDev), { recursive: true });
  }

  async mdev(parent: string, uuid: string, type: string, iommuGroup: string): Promise<void> {
    const dev = `devices/pci0000:00/${parent}/${uuid}`;
    await mkdir(path.join(this.root, `devices/pci0000:00/${parent}/mdev_supported_types/${type}`), { recursive: true });
    await this.file(`${dev}/uevent`, `MDEV_TYPE=${type}`);
    await this.link(`${dev}/mdev_type`, `devices/pci0000:00/${parent}/mdev_supported_types/${type}`);
    await mkdir(path.join(this.root, 'kernel/iommu_groups', iommuGroup, 'devices'), { recursive: true });
    await this.link(`${dev}/iommu_group`, `kernel/iommu_groups/${iommuGroup}`);
    await this.link(`kernel/iommu_groups/${iommuGroup}/devices/${uuid}`, dev);
    await this.link(`bus/mdev/devices/${uuid}`, dev);
  }

  async hugepages(
    sizeKb: number,
    counts: { nr: number; free: number; resv: number; surplus?: number },
    nodes: Array<{ node: number; nr: number; free: number }> = [],
  ): Promise<void> {
    const dir = `kernel/mm/hugepages/hugepages-${sizeKb}kB`;
    await this.file(`${dir}/nr_hugepages`, String(counts.nr));
    await this.file(`${dir}/free_hugepages`, String(counts.free));
    await this.file(`${dir}/resv_hugepages`, String(counts.resv));
    await this.file(`${dir}/surplus_hugepages`, String(counts.surplus ?? 0));
    await this.file(`${dir}/nr_overcommit_hugepages`, '0');
    for (const n of nodes) {
      const nd = `devices/system/node/node${n.node}/hugepages/hugepages-${sizeKb}kB`;
      await this.file(`${nd}/nr_hugepages`, String(n.nr));
      await this.file(`${nd}/free_hugepages`, String(n.free));
      await this.file(`${nd}/surplus_hugepages`, '0');
    }
  }

  /** A network interface; tunFlags makes it a tun/tap device, macvtap adds the macvtap/tapN directory. */
  async net(
    name: string,
    opts: { ifindex: number; tunFlags?: number; macvtap?: boolean; mac?: string; physical?: boolean },
  ): Promise<void> {
    const dev = opts.physical ? `devices/pci0000:00/0000:00:03.0/virtio0/net/${name}` : `devices/virtual/net/${name}`;
    await this.file(`${dev}/ifindex`, String(opts.ifindex));
    await this.file(`${dev}/operstate`, 'up');
    await this.file(`${dev}/address`, opts.mac ?? '52:54:00:00:00:01');
    if (opts.tunFlags !== undefined)
      await this.file(`${dev}/tun_flags`, `0x${opts.tunFlags.toString(16).padStart(4, '0')}`);
    if (opts.macvtap) await mkdir(path.join(this.root, dev, 'macvtap', `tap${opts.ifindex}`), { recursive: true });
    await this.link(`class/net/${name}`, dev);
  }

  remove(): Promise<void> {
    return rm(this.root, { recursive: true, force: true });
  }
}
