// Every source's flags, as one type: the typed Config (config/flags.ts) is built from it. The values
// are composed into the full flag table from each source's definition (src/flags.ts).
import type { LIBVIRT_FLAGS } from './libvirt/flags.js';
import type { PROCFS_FLAGS } from './procfs/flags.js';
import type { SYSFS_FLAGS } from './sysfs/flags.js';
import type { POOLS_FLAGS } from './pools/flags.js';
import type { KUBE_FLAGS } from './kubevirt/flags.js';
import type { VSPHERE_FLAGS } from './vsphere/flags.js';

export type SourceFlags = typeof LIBVIRT_FLAGS &
  typeof PROCFS_FLAGS &
  typeof SYSFS_FLAGS &
  typeof POOLS_FLAGS &
  typeof KUBE_FLAGS &
  typeof VSPHERE_FLAGS;
