// Read-only, proven: the node agent runs in a private mount namespace (`unshare --mount`) where every
// mount is remounted read-only and libvirt's read-write socket is covered, so only the read-only
// socket answers; it reports the same collectors, domains and findings as an exporter outside.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LibvirtTestHost } from '../support/libvirtd.js';
import { startExporter, type RunningExporter } from '../support/exporter.js';
import { parsePromText, series, type Sample } from '../support/prom-text.js';
import { freePort } from '../vsphere/simulator.js';
import { waitFor } from '../support/wait.js';
import { missingCommands, skipWithout } from '../support/components.js';

const unavailable = skipWithout(
  'a real libvirtd with QEMU, unshare and findmnt',
  missingCommands('libvirtd', 'virtlogd', 'virsh', 'qemu-system-x86_64', 'qemu-img', 'unshare', 'findmnt'),
);

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// Covers the read-write socket, remounts every mount read-only, proves both, then runs the agent.
// TMPDIR on a fresh tmpfs is for tsx's compile cache only; it holds no host data.
const NAMESPACE_SCRIPT = `set -u
mount --bind /dev/null /run/libvirt/libvirt-sock
for m in $(findmnt -rn -o TARGET | sort -u); do mount -o remount,bind,ro "$m" 2>/dev/null || true; done
mount -t tmpfs -o size=64m tmpfs /mnt
for p in "$PROBE_DIR" /var/lib/libvirt /etc/libvirt /run/libvirt /proc /sys; do
  if ! findmnt -no OPTIONS --target "$p" | tr , '\\n' | grep -qx ro; then echo "not read-only: $p" >&2; exit 97; fi
done
for p in "$PROBE_DIR" /var/lib/libvirt /etc/libvirt; do
  if touch "$p/.vmzt-write-probe" 2>/dev/null; then echo "writable: $p" >&2; exit 97; fi
done
if virsh -c qemu:///system uri >/dev/null 2>&1; then echo "read-write libvirt socket answers" >&2; exit 98; fi
export TMPDIR=/mnt
exec node --import tsx src/cli.ts serve "$@"`;

function summary(samples: Sample[]) {
  const labelsOf = (name: string, keys: string[]) =>
    series(samples, name)
      .map((s) => keys.map((k) => s.labels[k] ?? '').join(' '))
      .sort();
  return {
    up: series(samples, 'vmzombie_collector_up')
      .map((s) => `${s.labels.collector}=${s.value}`)
      .sort(),
    findings: labelsOf('vmzombie_finding_age_seconds', ['kind', 'subject']),
    domains: labelsOf('vmzombie_libvirt_domain_info', ['domain', 'uuid', 'state']),
    problems: series(samples, 'vmzombie_collector_problems')
      .map((s) => `${s.labels.collector}=${s.value}`)
      .sort(),
  };
}

describe.skipIf(unavailable)('read-only node agent in a private mount namespace', { timeout: 180_000 }, () => {
  let host: LibvirtTestHost;
  let outside: RunningExporter;
  let inside: ChildProcess | null = null;
  let flags: string[] = [];
  let logs = '';

  beforeAll(async () => {
    host = await LibvirtTestHost.acquire();
    const t = host.tag;
    const off = await host.createImage('ro-off.qcow2');
    await host.define({ name: `vmzt-${t}-ro-off`, disks: [{ path: off }] });
    await host.startStrayQemu(`vmzt-${t}-ro-stray`, off);
    flags = [`--pool.dir=${host.workDir}`, '--detect.grace=0s', '--collector.min-interval=0s'];
    outside = await startExporter(flags);
  });

  afterAll(async () => {
    if (inside && inside.exitCode === null) inside.kill('SIGTERM');
    await outside?.stop();
    await host?.release();
  });

  it('reports everything it reports outside, with no writable host path and no read-write libvirt socket', async () => {
    const port = await freePort();
    inside = spawn(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'bash',
        '-c',
        NAMESPACE_SCRIPT,
        'bash',
        `--web.listen-address=127.0.0.1:${port}`,
        ...flags,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, PROBE_DIR: host.workDir },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    inside.stderr?.on('data', (d: Buffer) => {
      logs += d.toString();
    });
    const body = await waitFor(
      'the agent in the namespace',
      async () => {
        if (inside?.exitCode !== null) throw new Error(`exited ${inside?.exitCode}: ${logs}`);
        const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => null);
        return res?.ok ? res.text() : null;
      },
      60_000,
      200,
    ).catch((e: unknown) => {
      throw new Error(`${String(e)} ${logs}`);
    });
    const got = summary(parsePromText(body));
    const want = summary(await outside.scrape());
    assert.deepEqual(got, want, logs);
    for (const c of ['libvirt', 'procfs', 'sysfs', 'pools'])
      assert.ok(got.up.includes(`${c}=1`), `${c} up: ${got.up.join(' ')}`);
    assert.ok(
      got.findings.some((f) => f.startsWith('qemu_without_domain ')),
      got.findings.join('\n'),
    );
    assert.ok(got.domains.some((d) => d.includes(`vmzt-${host.tag}-ro-off`)));
  });
});
