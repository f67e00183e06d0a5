// The node agent's virt-handler cgroup reader on fixture trees shaped like a kubelet host's
// /proc and /sys (cgroup v2 with the systemd driver, and cgroup v1 with cgroupfs).
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { readVirtHandler } from '../../../src/sources/virthandler/virthandler-source.js';
import { isSourceAbsentError } from '../../../src/sources/source-absent-error.js';
import { parseMemoryValue, parseProcCgroup, podUidFromCgroup } from '../../../src/sources/virthandler/parse.js';

async function tree(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'vmzombie-vh-'));
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content);
  }
  return root;
}

/** A /proc/<pid>/stat line: the source reads each process's comm from it (the file the procfs source reads too). */
const stat = (pid: number, comm: string) =>
  `${pid} (${comm}) S 1 ${pid} ${pid} 0 -1 4194560 10 0 0 0 1 2 0 0 20 0 1 0 5000 1000 10 0 0 0 0 0 0 0 0 0 0\n`;

const V2_PATH =
  '/kubepods.slice/kubepods-burstable.slice/' +
  'kubepods-burstable-pod6d3c1f0e_8a2b_4c1d_9e5f_0a1b2c3d4e5f.slice/cri-containerd-4f1e.scope';
const Mi = 2 ** 20;

describe('virthandler source', () => {
  it('reads memory of the virt-handler container cgroup (v2), once per cgroup', async () => {
    const root = await tree({
      'proc/1/stat': stat(1, 'systemd'),
      'proc/1/cgroup': '0::/init.scope\n',
      'proc/4242/stat': stat(4242, 'virt-handler'),
      'proc/4242/cgroup': `0::${V2_PATH}\n`,
      'proc/4242/environ': 'PATH=/usr/bin\0HOSTNAME=virt-handler-9xq2w\0NODE_NAME=node-2\0',
      'proc/4250/stat': stat(4250, 'virt-handler'),
      'proc/4250/cgroup': `0::${V2_PATH}\n`,
      [`sys/fs/cgroup${V2_PATH}/memory.current`]: `${1550 * Mi}\n`,
      [`sys/fs/cgroup${V2_PATH}/memory.max`]: `${1600 * Mi}\n`,
      [`sys/fs/cgroup${V2_PATH}/memory.stat`]:
        `anon ${1400 * Mi}\nfile ${150 * Mi}\n` + `inactive_file ${50 * Mi}\nactive_file ${100 * Mi}\n`,
      [`sys/fs/cgroup${V2_PATH}/memory.events`]: 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\n',
    });
    const s = await readVirtHandler(path.join(root, 'proc'), path.join(root, 'sys'), 'this-host');
    assert.deepEqual(s, {
      handlers: [
        {
          pid: 4242,
          pod: 'virt-handler-9xq2w',
          namespace: null,
          node: 'node-2',
          podUid: '6d3c1f0e-8a2b-4c1d-9e5f-0a1b2c3d4e5f',
          cgroupPath: V2_PATH,
          cgroupVersion: 2,
          memoryCurrentBytes: 1550 * Mi,
          memoryMaxBytes: 1600 * Mi,
          workingSetBytes: 1500 * Mi,
          oomKills: 1,
        },
      ],
      problems: [],
    });
  });

  it('reads cgroup v1 and an unlimited container', async () => {
    const p = '/kubepods/besteffort/pod0a1b2c3d-0000-4000-8000-000000000001/abc';
    const root = await tree({
      'proc/77/stat': stat(77, 'virt-handler'),
      'proc/77/cgroup': `12:memory:${p}\n11:cpu,cpuacct:${p}\n`,
      [`sys/fs/cgroup/memory${p}/memory.usage_in_bytes`]: '400000000\n',
      [`sys/fs/cgroup/memory${p}/memory.limit_in_bytes`]: '9223372036854771712\n',
      [`sys/fs/cgroup/memory${p}/memory.stat`]: 'total_inactive_file 100000000\n',
    });
    const s = await readVirtHandler(path.join(root, 'proc'), path.join(root, 'sys'), 'this-host');
    assert.deepEqual(
      s.handlers.map((h) => [h.cgroupVersion, h.memoryMaxBytes, h.workingSetBytes, h.node, h.pod, h.oomKills]),
      [[1, null, 300000000, 'this-host', null, null]],
    );
  });

  it('is absent on a host without virt-handler', async () => {
    const root = await tree({ 'proc/1/stat': stat(1, 'systemd'), 'proc/900/stat': stat(900, 'qemu-system-x86') });
    await assert.rejects(readVirtHandler(path.join(root, 'proc'), path.join(root, 'sys'), 'h'), (e: unknown) =>
      isSourceAbsentError(e),
    );
  });

  it('reports an unreadable cgroup as a problem, not a crash', async () => {
    const root = await tree({
      'proc/5/stat': stat(5, 'virt-handler'),
      'proc/5/cgroup': `0::${V2_PATH}\n`,
      [`sys/fs/cgroup${V2_PATH}/memory.current`]: 'garbage\n',
    });
    const s = await readVirtHandler(path.join(root, 'proc'), path.join(root, 'sys'), 'h');
    assert.deepEqual(s.handlers, []);
    assert.match(s.problems[0] ?? '', /virt-handler pid 5: unreadable memory value "garbage"/);
  });

  it('parses cgroup files', () => {
    assert.deepEqual(parseProcCgroup('0::/a/b\n'), { version: 2, path: '/a/b' });
    assert.deepEqual(parseProcCgroup('4:memory:/x\n3:cpu:/y\n'), { version: 1, path: '/x' });
    assert.equal(parseProcCgroup('garbage'), null);
    assert.equal(
      podUidFromCgroup('/kubepods/pod0a1b2c3d-0000-4000-8000-000000000001/c'),
      '0a1b2c3d-0000-4000-8000-000000000001',
    );
    assert.equal(podUidFromCgroup('/system.slice/libvirtd.service'), null);
    assert.equal(parseMemoryValue('max\n'), null);
  });
});
