// A host without libvirt: the exporter starts, answers, reports libvirt as absent with the reason
// (landing page, log once, metrics) and keeps the procfs collector working.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { startExporter } from '../support/exporter.js';
import { value } from '../support/prom-text.js';
import { createLogger } from '../../src/util/log.js';

describe('no libvirt on the host', () => {
  for (const [what, args, reason] of [
    // The RPC transport needs no virsh: the case is the virsh transport's.
    ['virsh not installed', ['--libvirt.transport=virsh', '--libvirt.virsh=/nonexistent/bin/virsh'], /virsh not found/],
    [
      'no libvirtd socket',
      ['--libvirt.uri=qemu+unix:///system?socket=/nonexistent/libvirt-sock'],
      /libvirt is not running/,
    ],
  ] as const) {
    it(`${what}: libvirt absent, procfs up, reason shown and logged once`, async () => {
      const lines: string[] = [];
      const exporter = await startExporter(
        [...args, '--collector.min-interval=0s'],
        createLogger('info', true, (l) => lines.push(l)),
      );
      try {
        for (let i = 0; i < 3; i++) {
          const samples = await exporter.scrape();
          assert.equal(value(samples, 'vmzombie_collector_up', { collector: 'libvirt' }), 0);
          assert.equal(value(samples, 'vmzombie_collector_state', { collector: 'libvirt', state: 'absent' }), 1);
          assert.equal(value(samples, 'vmzombie_collector_state', { collector: 'libvirt', state: 'error' }), 0);
          assert.equal(value(samples, 'vmzombie_collector_up', { collector: 'procfs' }), 1);
          // Detectors that need libvirt do not run, and report nothing rather than everything.
          assert.equal(value(samples, 'vmzombie_detector_up', { kind: 'qemu_without_domain' }), 0);
          assert.equal(value(samples, 'vmzombie_findings', { kind: 'qemu_without_domain' }), 0);
          // Cluster kinds are not this node agent's business: no detector health series for them.
          assert.equal(value(samples, 'vmzombie_detector_up', { kind: 'kubevirt_stuck_deletion' }), undefined);
        }
        const landing = await exporter.get('/');
        assert.equal(landing.status, 200);
        assert.match(landing.body, reason);
        const logged = lines
          .map((l) => JSON.parse(l) as { msg: string; collector?: string; reason?: string })
          .filter((l) => l.collector === 'libvirt');
        assert.equal(logged.length, 1, 'logged once, not on every scrape');
        assert.match(logged[0]?.reason ?? '', reason);
        assert.equal((await exporter.get('/-/ready')).status, 200);
        assert.equal((await exporter.get('/-/healthy')).status, 200);
      } finally {
        await exporter.stop();
      }
    });
  }
});
