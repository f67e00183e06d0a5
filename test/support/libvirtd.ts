// Test harness for a real libvirtd + QEMU (TCG): prepares and starts the daemon when needed, holds
// a cross-process lock so only one suite uses it at a time, builds domains, images and stray
// processes, and tears all of it down afterwards.
import { execa } from 'execa';
import { mkdtemp, mkdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeXml } from '../../src/util/xml-escape.js';

const URI = 'qemu:///system';
const LOCK_DIR = path.join(os.tmpdir(), 'vmzombie-libvirtd.lock');
const SETUP = path.join(path.dirname(fileURLToPath(import.meta.url)), 'setup-libvirt-host.sh');

/** Creates what a libvirtd of this machine needs and a fresh machine lacks (the qemu user and groups). */
export async function prepareLibvirtHost(): Promise<void> {
  await execa('bash', [SETUP], { timeout: 60_000 });
}

export interface DiskSpec {
  path: string;
  format?: 'qcow2' | 'raw';
}
export interface DomainSpec {
  name: string;
  disks: DiskSpec[];
  memoryMiB?: number;
  vcpus?: number;
}

function domainXml(spec: DomainSpec): string {
  const disks = spec.disks
    .map(
      (d, i) => `
    <disk type='file' device='disk'><driver name='qemu' type='${d.format ?? 'qcow2'}'/>
    <source file='${escapeXml(d.path)}'/><target dev='vd${String.fromCharCode(97 + i)}' bus='virtio'/></disk>`,
    )
    .join('');
  return `<domain type='qemu'>
  <name>${escapeXml(spec.name)}</name>
  <memory unit='MiB'>${spec.memoryMiB ?? 32}</memory>
  <vcpu>${spec.vcpus ?? 1}</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type></os>
  <devices>${disks}
  </devices>
</domain>`;
}

/** The cross-process lock every user of a real libvirtd takes (also for a private one: tests pick theirs by pid). */
export async function acquireLock(timeoutMs = 15 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      await writeFile(path.join(LOCK_DIR, 'pid'), String(process.pid));
      return;
    } catch {
      const owner = Number(await readFile(path.join(LOCK_DIR, 'pid'), 'utf8').catch(() => 'NaN'));
      let alive: boolean;
      if (Number.isInteger(owner)) {
        try {
          process.kill(owner, 0);
          alive = true;
        } catch {
          alive = false;
        }
      } else {
        // The owner made the directory and has not written its pid yet; only a lock left half-made
        // long ago is stale.
        const made = await stat(LOCK_DIR).then(
          (st) => st.mtimeMs,
          () => 0,
        );
        alive = made !== 0 && Date.now() - made < 30_000;
      }
      if (!alive) {
        await rm(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`libvirtd test lock held by pid ${owner} for too long`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/** Releases the lock if this process holds it. */
export async function releaseLock(): Promise<void> {
  const owner = await readFile(path.join(LOCK_DIR, 'pid'), 'utf8').catch(() => '');
  if (owner.trim() === String(process.pid)) await rm(LOCK_DIR, { recursive: true, force: true });
}

export class LibvirtTestHost {
  readonly uri = URI;
  private readonly uuids: string[] = [];
  private readonly pids: number[] = [];

  private constructor(
    readonly workDir: string,
    readonly tag: string,
  ) {}

  /** Waits for the lock, makes sure libvirtd answers, and returns a host with a fresh work dir. */
  static async acquire(): Promise<LibvirtTestHost> {
    await acquireLock();
    try {
      await prepareLibvirtHost();
      const workDir = await mkdtemp(path.join(os.tmpdir(), 'vmzt-'));
      return new LibvirtTestHost(workDir, Math.random().toString(36).slice(2, 7));
    } catch (e) {
      await rmdir(LOCK_DIR).catch(() => rm(LOCK_DIR, { recursive: true, force: true }));
      throw e;
    }
  }

  async virsh(...args: string[]): Promise<string> {
    const { stdout } = await execa('virsh', ['-q', '-c', URI, ...args], { timeout: 30_000 });
    return stdout;
  }

  async createImage(name: string, options: { backing?: string; sizeMiB?: number } = {}): Promise<string> {
    const file = path.join(this.workDir, name);
    const args = ['create', '-q', '-f', 'qcow2'];
    if (options.backing) args.push('-b', options.backing, '-F', 'qcow2');
    args.push(file);
    if (!options.backing) args.push(`${options.sizeMiB ?? 64}M`);
    await execa('qemu-img', args);
    return file;
  }

  /** Defines a domain and returns its uuid; it is destroyed and undefined at release. */
  async define(spec: DomainSpec): Promise<string> {
    const file = path.join(this.workDir, `domain-${this.uuids.length}.xml`);
    await writeFile(file, domainXml(spec));
    await this.virsh('define', file);
    const uuid = (await this.virsh('domuuid', spec.name)).trim();
    this.uuids.push(uuid);
    return uuid;
  }

  async qemuPid(uuid: string): Promise<number> {
    const { stdout } = await execa('pgrep', ['-f', '--', `-uuid ${uuid}`]);
    return Number(stdout.trim().split('\n')[0]);
  }

  /** A qemu process libvirt knows nothing about, as a host gets when libvirt loses track of a guest. */
  async startStrayQemu(
    guestName: string,
    image: string,
    options: { vcpus?: number; memoryMiB?: number; extraArgs?: string[] } = {},
  ): Promise<number> {
    const pidfile = path.join(this.workDir, `stray-${this.pids.length}.pid`);
    await execa('qemu-system-x86_64', [
      '-name',
      `guest=${guestName.replace(/,/g, ',,')},debug-threads=on`,
      '-machine',
      'pc',
      '-m',
      String(options.memoryMiB ?? 32),
      '-smp',
      String(options.vcpus ?? 1),
      '-display',
      'none',
      '-daemonize',
      '-pidfile',
      pidfile,
      '-drive',
      `file=${image.replace(/,/g, ',,')},if=virtio,format=qcow2`,
      ...(options.extraArgs ?? []),
    ]);
    const pid = Number((await readFile(pidfile, 'utf8')).trim());
    this.pids.push(pid);
    return pid;
  }

  /** A process holding a shared flock on a file, as a backup tool or agent might. */
  async holdFlock(file: string): Promise<number> {
    const child = execa('flock', ['-s', file, 'sleep', '600'], { reject: false, detached: false });
    const pid = child.pid as number;
    this.pids.push(pid);
    // Wait until the lock shows in /proc/locks.
    for (let i = 0; i < 100; i++) {
      if (
        (await readFile('/proc/locks', 'utf8')).split('\n').some((l) => l.includes(` FLOCK `) && l.includes(` ${pid} `))
      )
        return pid;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('flock did not take its lock');
  }

  track(pid: number): void {
    this.pids.push(pid);
  }

  async release(): Promise<void> {
    for (const pid of this.pids) {
      // Children first (flock's `sleep`), then the process itself.
      await execa('pkill', ['-KILL', '-P', String(pid)], { reject: false });
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    for (const uuid of this.uuids) {
      await execa('virsh', ['-q', '-c', URI, 'destroy', uuid], { reject: false });
      await execa('virsh', ['-q', '-c', URI, 'undefine', uuid], { reject: false });
    }
    await rm(this.workDir, { recursive: true, force: true });
    // Only our own lock: never remove one another suite holds.
    const owner = await readFile(path.join(LOCK_DIR, 'pid'), 'utf8').catch(() => '');
    if (owner.trim() === String(process.pid)) await rm(LOCK_DIR, { recursive: true, force: true });
  }
}
