// Keep markers in a libvirt domain's <metadata>, set with `virsh metadata` on a real libvirtd + QEMU
// (TCG): read over the RPC socket, a marked paused guest is acknowledged, an expired one pages again, a
// malformed one is reported and hides nothing; editing the marker is seen at the next collection (libvirt's
// metadata-change event sends the domain's XML to be fetched again).
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { PrivateLibvirtd } from '../support/private-libvirtd.js';
import { acquireLock, releaseLock } from '../support/libvirtd.js';
import { missingCommands, skipWithout } from '../support/components.js';
import { LibvirtReader } from '../../src/sources/libvirt/libvirt-reader.js';
import { KEEP_NS } from '../../src/sources/shared/parse-domain-xml.js';
import { replay } from '../../src/engine/engine.js';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import { snapshot } from '../support/builders.js';

const unavailable = skipWithout(
  'a real libvirtd with QEMU',
  missingCommands('libvirtd', 'virsh', 'qemu-system-x86_64', 'qemu-img', 'unshare'),
);
const config = parseArgs(
  ['--detect.paused-grace=0s'],
  SOURCES.map((s) => s.name),
).config;

describe.skipIf(unavailable)('keep markers in domain <metadata>, private libvirtd + QEMU', { timeout: 300_000 }, () => {
  let d: PrivateLibvirtd;
  beforeAll(async () => {
    await acquireLock();
    d = await PrivateLibvirtd.start();
  });
  afterAll(async () => {
    await d?.stop();
    await releaseLock();
  });

  it('virsh metadata marks a paused guest: acknowledged, expired, malformed, edited while watched', async () => {
    const images = path.join(d.dir, 'lib', 'images');
    const define = async (name: string) => {
      const disk = path.join(images, `${name}.qcow2`);
      await execa('qemu-img', ['create', '-q', '-f', 'qcow2', disk, '16M']);
      const f = path.join(d.dir, `${name}.xml`);
      await writeFile(
        f,
        `<domain type='qemu'><name>${name}</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>
        <os><type arch='x86_64' machine='pc'>hvm</type></os>
        <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${disk}'/>
        <target dev='vda' bus='virtio'/></disk></devices></domain>`,
      );
      await d.virsh('define', f);
      await d.virsh('start', name);
      await d.virsh('suspend', name);
    };
    const mark = (name: string, element: string) =>
      d.virsh('metadata', name, KEEP_NS, '--key', 'vmzombie', '--live', '--config', '--set', element);
    for (const n of ['vmzk-kept', 'vmzk-lapsed', 'vmzk-broken', 'vmzk-plain']) await define(n);
    await mark('vmzk-kept', `<keep reason="forensics for INC-4711" by="bob" until="2099-12-31"/>`);
    await mark('vmzk-lapsed', `<keep reason="was a cold spare" by="alice" until="2020-01-01"/>`);
    await mark('vmzk-broken', `<keep reason="no one signed this"/>`);

    // As libvirt writes it back: the element in its namespace, under the key's prefix.
    const dumped = await d.virsh('metadata', 'vmzk-kept', KEEP_NS);
    assert.match(dumped, /reason="forensics for INC-4711"/);

    const reader = new LibvirtReader({ virsh: 'virsh', uri: d.roUri, runDir: path.join(d.runDir, 'qemu') });
    try {
      const judge = async () => {
        const s = await reader.read(AbortSignal.timeout(60_000));
        assert.equal(s.transport?.name, 'rpc');
        const { detection } = replay(config, snapshot({ libvirt: s }));
        const name = (f: { labels: object }) => (f.labels as Record<string, string>).domain ?? '';
        const paused = detection.findings.filter((f) => f.kind === 'domain_paused' && /^vmzk-/.test(name(f)));
        return {
          detection,
          acked: Object.fromEntries(paused.map((f) => [name(f), f.acknowledged?.reason ?? null])),
        };
      };
      const first = await judge();
      assert.deepEqual(first.acked, {
        'vmzk-kept': 'forensics for INC-4711',
        'vmzk-lapsed': null,
        'vmzk-broken': null,
        'vmzk-plain': null,
      });
      assert.deepEqual(
        first.detection.keep!.expired.map((m) => m.subject),
        [
          first.detection.findings.find((f) => f.kind === 'domain_paused' && f.subject.startsWith('vmzk-lapsed'))!
            .subject,
        ],
      );
      assert.equal(first.detection.keep!.problems.length, 1);
      assert.match(first.detection.keep!.problems[0]!, /<metadata> of domain vmzk-broken .*: no who \(by\)/);

      // The operator renews one marker and removes another; the same reader sees both at the next collection.
      await mark('vmzk-lapsed', `<keep reason="cold spare until the DR test" by="alice" until="2099-06-30"/>`);
      await d.virsh('metadata', 'vmzk-kept', KEEP_NS, '--live', '--config', '--remove');
      const deadline = Date.now() + 30_000;
      let next = await judge();
      while (next.acked['vmzk-lapsed'] === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        next = await judge();
      }
      assert.deepEqual(next.acked, {
        'vmzk-kept': null,
        'vmzk-lapsed': 'cold spare until the DR test',
        'vmzk-broken': null,
        'vmzk-plain': null,
      });
    } finally {
      await reader.close();
    }
  });
});
