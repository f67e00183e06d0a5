// Benchmark of the node collectors: libvirt through libvirt's test driver with N domains (no daemon
// needed), procfs on this host, and 50 concurrent scrapes. Prints numbers; asserts nothing.
//   node --import tsx scripts/bench-libvirt.ts [domains=1000] [rounds=10]
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from '../src/config/flags.js';
import { SOURCES } from '../src/sources/index.js';
import { Exporter } from '../src/exporter.js';
import { readProcfs } from '../src/sources/procfs/procfs-source.js';
import { silentLogger } from '../src/util/log.js';

const domains = Number(process.argv[2] ?? 1000);
const rounds = Number(process.argv[3] ?? 10);

function nodeXml(n: number): string {
  const runstates = [1, 1, 1, 3, 5];
  const doms = Array.from({ length: n }, (_, i) => `<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <name>bench-${i} "q" ü</name><uuid>${`00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`}</uuid>
  <memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>
  <devices><disk type='file' device='disk'><source file='/var/lib/libvirt/images/bench-${i}.qcow2'/><target dev='vda'/></disk></devices>
  <test:runstate>${runstates[i % runstates.length]}</test:runstate>
</domain>`).join('\n');
  return `<node>\n${doms}\n</node>\n`;
}

const ms = (s: number) => `${(s * 1000).toFixed(1)} ms`;
const stats = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return `median ${ms(sorted[Math.floor(sorted.length / 2)] as number)}, max ${ms(sorted[sorted.length - 1] as number)}`;
};

const dir = await mkdtemp(path.join(os.tmpdir(), 'vmz-bench-'));
try {
  const file = path.join(dir, 'node.xml');
  await writeFile(file, nodeXml(domains));
  const { config } = parseArgs(['serve', `--libvirt.uri=test://${file}`, '--collector.min-interval=0s', '--collector.timeout=60s'], SOURCES.map((s) => s.name));
  const exporter = new Exporter(config, silentLogger, { processMetrics: false });
  let t = performance.now();
  const first = await exporter.refresh();
  const firstSeconds = (performance.now() - t) / 1000;
  const libvirtTimes: number[] = [];
  const procfsTimes: number[] = [];
  const totalTimes: number[] = [];
  for (let i = 0; i < rounds; i++) {
    t = performance.now();
    const { snapshot } = await exporter.refresh();
    totalTimes.push((performance.now() - t) / 1000);
    libvirtTimes.push(snapshot.collectors.libvirt?.durationSeconds ?? NaN);
    procfsTimes.push(snapshot.collectors.procfs?.durationSeconds ?? NaN);
  }
  console.log(`libvirt test driver, ${first.snapshot.libvirt?.domains.length} domains read (${domains} defined)`);
  console.log(`  first collection (virsh start + connect + file parse): ${ms(firstSeconds)}`);
  console.log(`  libvirt collector, kept virsh shell, ${rounds} rounds: ${stats(libvirtTimes)}`);
  console.log(`  procfs collector on this host (${first.snapshot.procfs?.processes.length} processes): ${stats(procfsTimes)}`);
  console.log(`  whole collection + detection + metrics: ${stats(totalTimes)}`);

  // 50 concurrent scrapes share one collection.
  const shared = new Exporter(parseArgs(['serve', `--libvirt.uri=test://${file}`, '--collector.timeout=60s'], SOURCES.map((s) => s.name)).config, silentLogger, { processMetrics: false });
  let collections = 0;
  const original = shared.collection.get.bind(shared.collection);
  const seen = new Set<object>();
  shared.collection.get = async () => { const s = await original(); if (!seen.has(s)) { seen.add(s); collections++; } return s; };
  t = performance.now();
  await Promise.all(Array.from({ length: 50 }, async () => { await shared.refresh(); await shared.metrics.metrics(); }));
  console.log(`  50 concurrent scrapes: ${ms((performance.now() - t) / 1000)} in all, ${collections} collection(s)`);
  await shared.close();

  t = performance.now();
  const p = await readProcfs('/proc');
  console.log(`  readProcfs('/proc') alone: ${ms((performance.now() - t) / 1000)}, ${p.processes.length} processes, ${p.openFiles.length} fds kept, ${p.locks.length} locks`);
  await exporter.close();
} finally {
  await rm(dir, { recursive: true, force: true });
}
