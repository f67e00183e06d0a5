// The longhorn source's flag: the Longhorn data root on this node (Longhorn's default /var/lib/longhorn,
// Harvester's default disk /var/lib/harvester/defaultdisk). Empty: the source does not run.
// Composed into the full flag table above the layers (src/flags.ts).
import { str, type FlagTable } from '../../config/flag-spec.js';

export const LONGHORN_FLAGS = {
  'longhorn.data-root': str(
    '',
    'node mode: a Longhorn disk path whose replicas/ directories are measured (sizes for longhorn_orphan). ' +
      'Empty: not read.',
  ),
} satisfies FlagTable;

declare module '../source-flags.js' {
  interface SourceFlagTables {
    longhorn: typeof LONGHORN_FLAGS;
  }
}
