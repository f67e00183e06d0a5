// End to end on a real libvirtd + QEMU (TCG): an image a process holds open is never an orphan. A
// qemu libvirt does not know holds its qcow2 (one finding: the qemu, with the disk and its bytes);
// once it is gone the same old image is an orphan; a plain reader (python3) keeps it out again.
import { describe, it, beforeAll, afterAll } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { LibvirtTestHost } from '../support/libvirtd.js';
import { startExporter, type RunningExporter } from '../support/exporter.js';
import { series } from '../support/prom-text.js';
import { missingCommands, skipWithout } from '../support/components.js';

interface JsonFinding {
  kind: string;
  subject: string;
  reclaimable: { diskBytes?: number };
  related: Array<{ kind: string; subject: string }>;
  evidence: Record<string, unknown>;
}

const unavailable = skipWithout(
  'a real libvirtd with QEMU',
  missingCommands('libvirtd', 'virtlogd', 'virsh', 'qemu-system-x86_64', 'qemu-img', 'python3'),
);

describe.skipIf(unavailable)('held images on a real libvirtd', { timeout: 300_000 }, () => {
  let host: LibvirtTestHost;
  let exporter: RunningExporter;
  let image: string;
  let allocated = 0;
  const findings = async (): Promise<JsonFinding[]> => {
    const { body } = await exporter.get('/findings.json');
    return (JSON.parse(body) as { findings: JsonFinding[] }).findings.filter(
      (f) => f.kind === 'qemu_without_domain' || f.subject === image,
    );
  };
  const waitGone = async (pid: number) => {
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`pid ${pid} still alive`);
  };

  beforeAll(async () => {
    host = await LibvirtTestHost.acquire();
    const pool = path.join(host.workDir, 'pool');
    await mkdir(pool);
    image = path.join(pool, 'ghost.qcow2');
    await execa('qemu-img', ['create', '-q', '-f', 'qcow2', image, '64M']);
    // Older than --detect.orphan-min-age, so only "held" can keep it from being an orphan.
    const old = Date.now() / 1000 - 2 * 86400;
    await utimes(image, old, old);
    allocated = (await stat(image)).blocks * 512;
    exporter = await startExporter([
      `--libvirt.uri=${host.uri}`,
      `--pool.dir=${pool}`,
      '--detect.grace=0s',
      '--detect.orphan-min-age=1h',
      '--collector.min-interval=0s',
    ]);
  });

  afterAll(async () => {
    await exporter?.stop();
    await host?.release();
  });

  it('a qemu without a domain holding its qcow2: one finding, the qemu, with disk, lock and bytes', async () => {
    const pid = await host.startStrayQemu(`vmzt-${host.tag}-ghost`, image);
    const found = await findings();
    assert.deepEqual(
      found.map((f) => f.kind),
      ['qemu_without_domain'],
    );
    const [ghost] = found;
    const disks = ghost?.evidence.disks as Array<{
      path: string;
      allocatedBytes: number;
      referencedBy: string[];
      locks: string[];
    }>;
    assert.deepEqual(
      disks.map((d) => [d.path, d.allocatedBytes, d.referencedBy]),
      [[image, allocated, []]],
    );
    assert.ok((disks[0]?.locks.length ?? 0) > 0, 'qemu takes OFD locks on its disk');
    assert.equal(ghost?.reclaimable.diskBytes, allocated);
    const samples = await exporter.scrape();
    assert.equal(
      series(samples, 'vmzombie_reclaimable_disk_bytes').reduce((n, s) => n + s.value, 0),
      allocated,
      'counted once across kinds',
    );
    process.kill(pid, 'SIGKILL');
    await waitGone(pid);
  });

  it('the same image once the process is gone, older than --detect.orphan-min-age: orphan_image', async () => {
    const found = await findings();
    assert.deepEqual(
      found.map((f) => [f.kind, f.subject, f.reclaimable.diskBytes]),
      [['orphan_image', image, allocated]],
    );
    const samples = await exporter.scrape();
    assert.equal(
      series(samples, 'vmzombie_reclaimable_disk_bytes').reduce((n, s) => n + s.value, 0),
      allocated,
    );
  });

  it('an image a python3 process reads: no orphan while it is held, an orphan again after', async () => {
    const reader: ResultPromise = execa('python3', [
      '-c',
      'import sys, time; f = open(sys.argv[1], "rb"); print("open", flush=True); time.sleep(600)',
      image,
    ]);
    host.track(reader.pid as number);
    await new Promise<void>((resolve) => reader.stdout?.once('data', () => resolve()));
    assert.deepEqual(await findings(), []);
    reader.kill('SIGKILL');
    await reader.catch(() => undefined);
    assert.deepEqual(
      (await findings()).map((f) => f.kind),
      ['orphan_image'],
    );
  });
});
