// The procfs source's flag: where /proc is (a container mounts the host's elsewhere); the
// virthandler source reads it too.
// Composed into the full flag table above the layers (src/flags.ts).
import { str, type FlagTable } from '../../config/flag-spec.js';

export const PROCFS_FLAGS = {
  'path.procfs': str('/proc', 'procfs mount point.'),
} satisfies FlagTable;

declare module '../source-flags.js' {
  interface SourceFlagTables {
    procfs: typeof PROCFS_FLAGS;
  }
}
