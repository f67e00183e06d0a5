// image_locked_by_foreign_process and image_locked_while_domain_inactive, with the lock shapes
// QEMU really takes (OFD, pid -1 in /proc/locks, holder found through fdinfo).
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { imageLockedByForeignProcess } from '../../src/detectors/image-locked-by-foreign-process.js';
import { imageLockedWhileDomainInactive } from '../../src/detectors/image-locked-while-domain-inactive.js';
import type { Domain, FileStat } from '../../src/snapshot/libvirt.js';
import type { OpenFile, ProcessInfo, ProcLock } from '../../src/snapshot/procfs.js';
import {
  CTX,
  disk,
  domain,
  file,
  libvirtQemu,
  libvirtSection,
  ofdLock,
  openFile,
  posixLock,
  proc,
  procfsSection,
  qemuWritableLocks,
  running,
  snapshot,
} from '../support/builders.js';

const U1 = '44444444-4444-4444-8444-444444444441';
const U2 = '44444444-4444-4444-8444-444444444442';
const BASE = file('/images/base.qcow2', 1000);
const TOP1 = file('/images/vm1.qcow2', 1001);
const TOP2 = file('/images/vm2.qcow2', 1002);
const OFF = file('/images/off.qcow2', 1003);

interface Case {
  domains: Domain[];
  files: FileStat[];
  processes: ProcessInfo[];
  openFiles: OpenFile[];
  locks: ProcLock[];
}

function run(c: Case) {
  const s = snapshot({
    libvirt: libvirtSection(c.domains, c.files),
    procfs: procfsSection(c.processes, { openFiles: c.openFiles, locks: c.locks }),
  });
  return {
    foreign: imageLockedByForeignProcess.detect(s, CTX).map((f) => [f.subject, f.evidence.holders.map((h) => h.pid)]),
    inactive: imageLockedWhileDomainInactive
      .detect(s, CTX)
      .map((f) => [f.subject, f.evidence.holders.map((h) => h.pid)]),
  };
}

/** Two running guests on one base image, each qemu holding its own layer and the shared base. */
function twoGuestsOnSharedBase(): Case {
  const baseLocks1 = [ofdLock(1000, 100, 100), ofdLock(1000, 201, 201), ofdLock(1000, 203, 203)];
  const baseLocks2 = [ofdLock(1000, 100, 100, 7), ofdLock(1000, 201, 201, 8), ofdLock(1000, 203, 203, 9)];
  return {
    domains: [
      running('vm1', 501, { uuid: U1, disks: [disk(TOP1.path, [BASE.path])] }),
      running('vm2', 502, { uuid: U2, disks: [disk(TOP2.path, [BASE.path])] }),
    ],
    files: [BASE, TOP1, TOP2],
    processes: [libvirtQemu(501, 'vm1', U1), libvirtQemu(502, 'vm2', U2)],
    openFiles: [
      openFile(501, 20, TOP1.path, 1001, qemuWritableLocks(1001)),
      openFile(501, 21, BASE.path, 1000, baseLocks1),
      openFile(502, 20, TOP2.path, 1002, qemuWritableLocks(1002)),
      openFile(502, 21, BASE.path, 1000, baseLocks2),
    ],
    locks: [...qemuWritableLocks(1001), ...qemuWritableLocks(1002), ...baseLocks1, ...baseLocks2],
  };
}

