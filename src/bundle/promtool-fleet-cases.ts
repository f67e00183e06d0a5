// promtool cases of the fleet alerts: both sides of each join (the host that has the condition and the
// host that clears it), a live migration from start to finish that must not page, clusters kept apart,
// and every series scraped by two jobs.
import type { BundleConfig } from './config.js';
import { CATALOG } from '../catalog/catalog.js';
import { parseDuration } from '../config/duration.js';
import type { PromtoolTest, SeriesInput } from './promtool-tests.js';
import { TEST_COPY_JOB, TEST_JOB } from './promtool-tests.js';

const A = 'exporter-a:9955';
const B = 'exporter-b:9955';
const C = 'exporter-c:9955';

/** One value per minute from minute 0: a number, `_` (no sample) or `stale` (the series ended). */
type Minute = number | '_' | 'stale';

function minutes(...runs: Array<[Minute, number]>): string {
  return runs.flatMap(([v, n]) => Array<string>(n).fill(String(v))).join(' ');
}

function scraped(metric: string, instance: string, labels: Record<string, string>, values: string): SeriesInput[] {
  return [TEST_JOB, TEST_COPY_JOB].map((job) => ({ metric, labels: { job, instance, ...labels }, values }));
}

function domain(instance: string, name: string, uuid: string, state: string, reason: string, values: string) {
  return scraped(
    'vmzombie_libvirt_domain_info',
    instance,
    { domain: name, uuid, state, reason, autostart: 'true', persistent: 'true' },
    values,
  );
}

const U = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const min = (d: string) => parseDuration(d) / 60;

