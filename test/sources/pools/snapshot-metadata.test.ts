// libvirt's snapshot metadata names files a revert needs; the procfs collector's pool-directory match.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseSnapshotXml, readLibvirtConfig } from '../../../src/sources/shared/libvirt-config.js';
import { isUnderDirs } from '../../../src/sources/procfs/open-files.js';

// The shape libvirt 9 writes for an external disk snapshot: the snapshot's own overlay under <disks>,
// the domain as it was (with its disk then) under <domain>.
const EXTERNAL = `<domainsnapshot>
  <name>before-upgrade</name>
  <state>shutoff</state>
  <creationTime>1796150000</creationTime>
  <memory snapshot='no'/>
  <disks>
    <disk name='vda' snapshot='external' type='file'>
      <driver type='qcow2'/>
      <source file='/var/lib/libvirt/images/web.before-upgrade'/>
    </disk>
    <disk name='hdc' snapshot='no'/>
  </disks>
  <domain type='qemu'>
    <name>web &amp; "db"</name>
    <devices>
      <disk type='file' device='disk'><source file='/var/lib/libvirt/images/web 名.qcow2'/><target dev='vda'/></disk>
      <disk type='network' device='disk'><source protocol='rbd' name='pool/img'/><target dev='vdb'/></disk>
    </devices>
  </domain>
</domainsnapshot>`;

describe('snapshot metadata', () => {
  it('names the overlay and the disks of the saved domain, nothing that is not a host file', () => {
    assert.deepEqual(parseSnapshotXml(EXTERNAL).sort(), [
      '/var/lib/libvirt/images/web 名.qcow2',
      '/var/lib/libvirt/images/web.before-upgrade',
    ]);
  });

  it('refuses what is not snapshot metadata', () => {
    assert.throws(() => parseSnapshotXml('<domain/>'), /no <domainsnapshot> element/);
  });

  it('reads <dir>/<domain>/*.xml, counts the files, and reports a broken one as a problem', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmzt-snap-'));
    try {
      await mkdir(path.join(dir, 'web'));
      await writeFile(path.join(dir, 'web', 'before-upgrade.xml'), EXTERNAL);
      await writeFile(path.join(dir, 'web', 'broken.xml'), 'this is not XML');
      const problems: string[] = [];
      const config = await readLibvirtConfig('', problems, undefined, new Map(), dir);
      assert.equal(config.snapshotFiles, 1);
      assert.equal(config.snapshotPaths.length, 2);
      assert.equal(problems.length, 1);
      assert.match(problems[0] ?? '', /broken\.xml/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('pool directory match for held files', () => {
  it('matches files inside a directory, not a sibling with the same prefix', () => {
    assert.equal(isUnderDirs('/var/lib/libvirt/images/a.qcow2', ['/var/lib/libvirt/images']), true);
    assert.equal(isUnderDirs('/var/lib/libvirt/images/a.qcow2 (deleted)', ['/var/lib/libvirt/images/']), true);
    assert.equal(isUnderDirs('/var/lib/libvirt/images-old/a.qcow2', ['/var/lib/libvirt/images']), false);
  });
});
