// pools source: walks the storage pool directories (libvirt's file-backed pools plus --pool.dir)
// and reads each image's header for its format and qcow2 backing file, then follows every chain
// (and the disks of libvirt's persistent domains) to the files outside the pools. Read-only:
// files are opened O_RDONLY (O_NOATIME when allowed) and never locked.
import type { SourceDefinition } from '../source.js';
import { POOLS_FLAGS } from './flags.js';
import { newPoolsCaches, readPools } from './read-pools.js';

export const poolsSource: SourceDefinition<'pools'> = {
  name: 'pools',
  description: 'image files in storage pool directories with their qcow2 backing chains (--pool.dir)',
  flags: POOLS_FLAGS,
  enabledByDefault: (config) => config.mode === 'node',
  create(config) {
    const opts = {
      dirs: config['pool.dir'],
      libvirtConfigDir: config['pool.libvirt-config-dir'],
      libvirtSnapshotDir: config['pool.libvirt-snapshot-dir'],
      procfs: config['path.procfs'],
      sharedDirs: config['pool.shared-dir'],
    };
    const caches = newPoolsCaches();
    return { collect: ({ signal }) => readPools(opts, signal, caches), close: async () => {} };
  },
};
