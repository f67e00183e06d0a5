// The test-driver node file of the benchmarks: n domains named with a quote and a non-ASCII letter,
// in the run states running, running, running, paused, shut off (libvirt's test driver numbers).
export function testNodeXml(n: number): string {
  const runstates = [1, 1, 1, 3, 5];
  const doms = Array.from(
    { length: n },
    (_, i) => `<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
  <name>bench-${i} "q" ü</name><uuid>${`00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`}</uuid>
  <memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>
  <devices><disk type='file' device='disk'><source file='/var/lib/libvirt/images/bench-${i}.qcow2'/>
  <target dev='vda'/></disk></devices>
  <test:runstate>${runstates[i % runstates.length]}</test:runstate>
</domain>`,
  ).join('\n');
  return `<node>\n${doms}\n</node>\n`;
}
