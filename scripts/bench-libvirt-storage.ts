// Cost of the storage reads on a private real libvirtd serving a test-driver node file over
// test+unix:// (RPC): 50 pools of five types, 10 000 volumes, 20 domains using some of them.
// Prints JSON; asserts nothing.   node --import tsx scripts/bench-libvirt-storage.ts [pools] [volumes] [rounds]
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LibvirtReader } from '../src/sources/libvirt/libvirt-reader.js';
import { orphanVolume } from '../src/detectors/orphan-volume.js';
import { PrivateLibvirtd } from '../test/support/private-libvirtd.js';
import { acquireLock, prepareLibvirtHost, releaseLock } from '../test/support/libvirtd.js';
import { CTX, snapshot } from '../test/support/builders.js';

const pools = Math.max(1, Math.min(Number(process.argv[2] ?? 50), 500));
const volumes = Math.max(pools, Math.min(Number(process.argv[3] ?? 10_000), 100_000));
const rounds = Math.max(3, Math.min(Number(process.argv[4] ?? 20), 200));
const TYPES = ['logical', 'rbd', 'iscsi', 'zfs', 'netfs'];

function nodeXml(withPools: boolean): string {
  const parts: string[] = [];
  const perPool = Math.ceil(volumes / pools);
  for (let d = 0; d < 20; d++) {
    const uuid = `00000000-0000-4000-8000-${d.toString(16).padStart(12, '0')}`;
    parts.push(
      `<domain type='test'><name>bench-${d}</name><uuid>${uuid}</uuid><memory>65536</memory><os><type>hvm</type></os>` +
        `<devices><disk type='block' device='disk'><source dev='/dev/vg0/v-0-${d}'/>` +
        `<target dev='vda'/></disk></devices></domain>`,
    );
  }
  for (let p = 0; withPools && p < pools; p++) {
    const type = TYPES[p % TYPES.length] as string;
    const name = p === 0 ? 'vg0' : `pool${p}`;
    const vols: string[] = [];
    for (let v = 0; v < perPool && p * perPool + v < volumes; v++) {
      const vp = type === 'rbd' ? `${name}/v-${p}-${v}` : `/dev/${name}/v-${p}-${v}`;
      vols.push(
        `<volume type='block'><name>v-${p}-${v}</name><capacity>1073741824</capacity>` +
          `<allocation>536870912</allocation><target><path>${vp}</path></target></volume>`,
      );
    }
    parts.push(
      `<pool type='${type}'><name>${name}</name>` +
        `<uuid>00000000-0000-4000-9000-${p.toString(16).padStart(12, '0')}</uuid>` +
        `${sourceXml(type, name)}<target><path>/dev/${name}</path></target>${vols.join('')}</pool>`,
    );
  }
  return `<node>${parts.join('\n')}</node>`;
}

function sourceXml(type: string, name: string): string {
  if (type === 'rbd') return `<source><name>${name}</name><host name='mon1'/></source>`;
  if (type === 'iscsi') return `<source><host name='san1'/><device path='iqn.2026-01.bench:${name}'/></source>`;
  if (type === 'netfs') return `<source><host name='nas1'/><dir path='/export/${name}'/><format type='nfs'/></source>`;
  return `<source><name>${name}</name></source>`;
}

const pct = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))];

async function measure(d: PrivateLibvirtd, withPools: boolean) {
  const file = path.join(d.dir, withPools ? 'node-pools.xml' : 'node-nopools.xml');
  await writeFile(file, nodeXml(withPools));
  const reader = new LibvirtReader({
    virsh: 'virsh',
    uri: `test+unix://${file}?socket=${d.roSocket}`,
    runDir: path.join(d.runDir, 'qemu'),
    transport: 'rpc',
  });
  const stall = monitorEventLoopDelay({ resolution: 5 });
  try {
    let t = performance.now();
    const first = await reader.read(AbortSignal.timeout(120_000));
    const firstMs = performance.now() - t;
    stall.enable();
    const steady: number[] = [];
    for (let i = 0; i < rounds; i++) {
      t = performance.now();
      await reader.read(AbortSignal.timeout(60_000));
      steady.push(performance.now() - t);
    }
    stall.disable();
    t = performance.now();
    const findings = orphanVolume.detect(snapshot({ libvirt: first }), CTX);
    const detectMs = performance.now() - t;
    return {
      pools: first.storage?.pools.length ?? 0,
      volumes: first.storage?.volumes.length ?? 0,
      firstCollectionMs: +firstMs.toFixed(1),
      steadyP50Ms: +(pct(steady, 0.5) as number).toFixed(1),
      steadyP95Ms: +(pct(steady, 0.95) as number).toFixed(1),
      steadyMaxEventLoopStallMs: +(stall.max / 1e6).toFixed(1),
      orphanVolumeDetectMs: +detectMs.toFixed(1),
      orphanVolumeFindings: findings.length,
    };
  } finally {
    await reader.close();
  }
}

await acquireLock();
await prepareLibvirtHost();
const d = await PrivateLibvirtd.start();
try {
  const withoutPools = await measure(d, false);
  const withPools = await measure(d, true);
  console.log(JSON.stringify({ requested: { pools, volumes, rounds }, withoutPools, withPools }, null, 2));
} finally {
  await d.stop();
  await releaseLock();
}
