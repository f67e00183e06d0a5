// Hand-written promtool cases for the exporter's own alerts (each family's are beside its alerts in
// `families/`): each join, `unless` and threshold with a healthy look-alike that must stay silent, and
// with every series scraped by two jobs (a node agent and a second job on the same exporter), which a
// join without `max by` fails on.
import { FAMILIES } from '../families/index.js';
import { AT_TEST_INSTANCE as at, TEST_COPY_JOB, TEST_JOB, twice, type PromtoolTest } from './promtool-series.js';

const EXPORTER_CASES: readonly PromtoolTest[] = [
  {
    name: 'exporter down on every job that scrapes it fires; a job of another exporter, or one job of two, does not',
    alert: 'VMZombieExporterDown',
    series: [
      ...twice('up', {}, '0x10'),
      // Healthy look-alikes: another exporter scraped by one job that fails and one that works,
      // and a target of an unrelated job that is down.
      { metric: 'up', labels: { job: TEST_JOB, instance: 'exporter-b:9955' }, values: '0x10' },
      { metric: 'up', labels: { job: TEST_COPY_JOB, instance: 'exporter-b:9955' }, values: '1x10' },
      { metric: 'up', labels: { job: 'node', instance: 'exporter-c:9100' }, values: '0x10' },
    ],
    cases: [
      { atMinutes: 4, firing: [] },
      { atMinutes: 5, firing: [{ labels: at, value: 0 }] },
    ],
  },
  {
    name: 'a collector in error is down; one with nothing to read on this host (absent) is not',
    alert: 'VMZombieCollectorDown',
    series: [
      ...twice('vmzombie_collector_up', { collector: 'libvirt' }, '0x20'),
      ...twice('vmzombie_collector_state', { collector: 'libvirt', state: 'error' }, '1x20'),
      ...twice('vmzombie_collector_state', { collector: 'libvirt', state: 'absent' }, '0x20'),
      ...twice('vmzombie_collector_up', { collector: 'sysfs' }, '0x20'),
      ...twice('vmzombie_collector_state', { collector: 'sysfs', state: 'absent' }, '1x20'),
      ...twice('vmzombie_collector_state', { collector: 'sysfs', state: 'error' }, '0x20'),
      ...twice('vmzombie_collector_up', { collector: 'procfs' }, '1x20'),
    ],
    cases: [
      { atMinutes: 9, firing: [] },
      { atMinutes: 10, firing: [{ labels: { ...at, collector: 'libvirt' }, value: 0 }] },
    ],
  },
  {
    name: 'a collector whose last success stays put goes stale; one that keeps succeeding does not',
    alert: 'VMZombieCollectorStale',
    series: [
      ...twice('vmzombie_collector_last_success_timestamp_seconds', { collector: 'vsphere' }, '0x30'),
      ...twice('vmzombie_collector_last_success_timestamp_seconds', { collector: 'libvirt' }, '0+60x30'),
    ],
    // Over 900 s from 16m on, firing 5m later.
    cases: [
      { atMinutes: 20, firing: [] },
      { atMinutes: 21, firing: [{ labels: { ...at, collector: 'vsphere' }, value: 21 * 60 }] },
    ],
  },
  {
    name: 'dropped findings fire while the counter grows, and stop when it stops; a flat counter is silent',
    alert: 'VMZombieFindingsDropped',
    series: [
      ...twice('vmzombie_findings_dropped_total', { kind: 'orphan_image' }, '0x5 3+3x5 18x30'),
      ...twice('vmzombie_findings_dropped_total', { kind: 'domain_paused' }, '0x40'),
    ],
    cases: [
      { atMinutes: 4, firing: [] },
      { atMinutes: 8, firing: [{ labels: { ...at, kind: 'orphan_image' }, value: 0 }] },
      { atMinutes: 30, firing: [] },
    ],
  },
];

/** Every hand-written case: the exporter's, then each family's. */
export const HAND_CASES: readonly PromtoolTest[] = [
  ...EXPORTER_CASES,
  ...FAMILIES.flatMap((f) => f.alerts?.cases ?? []),
];
