// The pools source's flags: the image directories and libvirt's configuration and snapshot
// metadata; the procfs source reads the first two to keep fds on files in the pools.
// Composed into the full flag table above the layers (src/flags.ts).
import { int, list, str, type FlagTable } from '../../config/flag-spec.js';

export const POOLS_FLAGS = {
  'pool.dir': list(
    ['/var/lib/libvirt/images'],
    "Image directory to walk, in addition to the directories of libvirt's defined dir pools; giving it replaces the " +
      'default.',
  ),
  'pool.shared-dir': list(
    [],
    'Image directory on storage other hosts mount too (repeatable), for what the mount table does not show: a bind ' +
      'mount into a container, a FUSE filesystem. Its images are judged by the fleet rules, not by this host.',
  ),
  'pool.max-shared-image-series': int(
    1000,
    'Per-image series of shared storage (vmzombie_shared_image) kept; the rest are counted in ' +
      'vmzombie_shared_images_dropped_total.',
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
