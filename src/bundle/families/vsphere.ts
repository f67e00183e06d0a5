// The vSphere family's alerts on its own series (a datastore file scan gone stale), threshold and cases.
import { WHERE, hours, type AlertDef } from '../alert-def.js';
import type { BundleConfig } from '../config.js';
import type { FamilyAlerts } from '../family-alerts.js';
import { AT_TEST_INSTANCE as at, twice, type PromtoolTest } from '../promtool-series.js';
import { by, sel } from '../query.js';

declare module '../config.js' {
  interface FamilyThresholds {
    /** A datastore file scan older than this (seconds) is stale (3 × the default scan interval). */
    vsphereScanStaleSeconds: number;
  }
}

function build(c: BundleConfig): AlertDef[] {
  const datastore = ['cluster', 'instance', 'vcenter', 'datastore'];
  return [
    {
      name: 'VMZombieVsphereFileScanStale',
      group: 'vsphere',
      severity: 'warning',
      for: '15m',
      expr:
        `max ${by(datastore)} (${sel(c, 'vmzombie_vsphere_datastore_scan_age_seconds')}) > ` +
        `${c.vsphereScanStaleSeconds}`,
      resultLabels: datastore,
      summary:
        'datastore {{ $labels.datastore }} of {{ $labels.vcenter }} was last scanned {{ $value | ' +
        'humanizeDuration }} ago',
      description:
        `The file scan of datastore {{ $labels.datastore }} on vCenter {{ $labels.vcenter }}, run by ` +
        `${WHERE}, last completed {{ $value | humanizeDuration }} ago (threshold ` +
        `${hours(c.vsphereScanStaleSeconds)}). Orphan disks and unregistered VM folders on it are judged on that old ` +
        `listing.`,
    },
  ];
}

const cases: PromtoolTest[] = [
  {
    name: 'a datastore scan older than the threshold fires; a fresh one does not',
    alert: 'VMZombieVsphereFileScanStale',
    series: [
      ...twice('vmzombie_vsphere_datastore_scan_age_seconds', { vcenter: 'vc1', datastore: 'ds-old' }, '10000+60x40'),
      ...twice('vmzombie_vsphere_datastore_scan_age_seconds', { vcenter: 'vc1', datastore: 'ds-fresh' }, '100+60x40'),
    ],
    // Past 10800 s from 14m on, firing 15m later.
    cases: [
      { atMinutes: 28, firing: [] },
      { atMinutes: 29, firing: [{ labels: { ...at, vcenter: 'vc1', datastore: 'ds-old' }, value: 10000 + 29 * 60 }] },
    ],
  },
];

// The orphan-FCD join: a candidate FCD that a PersistentVolume of any watched cluster names as its CSI
// volume handle stays quiet; one that no PV names fires after the kind's `for`.
const fcd = (id: string) => ({
  kind: 'vsphere_orphan_fcd',
  subject: `pvc-${id} (${id})`,
  vcenter: 'vc1',
  datastore: 'ds1',
  fcd_id: id,
});
const pvOfOtherCluster = (id: string): PromtoolTest['series'][number] => ({
  metric: 'vmzombie_kube_pv_csi_volume_handle_info',
  labels: {
    job: 'vmzombie',
    instance: 'cluster-agent-b:9955',
    cluster: 'k8s-b',
    persistentvolume: `pvc-${id}`,
    driver: 'csi.vsphere.vmware.com',
    volume_handle: id,
  },
  values: '1x80',
});
cases.push({
  name: 'an FCD no PersistentVolume names fires; one a PV of another cluster names stays silent',
  alert: 'VMZombieVsphereOrphanFcd',
  series: [
    ...twice('vmzombie_finding_age_seconds', fcd('aaaa-1111'), '0+60x80'),
    ...twice('vmzombie_finding_age_seconds', fcd('bbbb-2222'), '0+60x80'),
    pvOfOtherCluster('bbbb-2222'),
  ],
  cases: [
    { atMinutes: 59, firing: [] },
    { atMinutes: 60, firing: [{ labels: { ...at, ...fcd('aaaa-1111') }, value: 3600 }] },
  ],
});

export const VSPHERE_ALERTS: FamilyAlerts = {
  defaults: { vsphereScanStaleSeconds: 3 * 3600 },
  build,
  cases,
};
