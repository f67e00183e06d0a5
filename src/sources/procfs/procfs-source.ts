// procfs source: processes, the open files detectors care about, and the kernel's lock table, in
// one pass over /proc per collection (read-procfs.ts). Besides locked files and qemu's files it
// keeps any process's fds on files in the pool directories (--pool.dir and libvirt's dir pools):
// an image a backup tool or `qemu-img convert` reads without a lock is in use, not an orphan.
import type { SourceDefinition } from '../source.js';
import { PROCFS_FLAGS } from './flags.js';
import { libvirtPoolDirs } from '../shared/libvirt-config.js';
import { ProcfsCache } from './procfs-cache.js';
import { readProcfs } from './read-procfs.js';

export const procfsSource: SourceDefinition<'procfs'> = {
  name: 'procfs',
  description: 'processes, open files and file locks from /proc (--path.procfs)',
  flags: PROCFS_FLAGS,
  enabledByDefault: (config) => config.mode === 'node',
  create(config) {
    const cache = new ProcfsCache();
    return {
      collect: async ({ signal, shared }) => {
        // The pools' directories, read afresh each time (a pool defined since the last collection counts).
        const watch = [...config['pool.dir'], ...(await libvirtPoolDirs(config['pool.libvirt-config-dir']))];
        return readProcfs(config['path.procfs'], signal, watch, cache, shared);
      },
      close: async () => {},
    };
  },
};
