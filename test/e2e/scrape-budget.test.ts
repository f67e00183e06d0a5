// End to end with the real libvirtd SIGSTOPped and default flags: every scrape is answered within
// Prometheus' budget (X-Prometheus-Scrape-Timeout-Seconds minus the offset, or --web.scrape-budget
// without it), libvirt is served from its last good data marked stale, the rest stays up, and it
// recovers after SIGCONT.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { LibvirtTestHost } from '../support/libvirtd.js';
import { startExporter, type RunningExporter } from '../support/exporter.js';
import { parsePromText, series, value, type Sample } from '../support/prom-text.js';
import { missingCommands, skipWithout } from '../support/components.js';

const unavailable = skipWithout(
  'a real libvirtd with QEMU',
  missingCommands('libvirtd', 'virtlogd', 'virsh', 'qemu-system-x86_64', 'qemu-img', 'pgrep'),
);

async function timedScrape(
  exporter: RunningExporter,
  headers: Record<string, string>,
): Promise<{ ms: number; samples: Sample[] }> {
  const started = Date.now();
  const res = await fetch(`${exporter.url}/metrics`, { headers });
  const body = await res.text();
  assert.equal(res.status, 200);
  return { ms: Date.now() - started, samples: parsePromText(body) };
}

describe.skipIf(unavailable)('scrape budget with a hung libvirtd and default flags', { timeout: 180_000 }, () => {
  let host: LibvirtTestHost;
  let exporter: RunningExporter;
  let uuid = '';
  let libvirtd = 0;

  beforeAll(async () => {
    host = await LibvirtTestHost.acquire();
    uuid = await host.define({
      name: `vmzt-${host.tag}-budget`,
      disks: [{ path: await host.createImage('budget.qcow2') }],
    });
    libvirtd = Number((await execa('pgrep', ['-x', 'libvirtd'])).stdout.trim().split('\n')[0]);
    // Only min-interval is changed, so each scrape starts its own collection.
    exporter = await startExporter(['--collector.min-interval=0s']);
  });

  afterAll(async () => {
    if (libvirtd) process.kill(libvirtd, 'SIGCONT');
    await exporter?.stop();
    await host?.release();
  });

  it("answers within the header's budget, or --web.scrape-budget, keeping libvirt's last data", async () => {
    const good = await timedScrape(exporter, {});
    assert.equal(value(good.samples, 'vmzombie_collector_up', { collector: 'libvirt' }), 1);
    const lastSuccess = value(good.samples, 'vmzombie_collector_last_success_timestamp_seconds', {
      collector: 'libvirt',
    });
    process.kill(libvirtd, 'SIGSTOP');
    try {
      // Prometheus with scrape_timeout 4s: answered by 3.5 s.
      const short = await timedScrape(exporter, { 'X-Prometheus-Scrape-Timeout-Seconds': '4' });
      assert.ok(short.ms >= 3400 && short.ms < 4000, `header 4s: answered in ${short.ms} ms`);
      assert.equal(value(short.samples, 'vmzombie_collector_state', { collector: 'libvirt', state: 'timeout' }), 1);
      assert.equal(value(short.samples, 'vmzombie_collector_up', { collector: 'procfs' }), 1);
      assert.equal(
        value(short.samples, 'vmzombie_collector_last_success_timestamp_seconds', { collector: 'libvirt' }),
        lastSuccess,
      );
      assert.equal(series(short.samples, 'vmzombie_libvirt_domain_info', { uuid }).length, 1, 'last good domains kept');
      assert.equal(value(short.samples, 'vmzombie_detector_up', { kind: 'qemu_without_domain' }), 0);
      const page = await exporter.get('/');
      assert.match(page.body, /still running after the scrape budget of 3.5s/);

      // Wait for that collection's own timeout (10 s default) to end it, so the next scrape starts anew.
      for (
        let i = 0;
        i < 100 && exporter.exporter.collection.peek()?.collectors.libvirt?.reason !== 'timed out after 10s';
        i++
      ) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(exporter.exporter.collection.peek()?.collectors.libvirt?.reason, 'timed out after 10s');

      // No header (a proxy, curl): --web.scrape-budget (9 s) holds, under Prometheus' default 10 s.
      const plain = await timedScrape(exporter, {});
      assert.ok(plain.ms >= 8900 && plain.ms < 10_000, `no header: answered in ${plain.ms} ms`);
      assert.equal(value(plain.samples, 'vmzombie_collector_state', { collector: 'libvirt', state: 'timeout' }), 1);
      assert.equal(series(plain.samples, 'vmzombie_libvirt_domain_info', { uuid }).length, 1);

      // The default header (10 s): answered by 9.5 s, even joining a collection already 9 s old.
      const joined = await timedScrape(exporter, { 'X-Prometheus-Scrape-Timeout-Seconds': '10' });
      assert.ok(joined.ms < 9500, `header 10s: answered in ${joined.ms} ms`);
    } finally {
      process.kill(libvirtd, 'SIGCONT');
    }
    let after: Sample[] = [];
    for (let i = 0; i < 40; i++) {
      after = (await timedScrape(exporter, { 'X-Prometheus-Scrape-Timeout-Seconds': '10' })).samples;
      if (value(after, 'vmzombie_collector_up', { collector: 'libvirt' }) === 1) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(value(after, 'vmzombie_collector_up', { collector: 'libvirt' }), 1);
    assert.ok(
      (value(after, 'vmzombie_collector_last_success_timestamp_seconds', { collector: 'libvirt' }) ?? 0) >
        (lastSuccess ?? 0),
    );
  });
});
