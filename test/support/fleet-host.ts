// A "host" of a fleet on one machine: its own PID and mount namespace with its own libvirtd (the QEMU
// driver only) and qemu guests, /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/cache/libvirt and
// /var/log/libvirt bound to temp folders, and one directory shared by every host bound at
// /var/lib/libvirt/images/shared. Commands run inside it with nsenter, so an exporter started there sees
// only this host's processes. Stopping it kills the namespace's init, which ends everything inside.
import { execa } from 'execa';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { escapeXml } from '../../src/util/xml-escape.js';
import { DRIVER, QEMU_CONF } from './private-libvirtd.js';
import { waitFor } from './wait.js';

const QEMU_USERS =
  'getent group kvm >/dev/null || groupadd -r kvm; ' +
  'getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu; ' +
  'id libvirt-qemu >/dev/null 2>&1 || useradd -r -g kvm libvirt-qemu';
const HOST_CAPS = '/var/cache/libvirt/qemu/capabilities';
const BOUND = ['/etc/libvirt', '/run/libvirt', '/var/lib/libvirt', '/var/cache/libvirt', '/var/log/libvirt'];
/** Where every host sees the shared directory. */
export const SHARED_IN_HOST = '/var/lib/libvirt/images/shared';
export const IMAGES_IN_HOST = '/var/lib/libvirt/images';

export interface GuestSpec {
  name: string;
  uuid: string;
  /** Disk paths as the host sees them. */
  disk: string;
}

export class FleetHost {
  private constructor(
    readonly name: string,
    readonly dir: string,
    private readonly unshare: Promise<unknown>,
    readonly initPid: number,
  ) {}

  get uri(): string {
    return `qemu:///system?socket=${path.join(this.dir, 'run', 'libvirt-sock')}`;
  }

  /** Where a path of this host's /var/lib/libvirt/images (outside the shared folder) is from outside. */
  outside(p: string): string {
    return path.join(this.dir, 'lib', path.relative('/var/lib/libvirt', p));
  }

  static async start(name: string, shared: string): Promise<FleetHost> {
    const dir = await mkdtemp(path.join(os.tmpdir(), `vmz-fleet-${name}-`));
    const folders = ['etc', 'run', 'lib', 'cache', 'log'].map((f) => path.join(dir, f));
    // libvirt's QEMU driver looks its default user up before it reads qemu.conf's user = "root".
    await execa('bash', ['-c', QEMU_USERS]);
    // The host libvirtd's probe of each qemu binary, if it has one: libvirtd reuses it while the binaries are
    // unchanged instead of probing again (tens of seconds per host on a busy machine).
    await cp(HOST_CAPS, path.join(dir, 'cache', 'qemu', 'capabilities'), { recursive: true }).catch(() => undefined);
    for (const f of folders) await mkdir(f, { recursive: true });
    await mkdir(path.join(dir, 'drivers'));
    await symlink(DRIVER, path.join(dir, 'drivers', path.basename(DRIVER)));
    await writeFile(path.join(dir, 'etc', 'qemu.conf'), QEMU_CONF);
    await writeFile(path.join(dir, 'etc', 'libvirtd.conf'), 'max_clients = 100\n');
    const q = JSON.stringify;
    const script = [
      'set -e',
      `mkdir -p ${BOUND.join(' ')}`,
      ...BOUND.map((b, i) => `mount --bind ${q(folders[i])} ${b}`),
      `mkdir -p ${SHARED_IN_HOST}`,
      `mount --bind ${q(shared)} ${SHARED_IN_HOST}`,
      `LIBVIRT_DRIVER_DIR=${q(path.join(dir, 'drivers'))} libvirtd -d -p ${q(path.join(dir, 'libvirtd.pid'))} ` +
        '-f /etc/libvirt/libvirtd.conf',
      // bash stays the namespace's init and reaps what is orphaned into it: libvirtd's capability probes run a
      // QEMU that daemonizes, and a zombie that nobody reaps still looks alive to libvirtd, which then waits for
      // it (each define hung until the probe timed out on a host whose capability cache did not apply).
      'while :; do sleep 1 & wait $!; done',
    ].join('\n');
    // setsid: its own session, away from the test runner's signals (it execs unshare: same pid).
    const unshare = execa(
      'setsid',
      ['unshare', '--pid', '--fork', '--mount-proc', '--mount', '--propagation', 'private', 'bash', '-c', script],
      { stdio: 'ignore', reject: false },
    );
    const initPid = await waitFor(
      `${name}: namespace init`,
      async () => {
        const kids = await readFile(`/proc/${unshare.pid}/task/${unshare.pid}/children`, 'utf8').catch(() => '');
        return Number(kids.trim().split(' ')[0]) || null;
      },
      10_000,
      50,
    );
    const host = new FleetHost(name, dir, unshare, initPid);
    // A host that does not come up is stopped here: the caller never gets it to stop.
    await waitFor(
      `${name}: libvirtd answers`,
      async () =>
        (await execa('virsh', ['-c', host.uri, 'version'], { reject: false, timeout: 10_000 })).exitCode === 0,
      // A fresh libvirtd probes every qemu binary before it answers: tens of seconds on a busy machine.
      180_000,
      250,
    ).catch(async (e: unknown) => {
      await host.stop();
      throw e;
    });
    return host;
  }

  async virsh(...args: string[]): Promise<string> {
    return (await execa('virsh', ['-q', '-c', this.uri, ...args], { timeout: 60_000 })).stdout;
  }

  async define(g: GuestSpec): Promise<void> {
    const file = path.join(this.dir, `${g.name}.xml`);
    await writeFile(
      file,
      `<domain type='qemu'><name>${escapeXml(g.name)}</name><uuid>${g.uuid}</uuid>
  <memory unit='MiB'>32</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
    <source file='${escapeXml(g.disk)}'/><target dev='vda' bus='virtio'/></disk></devices>
</domain>`,
    );
    await this.virsh('define', file);
  }

  /** Runs a command inside this host (its PID and mount namespace), from `cwd`. */
  run(command: string, args: string[], cwd: string) {
    return execa('nsenter', ['-t', String(this.initPid), '-p', '-m', `--wd=${cwd}`, '--', command, ...args], {
      reject: false,
      all: true,
    });
  }

  /** Kills the namespace's init: the kernel ends every process of the host (libvirtd, qemus, exporter). */
  async stop(): Promise<void> {
    try {
      process.kill(this.initPid, 'SIGKILL');
    } catch {
      /* gone */
    }
    await this.unshare;
    await rm(this.dir, { recursive: true, force: true });
  }
}
