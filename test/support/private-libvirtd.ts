// A private libvirtd for tests and benchmarks that must not disturb the host's own: its own mount
// namespace with /etc/libvirt, /run/libvirt, /var/lib/libvirt, /var/cache/libvirt and
// /var/log/libvirt bound to temp folders, the QEMU driver loaded (and others when asked), stopped by
// its pid. With the network driver it gets its own network namespace too, so its bridges, firewall
// rules and dnsmasq stay off the host's network.
import { execa } from 'execa';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export const DRIVER = '/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so';
const BOUND = ['/etc/libvirt', '/run/libvirt', '/var/lib/libvirt', '/var/cache/libvirt', '/var/log/libvirt'];

export const QEMU_CONF = `# Test daemon: qemu as root, unconfined, no cgroups, no virtlogd.
user = "root"
group = "root"
dynamic_ownership = 0
security_driver = "none"
namespaces = [ ]
cgroup_controllers = [ ]
remember_owner = 0
stdio_handler = "file"
`;

export interface PrivateLibvirtdOptions {
  /** Connection drivers besides qemu, e.g. network, nwfilter. */
  drivers?: string[];
  /** Its own network namespace (loopback up), for the network driver's bridges and dnsmasq. */
  ownNetwork?: boolean;
}

export class PrivateLibvirtd {
  private constructor(
    readonly dir: string,
    readonly pid: number,
    private readonly ownNetwork: boolean,
  ) {}

  /** Folder that is /run/libvirt inside the daemon's namespace: its sockets and qemu/ pid files. */
  get runDir(): string {
    return path.join(this.dir, 'run');
  }

  get socket(): string {
    return path.join(this.runDir, 'libvirt-sock');
  }

  get roSocket(): string {
    return path.join(this.runDir, 'libvirt-sock-ro');
  }

  /** URI for the daemon's QEMU driver, as a client outside its namespace reaches it. */
  get uri(): string {
    return `qemu:///system?socket=${this.socket}`;
  }

  get roUri(): string {
    return `qemu:///system?socket=${this.roSocket}`;
  }

  static async start(opts: PrivateLibvirtdOptions = {}): Promise<PrivateLibvirtd> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmz-libvirtd-'));
    const folders = BOUND.map((b) =>
      path.join(dir, path.basename(b) === 'libvirt' ? (b.split('/')[1] as string) : path.basename(b)),
    );
    for (const f of folders) await mkdir(f, { recursive: true });
    await mkdir(path.join(dir, 'drivers'));
    for (const d of [
      DRIVER,
      ...(opts.drivers ?? []).map((n) => path.join(path.dirname(DRIVER), `libvirt_driver_${n}.so`)),
    ])
      await symlink(d, path.join(dir, 'drivers', path.basename(d)));
    await writeFile(path.join(dir, 'etc', 'qemu.conf'), QEMU_CONF);
    await writeFile(path.join(dir, 'etc', 'libvirtd.conf'), 'max_clients = 100\n');
    await mkdir(path.join(dir, 'lib', 'images'), { recursive: true });
    const pidfile = path.join(dir, 'libvirtd.pid');
    const binds = BOUND.map((b, i) => `mount --bind ${JSON.stringify(folders[i])} ${b}`).join(' && ');
    await execa(
      'unshare',
      [
        '--mount',
        ...(opts.ownNetwork ? ['--net'] : []),
        '--propagation',
        'private',
        'bash',
        '-c',
        `${opts.ownNetwork ? 'ip link set lo up && ' : ''}mkdir -p ${BOUND.join(' ')} && ${binds} && ` +
          `exec libvirtd -d -p ${JSON.stringify(pidfile)}`,
      ],
      {
        env: { LIBVIRT_DRIVER_DIR: path.join(dir, 'drivers') },
        extendEnv: true,
        timeout: 30_000,
      },
    );
    let pid = NaN;
    for (let i = 0; i < 300; i++) {
      pid = Number((await readFile(pidfile, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0) {
        const up = await execa(
          'virsh',
          ['-c', `qemu:///system?socket=${path.join(dir, 'run', 'libvirt-sock')}`, 'version'],
          { reject: false, timeout: 10_000 },
        );
        if (up.exitCode === 0) return new PrivateLibvirtd(dir, pid, opts.ownNetwork ?? false);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`private libvirtd in ${dir} did not answer`);
  }

  async virsh(...args: string[]): Promise<string> {
    const { stdout } = await execa('virsh', ['-q', '-c', this.uri, ...args], { timeout: 60_000 });
    return stdout;
  }

  /** Runs a command inside the daemon's mount (and network) namespace, where its paths and bridges are. */
  async inside(command: string[], env: Record<string, string> = {}): Promise<string> {
    const ns = ['-t', String(this.pid), '-m', ...(this.ownNetwork ? ['-n'] : [])];
    const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
    const { stdout } = await execa('nsenter', [...ns, '--', 'env', ...vars, ...command], { timeout: 60_000 });
    return stdout;
  }

  /** Runs many virsh commands in one process (one connection), e.g. to define 1000 domains. */
  async virshBatch(commands: string[]): Promise<string> {
    const { stdout } = await execa('virsh', ['-q', '-c', this.uri], {
      input: `${commands.join('\n')}\nquit\n`,
      timeout: 600_000,
    });
    return stdout;
  }

  /** The pids in the `*.pid` files of a folder of the daemon's run folder (qemu; network, its dnsmasqs). */
  private async pidsIn(folder: string): Promise<number[]> {
    const dir = path.join(this.runDir, folder);
    const files = await readdir(dir).catch(() => [] as string[]);
    const pids: number[] = [];
    for (const f of files.filter((n) => n.endsWith('.pid'))) {
      const pid = Number((await readFile(path.join(dir, f), 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0) pids.push(pid);
    }
    return pids;
  }

  /** Stops the daemon by its pid (SIGCONT first, in case a test stopped it), then its qemus and dnsmasqs. */
  async stop(): Promise<void> {
    const children = [...(await this.pidsIn('qemu')), ...(await this.pidsIn('network'))];
    for (const sig of ['SIGCONT', 'SIGTERM'] as const) {
      try {
        process.kill(this.pid, sig);
      } catch {
        /* gone */
      }
    }
    for (let i = 0; i < 100 && alive(this.pid); i++) await new Promise((r) => setTimeout(r, 50));
    if (alive(this.pid)) process.kill(this.pid, 'SIGKILL');
    for (const p of children) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await rm(this.dir, { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
