// Cost of the network and nwfilter-binding reads on a private real libvirtd with those drivers (its own
// network namespace): N inactive networks with L leases each in their status files (the format
// libvirt's lease helper writes), B filter bindings. Steady collections with every binding owner
// running (XML cached) and with none running (every binding's XML fetched again each time).
// Prints JSON; asserts nothing.
//   node --import tsx scripts/bench-libvirt-network.ts [networks] [leases per network] [bindings] [rounds]
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { RpcBackend } from '../src/sources/libvirt/rpc-backend.js';
import { NetworkReader } from '../src/sources/libvirt/network/network-reader.js';
import { PrivateLibvirtd } from '../test/support/private-libvirtd.js';
import { acquireLock, prepareLibvirtHost, releaseLock } from '../test/support/libvirtd.js';
import { pct } from './bench-measures.js';

const networks = Math.max(1, Math.min(Number(process.argv[2] ?? 10), 100));
const leases = Math.max(0, Math.min(Number(process.argv[3] ?? 100), 1000));
const bindings = Math.max(0, Math.min(Number(process.argv[4] ?? 500), 5000));
const rounds = Math.max(3, Math.min(Number(process.argv[5] ?? 20), 200));

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
const mac = (n: number) => `52:54:00:${hex((n >> 16) & 255, 2)}:${hex((n >> 8) & 255, 2)}:${hex(n & 255, 2)}`;

async function setUp(d: PrivateLibvirtd): Promise<Set<string>> {
  const expiry = Math.floor(Date.now() / 1000) + 86400;
  const dnsmasqDir = path.join(d.dir, 'var', 'dnsmasq');
  await mkdir(dnsmasqDir, { recursive: true });
  const cmds: string[] = [];
  for (let n = 0; n < networks; n++) {
    const f = path.join(d.dir, `net${n}.xml`);
    await writeFile(
      f,
      `<network><name>bench${n}</name><bridge name='vmzb${n}'/><ip address='10.${n}.0.1' netmask='255.255.0.0'>` +
        `<dhcp><range start='10.${n}.0.10' end='10.${n}.255.250'/></dhcp></ip></network>`,
    );
    cmds.push(`net-define ${f}`);
    const rows = Array.from({ length: leases }, (_, i) => ({
      'ip-address': `10.${n}.${(i + 10) >> 8}.${(i + 10) & 255}`,
      'mac-address': mac(n * 65536 + i),
      hostname: `guest-${n}-${i}`,
      'expiry-time': expiry,
    }));
    await writeFile(path.join(dnsmasqDir, `vmzb${n}.status`), JSON.stringify(rows, null, 2));
  }
  await writeFile(
    path.join(d.dir, 'filter.xml'),
    `<filter name='bench-filter' chain='root'><rule action='accept' direction='inout'><all/></rule></filter>`,
  );
  cmds.push(`nwfilter-define ${path.join(d.dir, 'filter.xml')}`);
  const owners = new Set<string>();
  for (let b = 0; b < bindings; b++) {
    const uuid = `00000000-0000-4000-8000-${hex(b, 12)}`;
    owners.add(uuid);
    const f = path.join(d.dir, `b${b}.xml`);
    await writeFile(
      f,
      `<filterbinding><owner><name>bench-${b}</name><uuid>${uuid}</uuid></owner><portdev name='vnet${b}'/>` +
        `<mac address='${mac(0xf00000 + b)}'/><filterref filter='bench-filter'/></filterbinding>`,
    );
    cmds.push(`nwfilter-binding-create ${f}`);
  }
  await d.virshBatch(cmds);
  return owners;
}

async function measure(d: PrivateLibvirtd, running: ReadonlySet<string>) {
  const backend = new RpcBackend({ socketPath: d.roSocket, name: 'qemu:///system' }, () => {});
  const reader = new NetworkReader(20);
  const problems: string[] = [];
  const once = async () => {
    const signal = AbortSignal.timeout(60_000);
    const nets = await reader.readNetworks(backend.network, signal, problems);
    const bs = await reader.readBindings(backend.network, running, signal, problems);
    return { leases: nets.leases.length, bindings: bs.length };
  };
  const stall = monitorEventLoopDelay({ resolution: 5 });
  try {
    let t = performance.now();
    const first = await once();
    const firstMs = performance.now() - t;
    stall.enable();
    const steady: number[] = [];
    for (let i = 0; i < rounds; i++) {
      t = performance.now();
      await once();
      steady.push(performance.now() - t);
    }
    stall.disable();
    return {
      ...first,
      problems: problems.length,
      firstCollectionMs: +firstMs.toFixed(1),
      steadyP50Ms: +pct(steady, 0.5).toFixed(1),
      steadyP95Ms: +pct(steady, 0.95).toFixed(1),
      steadyMaxEventLoopStallMs: +(stall.max / 1e6).toFixed(1),
    };
  } finally {
    await backend.close();
  }
}

await acquireLock();
await prepareLibvirtHost();
const d = await PrivateLibvirtd.start({ drivers: ['network', 'nwfilter'], ownNetwork: true });
try {
  const owners = await setUp(d);
  const ownersRunning = await measure(d, owners);
  const noOwnerRunning = await measure(d, new Set());
  console.log(
    JSON.stringify({ requested: { networks, leases, bindings, rounds }, ownersRunning, noOwnerRunning }, null, 2),
  );
} finally {
  await d.stop();
  await releaseLock();
}