export function fleetCases(c: BundleConfig): PromtoolTest[] {
  const several = min(c.severalHostsFor);
  const stale = min(c.staleDefinitionFor);
  const orphan = min(c.sharedImageOrphanFor);
  const autostartFor = min(CATALOG.autostart_not_running.alert.for);
  const long = Math.max(several, stale, orphan, autostartFor) + 30;
  return [
    {
      name:
        'one uuid running on two hosts fires on each; a live migration (destination paused migrating, a one- or ' +
        'two-minute switchover) and a uuid in two clusters do not',
      alert: 'VMZombieDomainRunningOnSeveralHosts',
      series: [
        ...domain(A, 'db', U(1), 'running', 'booted', minutes([1, long])),
        ...domain(B, 'db', U(1), 'running', 'booted', minutes([1, long])),
        // Migrated from A to B: B waits paused "migrating" for 20 minutes, both run for one minute at the
        // switchover (A's last sample), then A has only a shut-off copy.
        ...domain(A, 'web', U(2), 'running', 'booted', minutes([1, 21], ['stale', 1])),
        ...domain(A, 'web', U(2), 'shutoff', 'migrated', minutes(['_', 21], [1, long - 21])),
        ...domain(B, 'web', U(2), 'paused', 'migrating', minutes(['_', 1], [1, 19], ['stale', 1])),
        ...domain(B, 'web', U(2), 'running', 'migrated', minutes(['_', 20], [1, long - 20])),
        // The same migration off a busy host whose agent's CPU budget held its last `running` result, not hearing
        // libvirt's lifecycle events (which end a hold): both run for two minutes (a hold of up to a minute and a
        // scrape interval; docs/fleet.md).
        ...domain(A, 'app', U(4), 'running', 'booted', minutes([1, 22], ['stale', 1])),
        ...domain(A, 'app', U(4), 'shutoff', 'migrated', minutes(['_', 22], [1, long - 22])),
        ...domain(B, 'app', U(4), 'paused', 'migrating', minutes(['_', 1], [1, 19], ['stale', 1])),
        ...domain(B, 'app', U(4), 'running', 'migrated', minutes(['_', 20], [1, long - 20])),
        // The same uuid in two clusters (a disaster-recovery copy): not one guest on two hosts of a cluster.
        ...scraped(
          'vmzombie_libvirt_domain_info',
          C,
          { cluster: 'east', domain: 'dr', uuid: U(3), state: 'running', reason: 'booted' },
          minutes([1, long]),
        ),
        ...scraped(
          'vmzombie_libvirt_domain_info',
          B,
          { cluster: 'west', domain: 'dr', uuid: U(3), state: 'running', reason: 'booted' },
          minutes([1, long]),
        ),
      ],
      cases: [
        { atMinutes: several - 1, firing: [] },
        // Mid-migration (web paused "migrating" on B for 15 minutes), when a switchover of four minutes would fire and
        // after it: db only.
        ...[15, 23, 25].map((atMinutes) => ({
          atMinutes,
          firing: [A, B].map((instance) => ({
            labels: { instance, uuid: U(1), domain: 'db' },
            value: 2,
            instances: [A, B],
          })),
        })),
      ],
    },
    {
      name:
        'a shut-off copy whose uuid runs on another host is stale; one that runs nowhere, and a migration that ' +
        'undefines its source, are not',
      alert: 'VMZombieDomainStaleDefinition',
      series: [
        ...domain(A, 'db', U(1), 'shutoff', 'migrated', minutes([1, long])),
        ...domain(B, 'db', U(1), 'running', 'migrated', minutes([1, long])),
        ...domain(A, 'spare', U(4), 'shutoff', 'shutdown', minutes([1, long])),
        // --undefinesource: A's copy is shut off for one collection, then gone.
        ...domain(A, 'web', U(2), 'shutoff', 'migrated', minutes([1, 2], ['stale', 1])),
        ...domain(B, 'web', U(2), 'running', 'migrated', minutes([1, long])),
      ],
      cases: [
        { atMinutes: stale - 1, firing: [] },
        {
          atMinutes: stale,
          firing: [{ labels: { instance: A, uuid: U(1), domain: 'db', autostart: 'true', running_on: B }, value: 1 }],
        },
      ],
    },
    {
      name:
        'an autostart domain that is not running fires; the same finding for a uuid running on another host does ' +
        'not, until that host stops it',
      alert: 'VMZombieAutostartDomainNotRunning',
      series: [
        ...autostartFinding(A, 'db', U(1), long),
        ...domain(B, 'db', U(1), 'running', 'migrated', minutes([1, 30], ['stale', 1])),
        ...autostartFinding(A, 'lone', U(5), long),
      ],
      cases: [
        {
          atMinutes: autostartFor,
          firing: [{ labels: autostartLabels(A, 'lone', U(5)), value: autostartFor * 60 }],
        },
        {
          atMinutes: 29,
          firing: [{ labels: autostartLabels(A, 'lone', U(5)), value: 29 * 60 }],
        },
        {
          atMinutes: 31 + autostartFor,
          firing: ['db', 'lone'].map((n, i) => ({
            labels: autostartLabels(A, n, U(i === 0 ? 1 : 5)),
            value: (31 + autostartFor) * 60,
          })),
        },
      ],
    },
    {
      name:
        'a shared image unused on every host that mounts it fires once; one in use on another host, one a host ' +
        'did not report, and one on a store a host could not judge do not',
      alert: 'VMZombieSharedImageOrphan',
      series: [
        ...judged(A, 'nfs1:/vms', 1, long),
        ...judged(B, 'nfs1:/vms', 1, long),
        ...shared(A, 'nfs1:/vms', '/vms/old.qcow2', 'unused', long),
        ...shared(B, 'nfs1:/vms', '/vms/old.qcow2', 'unused', long),
        ...shared(A, 'nfs1:/vms', '/vms/live.qcow2', 'unused', long),
        ...shared(B, 'nfs1:/vms', '/vms/live.qcow2', 'in_use', long),
        ...shared(A, 'nfs1:/vms', '/vms/unlisted.qcow2', 'unused', long),
        ...judged(A, 'nfs2:/vms', 1, long),
        ...judged(B, 'nfs2:/vms', 0, long),
        ...shared(A, 'nfs2:/vms', '/vms/old.qcow2', 'unused', long),
      ],
      cases: [
        { atMinutes: orphan - 1, firing: [] },
        {
          atMinutes: orphan,
          firing: [{ labels: { store: 'nfs1:/vms', image: '/vms/old.qcow2' }, value: 2, instances: [A, B] }],
        },
      ],
    },
  ];
}

function autostartLabels(instance: string, name: string, uuid: string): Record<string, string> {
  return { instance, kind: 'autostart_not_running', subject: `${name} (${uuid})`, domain: name, uuid };
}

function autostartFinding(instance: string, name: string, uuid: string, long: number): SeriesInput[] {
  const { instance: _, ...labels } = autostartLabels(instance, name, uuid);
  return scraped('vmzombie_finding_age_seconds', instance, labels, `0+60x${long}`);
}

function judged(instance: string, store: string, value: number, long: number): SeriesInput[] {
  return scraped('vmzombie_shared_storage_judged', instance, { store }, minutes([value, long]));
}

function shared(instance: string, store: string, image: string, state: string, long: number): SeriesInput[] {
  return scraped('vmzombie_shared_image', instance, { store, image, state }, minutes([1, long]));
}
