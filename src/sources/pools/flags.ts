// The pools source's flags: the image directories and libvirt's configuration and snapshot
// metadata; the procfs source reads the first two to keep fds on files in the pools.
// Composed into the full flag table above the layers (src/flags.ts).
import { list, str, type FlagTable } from '../../config/flag-spec.js';

export const POOLS_FLAGS = {
  'pool.dir': list(
    ['/var/lib/libvirt/images'],
    "Image directory to walk, in addition to the directories of libvirt's defined dir pools; giving it replaces the " +
      'default.',
  ),
  'pool.libvirt-config-dir': str(
    '/etc/libvirt',
    "libvirt configuration directory: dir pools from storage/*.xml, persistent domains' disks from qemu/*.xml. " +
      'Empty: do not read it.',
  ),
  'pool.libvirt-snapshot-dir': str(
    '/var/lib/libvirt/qemu/snapshot',
    "libvirt's snapshot metadata (<domain>/<snapshot>.xml): files it names are never orphans. Empty: do not read it.",
  ),
} satisfies FlagTable;

declare module '../source-flags.js' {
  interface SourceFlagTables {
    pools: typeof POOLS_FLAGS;
  }
}
