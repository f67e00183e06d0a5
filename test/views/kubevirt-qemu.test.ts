// Which qemu processes are KubeVirt's, and the VMI each runs: virt-launcher's `-name guest=<namespace>_<vmi>`
// with the KubeVirt SMBIOS mark; a libvirt guest with an underscore in its name is not one.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { kubevirtQemu } from '../../src/views/kubevirt-qemu.js';
import type { ProcessInfo } from '../../src/snapshot/procfs.js';

const proc = (cmdline: string[], extra: Partial<ProcessInfo> = {}): ProcessInfo => ({
  pid: 4242,
  ppid: 4100,
  comm: 'qemu-kvm',
  state: 'S',
  cmdline,
  uid: 107,
  startTimeSeconds: 1795420000,
  rssBytes: 1 << 30,
  ...extra,
});
// The shape of virt-launcher's qemu command line (KubeVirt 1.3 on Harvester 1.4), shortened.
const LAUNCHER = [
  '/usr/bin/qemu-system-x86_64',
  '-name',
  'guest=vm-ns_web-01,debug-threads=on',
  '-S',
  '-object',
  '{"qom-type":"secret","id":"masterKey0","format":"raw",' +
    '"file":"/var/run/kubevirt-private/libvirt/qemu/lib/domain-1-vm-ns_web-01/master-key.aes"}',
  '-machine',
  'pc-q35-rhel9.2.0,usb=off,dump-guest-core=off,memory-backend=pc.ram',
  '-smbios',
  'type=1,manufacturer=KubeVirt,product=None,uuid=8d0e2b1a-1111-4d4e-9a6b-3c2d1e0f9a8b,family=KubeVirt',
  '-uuid',
  '8d0e2b1a-1111-4d4e-9a6b-3c2d1e0f9a8b',
];

describe('kubevirtQemu', () => {
  it("reads the VMI's namespace and name from a launcher's qemu", () => {
    assert.deepEqual(kubevirtQemu(proc(LAUNCHER)), {
      pid: 4242,
      namespace: 'vm-ns',
      vmi: 'web-01',
      podUid: null,
      startTimeSeconds: 1795420000,
    });
    const inPod = kubevirtQemu(proc(LAUNCHER, { podUid: '5f3c1b2a-7d41-4a4e-9b1f-0a2b3c4d5e6f' }));
    assert.equal(inPod?.podUid, '5f3c1b2a-7d41-4a4e-9b1f-0a2b3c4d5e6f');
  });

  it('leaves out libvirt guests, capability probes, zombies and non-qemu processes', () => {
    const noSmbios = LAUNCHER.filter((a, i) => a !== '-smbios' && LAUNCHER[i - 1] !== '-smbios');
    assert.equal(kubevirtQemu(proc(noSmbios)), null, 'a libvirt guest named ns_name');
    const otherMaker = LAUNCHER.map((a) =>
      a.replace('manufacturer=KubeVirt', 'manufacturer=Acme').replace('family=KubeVirt', 'family=x'),
    );
    assert.equal(kubevirtQemu(proc(otherMaker)), null);
    const probe = LAUNCHER.map((a) => (a.startsWith('pc-q35') ? 'none' : a));
    assert.equal(kubevirtQemu(proc(probe)), null, 'capability probe');
    assert.equal(kubevirtQemu(proc(LAUNCHER, { state: 'Z' })), null);
    assert.equal(kubevirtQemu(proc(['/usr/bin/virt-launcher', ...LAUNCHER.slice(1)], { comm: 'virt-launcher' })), null);
    const oddName = LAUNCHER.map((a) => (a.startsWith('guest=') ? 'guest=no-underscore,debug-threads=on' : a));
    assert.equal(kubevirtQemu(proc(oddName)), null);
  });
});
