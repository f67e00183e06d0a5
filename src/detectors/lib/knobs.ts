// Knobs that more than one detector reads, declared once (the flag table refuses two specs of one name).
import { duration } from '../../config/flag-spec.js';

export const AUTOSTART_GRACE = {
  'detect.autostart-grace': duration(
    '10m',
    'Time after host boot / libvirtd start (vSphere: host boot plus its start delays) before an autostart guest that ' +
      'is not running is reported.',
  ),
} as const;

export const ORPHAN_MIN_AGE = {
  'detect.orphan-min-age': duration(
    '1h',
    'Files on a datastore, and image files in a storage pool, must be at least this old (last modified) before they ' +
      'count as orphaned (a VM being created is not).',
  ),
} as const;
