// managed_save_stale, block_job_stuck, domain_shut_off_long: each against its healthy look-alikes.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { managedSaveStale } from '../../src/detectors/managed-save-stale.js';
import { blockJobStuck } from '../../src/detectors/block-job-stuck.js';
import { domainShutOffLong } from '../../src/detectors/domain-shut-off-long.js';
import { CTX, NOW, disk, domain, file, libvirtSection, snapshot } from '../support/builders.js';
import { judge } from '../support/judge.js';

const DAY = 86400;
const subjects = (fs: unknown[]) => (fs as Array<{ subject: string }>).map((f) => f.subject).sort();
const save = (name: string, mtime: number) => ({
  ...file(`/var/lib/libvirt/qemu/save/${name}.save`, 900 + name.length),
  mtimeSeconds: mtime,
  allocatedBytes: 64 << 20,
});

describe('managed_save_stale', () => {
  const saved = domain({ name: 'saved', state: 'shutoff', reason: 'saved', managedSave: true });
  const running = domain({ name: 'restoring', state: 'running', reason: 'restored' });
  const plain = domain({ name: 'plain', state: 'shutoff', reason: 'shutdown' });
  const s = snapshot({
    libvirt: libvirtSection([saved, running, plain], [], {
      saveFiles: [save('saved', NOW - 10 * DAY), save('restoring', NOW - 60), save('gone', NOW - 20 * DAY)],
    }),
  });

  it('the managed-saved domain (dated by its file) and a save file with no domain; a running restore is silent', () => {
    const findings = judge(managedSaveStale, s, CTX) as ReturnType<typeof managedSaveStale.detect>;
    assert.deepEqual(subjects(findings), [`saved (${saved.uuid})`, '/var/lib/libvirt/qemu/save/gone.save'].sort());
    const f = findings.find((x) => x.labels.domain === 'saved')!;
    assert.equal(f.since, NOW - 10 * DAY);
    assert.equal(f.reclaimable.diskBytes, 64 << 20);
    assert.equal(findings.find((x) => x.labels.domain === 'gone')?.evidence.libvirtManagedSave, false);
  });

  it('no managed save, no save files: silent', () => {
    assert.deepEqual(judge(managedSaveStale, snapshot({ libvirt: libvirtSection([plain, running]) }), CTX), []);
  });
});

describe('block_job_stuck', () => {
  it('a disk with a mirror (ready or not); a disk without one is silent', () => {
    const d = domain({
      name: 'bk',
      disks: [
        { ...disk('/img/bk.top'), mirror: { job: 'active-commit', ready: true, source: '/img/bk.base' } },
        { ...disk('/img/bk-data.qcow2'), target: 'vdb' },
      ],
    });
    const quiet = domain({ name: 'quiet', disks: [disk('/img/q.qcow2')] });
    const findings = judge(blockJobStuck, snapshot({ libvirt: libvirtSection([d, quiet]) }), CTX) as ReturnType<
      typeof blockJobStuck.detect
    >;
    assert.equal(findings.length, 1);
    assert.deepEqual(findings[0]?.labels, {
      domain: 'bk',
      uuid: d.uuid,
      disk: 'vda',
      block_job: 'active-commit',
      ready: 'true',
      owner: '',
    });
    assert.equal(findings[0]?.evidence.mirrorTarget, '/img/bk.base');
  });
});

describe('domain_shut_off_long', () => {
  const old = domain({
    name: 'old',
    state: 'shutoff',
    reason: 'shutdown',
    disks: [disk('/img/old.qcow2'), disk('/img/shared-data.raw')],
    owner: { system: 'nova', project: 'p-42', name: 'inst' },
  });
  const other = domain({ name: 'other', state: 'running', disks: [disk('/img/shared-data.raw')] });
  const tpl = domain({ name: 'tpl', state: 'shutoff', reason: 'shutdown', template: true });
  const norecord = domain({ name: 'never-ran', state: 'shutoff', reason: 'unknown' });
  const saved = domain({ name: 'saved', state: 'shutoff', reason: 'saved', managedSave: true });
  const s = snapshot({
    libvirt: libvirtSection(
      [old, other, tpl, norecord, saved],
      [{ ...file('/img/old.qcow2', 7), allocatedBytes: 3 << 30 }],
      {
        shutOff: [
          { uuid: old.uuid, since: NOW - 40 * DAY, record: 'qemu-log' },
          { uuid: tpl.uuid, since: NOW - 400 * DAY, record: 'qemu-log' },
          { uuid: saved.uuid, since: NOW - 400 * DAY, record: 'qemu-log' },
        ],
      },
    ),
  });

  it('dated by its record, owner label, only the disks no other domain uses are reclaimable', () => {
    const findings = judge(domainShutOffLong, s, CTX) as ReturnType<typeof domainShutOffLong.detect>;
    assert.deepEqual(subjects(findings), [`old (${old.uuid})`]);
    const f = findings[0]!;
    assert.equal(f.since, NOW - 40 * DAY);
    assert.equal(f.labels.owner, 'nova:p-42');
    assert.deepEqual(f.evidence.ownDisks, [{ path: '/img/old.qcow2', bytes: 3 << 30 }]);
    assert.equal(f.reclaimable.diskBytes, 3 << 30);
  });

  it('not judged for a remote libvirt', () => {
    const remote = snapshot({ libvirt: { ...s.libvirt!, local: false } });
    assert.throws(() => judge(domainShutOffLong, remote, CTX), /remote/);
  });
});