describe('image lock kinds', () => {
  it("running guests' own locks, including a base image both lock, are silent", () => {
    assert.deepEqual(run(twoGuestsOnSharedBase()), { foreign: [], inactive: [] });
  });

  it("a backup tool holding a POSIX lock on a running guest's layer is foreign", () => {
    const c = twoGuestsOnSharedBase();
    c.processes.push(proc(777, ['/usr/bin/backup-agent', '--image', TOP1.path]));
    c.locks.push(posixLock(777, 1001, 20));
    assert.deepEqual(run(c), { foreign: [[TOP1.path, [777]]], inactive: [] });
  });

  it('a second qemu holding OFD locks on the shared base is found through its fdinfo', () => {
    const c = twoGuestsOnSharedBase();
    const strayLocks = [ofdLock(1000, 100, 100, 30), ofdLock(1000, 201, 201, 31)];
    c.processes.push(proc(888, ['qemu-system-x86_64', '-name', 'guest=ghost', '-drive', `file=${BASE.path}`]));
    c.openFiles.push(openFile(888, 12, BASE.path, 1000, strayLocks));
    c.locks.push(...strayLocks);
    assert.deepEqual(run(c), { foreign: [[BASE.path, [888]]], inactive: [] });
  });

  it('virtlockd holding a running guest\'s image (lock_manager = "lockd") is legitimate', () => {
    const c = twoGuestsOnSharedBase();
    c.processes.push(proc(90, ['/usr/sbin/virtlockd'], { comm: 'virtlockd' }));
    c.locks.push(posixLock(90, 1002, 40));
    assert.deepEqual(run(c), { foreign: [], inactive: [] });
  });

  it('a shut-off domain whose image a leftover qemu still locks', () => {
    const c = twoGuestsOnSharedBase();
    const leftover = qemuWritableLocks(1003).map((l, i) => ({ ...l, ordinal: 50 + i }));
    c.domains.push(domain({ name: 'off', disks: [disk(OFF.path)] }));
    c.files.push(OFF);
    c.processes.push(proc(999, ['qemu-system-x86_64', '-name', 'guest=off-old']));
    c.openFiles.push(openFile(999, 10, OFF.path, 1003, leftover));
    c.locks.push(...leftover);
    assert.deepEqual(run(c), { foreign: [], inactive: [[OFF.path, [999]]] });
  });

  it("a shut-off domain sharing a base with a running guest: the running qemu's lock is not stray", () => {
    const c = twoGuestsOnSharedBase();
    c.domains.push(domain({ name: 'off-clone', disks: [disk(BASE.path)] }));
    assert.deepEqual(run(c), { foreign: [], inactive: [] });
  });

  it('a lock on the same inode number on another device is another file', () => {
    const c = twoGuestsOnSharedBase();
    c.domains.push(domain({ name: 'off', disks: [disk(OFF.path)] }));
    c.files.push(OFF);
    c.processes.push(proc(555, ['/usr/bin/other']));
    c.locks.push({ ...posixLock(555, 1003, 60), devMajor: 8, devMinor: 1 });
    assert.deepEqual(run(c), { foreign: [], inactive: [] });
  });

  it('on btrfs the stat device differs from the lock device: an fd open at the image path confirms it', () => {
    const c = twoGuestsOnSharedBase();
    const offOnBtrfs = file(OFF.path, 1003, { devMajor: 0, devMinor: 45 });
    const lock = { ...ofdLock(1003, 100, 101, 70), devMajor: 0, devMinor: 38 };
    c.domains.push(domain({ name: 'off', disks: [disk(OFF.path)] }));
    c.files.push(offOnBtrfs);
    c.processes.push(proc(556, ['qemu-system-x86_64', '-name', 'guest=x']));
    c.openFiles.push({ ...openFile(556, 9, OFF.path, 1003, [lock]), devMajor: 0, devMinor: 45 });
    c.locks.push(lock);
    assert.deepEqual(run(c), { foreign: [], inactive: [[OFF.path, [556]]] });
  });

  it('an image that does not exist has no lock holders', () => {
    const c = twoGuestsOnSharedBase();
    c.files = c.files.map((f) => ({ ...f, exists: false, inode: null }));
    c.processes.push(proc(777, ['/usr/bin/backup-agent']));
    c.locks.push(posixLock(777, 1001, 20));
    assert.deepEqual(run(c), { foreign: [], inactive: [] });
  });
});
