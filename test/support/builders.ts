// Builders of snapshot literals for detector tests: defaults for everything a case does not care
// about, so each table row states only what makes it that case.
import type { Domain, FileStat, LibvirtSection } from '../../src/snapshot/libvirt.js';
import type { OpenFile, ProcessInfo, ProcfsSection, ProcLock } from '../../src/snapshot/procfs.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';
import type { DetectContext } from '../../src/detectors/detector.js';
import { detectContext } from './detect-context.js';

export const NOW = 1_800_000_000;

export function domain(over: Partial<Domain> & { name: string }): Domain {
  return {
    uuid: `00000000-0000-4000-8000-${Buffer.from(over.name).toString('hex').padEnd(12, '0').slice(0, 12)}`,
    id: null,
    state: 'shutoff',
    reason: 'unknown',
    autostart: false,
    persistent: true,
    vcpus: 1,
    memoryBytes: 64 * 1024 * 1024,
    hugepages: false,
    disks: [],
    hostdevs: [],
    interfaces: [],
    pid: null,
    ...over,
  };
}

export function running(name: string, pid: number, over: Partial<Domain> = {}): Domain {
  return domain({ name, state: 'running', reason: 'booted', id: pid % 100, pid, ...over });
}

export function disk(source: string, backingChain: string[] = []): Domain['disks'][number] {
  return { target: 'vda', device: 'disk', type: 'file', source, readonly: false, shareable: false, backingChain };
}

export function file(path: string, inode: number, over: Partial<FileStat> = {}): FileStat {
  return {
    path,
    exists: true,
    inode,
    devMajor: 254,
    devMinor: 0,
    sizeBytes: 1 << 20,
    allocatedBytes: 1 << 20,
    mtimeSeconds: NOW - 86400,
    error: null,
    ...over,
  };
}

export function proc(pid: number, cmdline: string[], over: Partial<ProcessInfo> = {}): ProcessInfo {
  const argv0 = cmdline[0] ?? '';
  return {
    pid,
    ppid: 1,
    comm: argv0.slice(argv0.lastIndexOf('/') + 1).slice(0, 15),
    state: 'S',
    cmdline,
    uid: 0,
    startTimeSeconds: NOW - 3600,
    rssBytes: 100 * 1024 * 1024,
    ...over,
  };
}

/** The command line libvirt 9 gives a guest (abridged to the options detectors read). */
export function libvirtQemu(pid: number, name: string, uuid: string, over: Partial<ProcessInfo> = {}): ProcessInfo {
  return proc(
    pid,
    [
      '/usr/bin/qemu-system-x86_64',
      '-name',
      `guest=${name.replace(/,/g, ',,')},debug-threads=on`,
      '-S',
      '-machine',
      'pc-i440fx-7.2,usb=off',
      '-m',
      '64',
      '-smp',
      '1,sockets=1,cores=1,threads=1',
      '-uuid',
      uuid,
      '-display',
      'none',
    ],
    over,
  );
}

export function ofdLock(inode: number, start: number, end: number, ordinal = 1): ProcLock {
  return {
    ordinal,
    lockClass: 'OFDLCK',
    mode: 'ADVISORY',
    access: 'READ',
    pid: -1,
    devMajor: 254,
    devMinor: 0,
    inode,
    start,
    end,
    raw: `${ordinal}: OFDLCK ADVISORY  READ -1 fe:00:${inode} ${start} ${end}`,
  };
}

export function posixLock(pid: number, inode: number, ordinal = 1): ProcLock {
  return {
    ordinal,
    lockClass: 'POSIX',
    mode: 'ADVISORY',
    access: 'WRITE',
    pid,
    devMajor: 254,
    devMinor: 0,
    inode,
    start: 0,
    end: null,
    raw: `${ordinal}: POSIX  ADVISORY  WRITE ${pid} fe:00:${inode} 0 EOF`,
  };
}

/** An fd of `pid` open on `path`, holding the given OFD locks (as its fdinfo would list them). */
export function openFile(pid: number, fd: number, path: string, inode: number, locks: ProcLock[] = []): OpenFile {
  return {
    pid,
    fd,
    target: path,
    inode,
    devMajor: 254,
    devMinor: 0,
    mntId: 27,
    locks: locks.map(({ ordinal: _o, ...l }) => l),
    tapInterface: null,
    vfioDeviceSyspath: null,
  };
}

/** The four OFD locks a running qemu takes on its writable active layer. */
export function qemuWritableLocks(inode: number): ProcLock[] {
  return [ofdLock(inode, 100, 101), ofdLock(inode, 103, 103), ofdLock(inode, 201, 201), ofdLock(inode, 203, 203)];
}

export function libvirtSection(
  domains: Domain[],
  files: FileStat[] = [],
  over: Partial<LibvirtSection> = {},
): LibvirtSection {
  return { uri: 'qemu:///system', local: true, domains, files, problems: [], ...over };
}

export function procfsSection(processes: ProcessInfo[], over: Partial<ProcfsSection> = {}): ProcfsSection {
  const init = proc(1, ['/sbin/init'], { startTimeSeconds: NOW - 30 * 86400 });
  return {
    bootTimeSeconds: NOW - 30 * 86400,
    restricted: false,
    processes: [init, ...processes],
    openFiles: [],
    locks: [],
    problems: [],
    ...over,
  };
}

export function snapshot(sections: { libvirt?: LibvirtSection; procfs?: ProcfsSection }): Snapshot {
  const collectors: Snapshot['collectors'] = {};
  for (const name of Object.keys(sections))
    collectors[name] = { state: 'ok', reason: null, durationSeconds: 0.01, lastSuccessSeconds: NOW, stale: false };
  return { schemaVersion: 1, hostname: 'test-host', takenAt: NOW, collectors, ...sections };
}

// Defaults of every knob, so new detectors' options need no edit here; the libvirt ones pinned.
export const CTX: DetectContext<string> = detectContext(NOW, {
  'detect.shutdown-grace': 300,
  'detect.paused-grace': 300,
  'detect.autostart-grace': 600,
});
