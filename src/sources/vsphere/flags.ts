// The vsphere source's flags: the vCenters, credentials, TLS, the file scan, and the per-VM series
// bound its metrics keep.
// Composed into the full flag table above the layers (src/flags.ts).
import { bool, duration, int, list, str, type FlagTable } from '../../config/flag-spec.js';

export const VSPHERE_FLAGS = {
  'vsphere.url': list(
    [],
    'vCenter or ESXi SDK URL, e.g. https://vc.example/sdk (user info in the URL is accepted). Turns the vsphere ' +
      'collector on.',
  ),
  'vsphere.username': str(
    '',
    'vSphere user (a read-only role; Datastore.Browse for the file scan). Overrides user info in the URL.',
  ),
  'vsphere.password-file': str('', 'File holding the vSphere password (trailing newline ignored).'),
  'vsphere.ca-file': str('', 'PEM file of CAs to trust for the vSphere TLS certificate.'),
  'vsphere.insecure-skip-verify': bool(false, 'Do not verify the vSphere TLS certificate.'),
  'vsphere.datastore-scan-interval': duration(
    '1h',
    'How often the slow path (VM layoutEx and one datastore search per datastore) runs; cached in between.',
  ),
  'vsphere.max-vm-series': int(
    10000,
    'Per-VM series (vmzombie_vsphere_vm_info, snapshot ages) kept per vCenter; the rest are counted in ' +
      'vmzombie_vsphere_series_dropped_total.',
  ),
  'vsphere.exclude-datastore': list([], 'Datastore name the file scan skips (e.g. shared with another vCenter).'),
  'vsphere.known-owner': list(
    [],
    'What belongs to a known owner and is never an orphan, leftover or long powered-off VM: vm:<glob> (VM name), ' +
      'extension:<key> (config.managedBy), path:<glob> (datastore path "ds/folder/file"). Adds to the defaults.',
  ),
  'vsphere.default-known-owners': bool(
    true,
    'Apply the built-in known owners (Horizon, App Volumes, vSphere Replication, SRM, vCLS; docs/vsphere.md).',
  ),
  'vsphere.max-events': int(50000, 'Power-off and removal events read from vCenter per file scan (0: none).'),
} satisfies FlagTable;

declare module '../source-flags.js' {
  interface SourceFlagTables {
    vsphere: typeof VSPHERE_FLAGS;
  }
}
