// Benchmark of the node collectors added for storage and devices: the pools source over N real
// qcow2 images (made by qemu-img once, then copied), the sysfs source on this host and on a fixture
// tree with many devices, and the storage/device detectors over the result. Prints numbers only.
//   node --import tsx scripts/bench-node-collectors.ts [images=2000] [rounds=5]
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { newPoolsCaches, readPools } from '../src/sources/pools/read-pools.js';
import { readSysfs } from '../src/sources/sysfs/sysfs-source.js';
import { CATALOG, DETECTORS } from '../src/catalog/catalog.js';
import { defaultConfig } from '../src/flags.js';
import type { Domain } from '../src/snapshot/libvirt.js';
import type { Snapshot } from '../src/snapshot/snapshot.js';
import { createQcow2 } from '../test/support/qemu-img.js';
import { SysfsTree } from '../test/support/sysfs-tree.js';

const count = Math.max(2, Math.min(Number(process.argv[2] ?? 2000), 20000));
const rounds = Math.max(1, Math.min(Number(process.argv[3] ?? 5), 50));

const ms = (s: number) => `${s.toFixed(1)} ms`;
async function timed<T>(n: number, fn: () => Promise<T>): Promise<{ last: T; text: string }> {
  const times: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    last = await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return {
    last: last as T,
    text:
      `median ${ms(times[Math.floor(times.length / 2)] as number)}, ` +
      `max ${ms(times[times.length - 1] as number)} over ${n} rounds`,
  };
}

const root = await mkdtemp(path.join(os.tmpdir(), 'vmz-bench-pools-'));
try {
  const pool = path.join(root, 'pool');
  await mkdir(pool);
  await mkdir(path.join(root, 'etc/qemu'), { recursive: true });
  await createQcow2(path.join(pool, 'base.qcow2'), { size: '1G' });
  await createQcow2(path.join(pool, 'template.qcow2'), { backing: 'base.qcow2' });
  // Half the overlays belong to defined domains, half are leftovers.
  const domains: Domain[] = [];
  for (let i = 1; i < count; i++) {
    const file = path.join(pool, `vm-${i}.qcow2`);
    await copyFile(path.join(pool, 'template.qcow2'), file);
    if (i % 2 === 0) {
      domains.push({
        name: `vm-${i}`,
        uuid: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
        id: null,
        state: 'shutoff',
        reason: 'shutdown',
        autostart: false,
        persistent: true,
        snapshots: 0,
        vcpus: 1,
        memoryBytes: 64 << 20,
        hugepages: false,
        disks: [
          {
            target: 'vda',
            device: 'disk',
            type: 'file',
            source: file,
            readonly: false,
            shareable: false,
            backingChain: [],
            volume: null,
          },
        ],
        hostdevs: [],
        interfaces: [],
        bootFiles: [],
        pid: null,
      });
      await writeFile(
        path.join(root, 'etc/qemu', `vm-${i}.xml`),
        `<domain type='qemu'><name>vm-${i}</name><uuid>${domains.at(-1)!.uuid}</uuid><memory>65536</memory><devices>
        <disk type='file' device='disk'><source file='${file}'/><target dev='vda'/></disk></devices></domain>`,
      );
    }
  }
  const opts = { dirs: [pool], libvirtConfigDir: path.join(root, 'etc') };
  await readPools(opts); // warm the page cache
  const cold = await timed(rounds, () => readPools(opts));
  console.log(
    `pools source, ${cold.last.images.length} images, ${domains.length} domain definitions, ` +
      `every header read: ${cold.text}`,
  );
  const caches = newPoolsCaches();
  await readPools(opts, undefined, caches);
  const pools = await timed(rounds, () => readPools(opts, undefined, caches));
  console.log(`pools source, same, steady state (unchanged files only stat'ed): ${pools.text}`);

  const realSysfs = await timed(rounds, () => readSysfs('/sys'));
  console.log(
    `sysfs source on this host (${realSysfs.last.pciDevices.length} PCI devices, ` +
      `${realSysfs.last.taps.length} taps): ${realSysfs.text}`,
  );

  const tree = await SysfsTree.create();
  try {
    for (let i = 0; i < 256; i++) {
      const bus = (i >> 3).toString(16).padStart(2, '0');
      await tree.pci({
        address: `0000:${bus}:00.${i & 7}`,
        vendor: '0x10de',
        device: '0x2236',
        class: '0x030200',
        driver: i % 4 === 0 ? 'vfio-pci' : 'nvidia',
        iommuGroup: String(i >> 1),
        numaNode: i & 1,
      });
    }
    for (let i = 0; i < 128; i++) await tree.net(`vnet${i}`, { ifindex: 100 + i, tunFlags: 0x1002 });
    await tree.hugepages(2048, { nr: 4096, free: 1024, resv: 0 }, [
      { node: 0, nr: 2048, free: 512 },
      { node: 1, nr: 2048, free: 512 },
    ]);
    const fixture = await timed(rounds, () => readSysfs(tree.root));
    console.log(`sysfs source on a fixture tree (256 PCI devices, 128 IOMMU groups, 128 taps): ${fixture.text}`);

    const snapshot: Snapshot = {
      schemaVersion: 1,
      hostname: 'bench',
      takenAt: Date.now() / 1000,
      collectors: {},
      libvirt: { uri: 'qemu:///system', local: true, domains, files: [], problems: [] },
      pools: pools.last,
      sysfs: fixture.last,
      procfs: { bootTimeSeconds: 0, restricted: false, processes: [], openFiles: [], locks: [], problems: [] },
    };
    const options = { ...defaultConfig(), 'detect.orphan-min-age': 0 } as unknown as Record<string, number>;
    // The storage and device kinds: what the pools and sysfs sources feed.
    const kinds = new Set(
      DETECTORS.filter((x) => x.needs.includes('pools') || x.needs.includes('sysfs')).map((x) => x.kind),
    );
    for (const d of DETECTORS.filter(
      (x) => kinds.has(x.kind) && CATALOG[x.kind as keyof typeof CATALOG].scope !== 'kubevirt',
    )) {
      const r = await timed(rounds, async () => d.detect(snapshot, { now: snapshot.takenAt, options }));
      console.log(`  ${d.kind}: ${r.last.length} findings, ${r.text}`);
    }
  } finally {
    await tree.remove();
  }
} finally {
  await rm(root, { recursive: true, force: true });
}
