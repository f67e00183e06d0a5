// The sysfs source's flag: where /sys is; the virthandler source reads it too.
// Composed into the full flag table above the layers (src/flags.ts).
import { str, type FlagTable } from '../../config/flag-spec.js';

export const SYSFS_FLAGS = {
  'path.sysfs': str('/sys', 'sysfs mount point.'),
} satisfies FlagTable;

declare module '../source-flags.js' {
  interface SourceFlagTables {
    sysfs: typeof SYSFS_FLAGS;
  }
}
