// The KubeVirt family's alerts on its own series (virt-handler memory and OOM kills, freeze rates,
// finalizer ages, backup targets shared between clusters), their thresholds and promtool cases.
import { WHERE, hours, type AlertDef } from '../alert-def.js';
import type { BundleConfig } from '../config.js';
import type { FamilyAlerts } from '../family-alerts.js';
import { AT_TEST_INSTANCE as at, TEST_JOB, twice, type PromtoolTest } from '../promtool-series.js';
import { by, sel } from '../query.js';

declare module '../config.js' {
  interface FamilyThresholds {
    /** A finalizer holding a deletion longer than this (seconds) alerts on its own. */
    finalizerStuckSeconds: number;
    /** Freeze/unfreeze transitions per hour of one VMI above which its rate alerts. */
    freezeTransitionsPerHour: number;
    /** How far ahead (seconds) the virt-handler working set is forecast against its limit. */
    virtHandlerForecastSeconds: number;
  }
}

const MiB = 1024 * 1024;

function build(c: BundleConfig): AlertDef[] {
  const at = ['cluster', 'instance'];
  const handler = [...at, 'namespace', 'node', 'pod'];
  const vmi = [...at, 'namespace', 'name'];
  const finalizer = [...at, 'namespace', 'resource', 'name', 'finalizer'];
  const target = [...at, 'endpoint', 'bucket'];
  return [
    {
      name: 'VMZombieVirtHandlerMemoryForecast',
      group: 'kubevirt',
      severity: 'warning',
      for: '15m',
      expr:
        `max ${by(handler)} (predict_linear(${sel(c, 'vmzombie_virt_handler_memory_working_set_bytes')}[1h], ` +
        `${c.virtHandlerForecastSeconds}))\n` +
        `>= on (cluster, instance, namespace, node, pod)\n` +
        `max ${by(handler)} (${sel(c, 'vmzombie_virt_handler_memory_limit_bytes')} > 0)`,
      resultLabels: handler,
      summary:
        'virt-handler {{ $labels.pod }} on {{ $labels.node }} is forecast to reach its memory limit within ' +
        hours(c.virtHandlerForecastSeconds),
      description:
        `The working set of virt-handler {{ $labels.namespace }}/{{ $labels.pod }} on node {{ $labels.node ` +
        `}}, seen by ${WHERE}, grew over the last hour at a rate that reaches its memory limit within ` +
        `${hours(c.virtHandlerForecastSeconds)} (forecast {{ $value | humanize1024 }}B). When it does, the kernel ` +
        `OOM-kills it and VM management on that node stops until it restarts.`,
    },
    {
      name: 'VMZombieVirtHandlerOOMKilled',
      group: 'kubevirt',
      severity: 'warning',
      for: '0m',
      expr: `max ${by(handler)} (increase(${sel(c, 'vmzombie_virt_handler_oom_kills_total')}[1h])) > 0`,
      resultLabels: handler,
      summary: 'virt-handler {{ $labels.pod }} on {{ $labels.node }} was OOM-killed in the last hour',
      description:
        `virt-handler {{ $labels.namespace }}/{{ $labels.pod }} on node {{ $labels.node }}, seen by ` +
        `${WHERE}, was killed for running out of memory in the last hour. While it restarts, VMs on that node are ` +
        `not started, stopped or migrated.`,
    },
    {
      name: 'VMZombieKubevirtVMIFreezeRate',
      group: 'kubevirt',
      severity: 'warning',
      for: '5m',
      expr:
        `max ${by(vmi)} (rate(${sel(c, 'vmzombie_kubevirt_vmi_freeze_transitions_total')}[15m])) * 3600 > ` +
        `${c.freezeTransitionsPerHour}`,
      resultLabels: vmi,
      summary:
        'VMI {{ $labels.namespace }}/{{ $labels.name }} changes its freeze state {{ $value | humanize }} times ' +
        'an hour',
      description:
        `The guest filesystems of VMI {{ $labels.namespace }}/{{ $labels.name }}, seen by ${WHERE}, were ` +
        `frozen or thawed at {{ $value | humanize }} transitions an hour over the last 15 minutes (threshold ` +
        `${c.freezeTransitionsPerHour}). A backup or snapshot controller is retrying; each freeze stalls the guest's ` +
        `writes.`,
    },
    {
      name: 'VMZombieKubevirtFinalizerStuck',
      group: 'kubevirt',
      severity: 'warning',
      for: '5m',
      expr: `max ${by(finalizer)} (${sel(c, 'vmzombie_kubevirt_deletion_stuck_seconds')}) > ${c.finalizerStuckSeconds}`,
      resultLabels: finalizer,
      summary:
        '{{ $labels.resource }} {{ $labels.namespace }}/{{ $labels.name }} has waited {{ $value | ' +
        'humanizeDuration }} on finalizer {{ $labels.finalizer }}',
      description:
        `{{ $labels.resource }} {{ $labels.namespace }}/{{ $labels.name }}, seen by ${WHERE}, was deleted ` +
        `{{ $value | humanizeDuration }} ago and finalizer "{{ $labels.finalizer }}" still holds it (threshold ` +
        `${c.finalizerStuckSeconds / 60}m). The controller that owns that finalizer is not finishing its cleanup.`,
    },
    {
      name: 'VMZombieKubevirtBackupTargetShared',
      group: 'kubevirt',
      severity: 'warning',
      for: '15m',
      // One alert per cluster agent that writes to a target another cluster also writes to.
      expr:
        `max ${by(target)} (${sel(c, 'vmzombie_kubevirt_backup_target_info')})\n` +
        `and on (endpoint, bucket)\n` +
        `count by (endpoint, bucket) (max by (cluster, endpoint, bucket) (` +
        `${sel(c, 'vmzombie_kubevirt_backup_target_info')})) > 1`,
      resultLabels: target,
      summary: 'backup target {{ $labels.endpoint }} bucket {{ $labels.bucket }} is shared by more than one cluster',
      description:
        `Cluster {{ $labels.cluster }} (exporter {{ $labels.instance }}) writes VM backups to endpoint {{ ` +
        `$labels.endpoint }}, bucket {{ $labels.bucket }}, and at least one other cluster writes to the same target. ` +
        `Harvester clusters sharing a target see each other's backups and delete or fail them.`,
    },
  ];
}

const cases: readonly PromtoolTest[] = [
  {
    name: 'a virt-handler growing toward its limit is forecast; a flat one and one without a limit are not',
    alert: 'VMZombieVirtHandlerMemoryForecast',
    series: [
      // 100 MiB + 1 MiB a minute against 400 MiB: the 4 h forecast reaches the limit at 60m.
      ...twice(
        'vmzombie_virt_handler_memory_working_set_bytes',
        { namespace: 'harvester-system', node: 'n1', pod: 'virt-handler-a' },
        `${100 * MiB}+${MiB}x90`,
      ),
      ...twice(
        'vmzombie_virt_handler_memory_limit_bytes',
        { namespace: 'harvester-system', node: 'n1', pod: 'virt-handler-a' },
        `${400 * MiB}x90`,
      ),
      ...twice(
        'vmzombie_virt_handler_memory_working_set_bytes',
        { namespace: 'harvester-system', node: 'n2', pod: 'virt-handler-b' },
        `${350 * MiB}x90`,
      ),
      ...twice(
        'vmzombie_virt_handler_memory_limit_bytes',
        { namespace: 'harvester-system', node: 'n2', pod: 'virt-handler-b' },
        `${400 * MiB}x90`,
      ),
      // Growing as fast, but with no limit (node agent without memory.max): nothing to reach.
      ...twice('vmzombie_virt_handler_memory_working_set_bytes', { node: 'n3' }, `${100 * MiB}+${MiB}x90`),
    ],
    cases: [
      { atMinutes: 70, firing: [] },
      {
        atMinutes: 80,
        firing: [
          {
            labels: { ...at, namespace: 'harvester-system', node: 'n1', pod: 'virt-handler-a' },
            value: (100 + 80 + 240) * MiB,
          },
        ],
      },
    ],
  },
  {
    name: 'an OOM kill fires for an hour; restarts without one do not',
    alert: 'VMZombieVirtHandlerOOMKilled',
    series: [
      ...twice(
        'vmzombie_virt_handler_oom_kills_total',
        { namespace: 'kubevirt', node: 'n1', pod: 'virt-handler-a' },
        '0x10 1x100',
      ),
      ...twice(
        'vmzombie_virt_handler_oom_kills_total',
        { namespace: 'kubevirt', node: 'n2', pod: 'virt-handler-b' },
        '0x110',
      ),
      ...twice(
        'vmzombie_virt_handler_restarts_total',
        { namespace: 'kubevirt', node: 'n2', pod: 'virt-handler-b' },
        '0x10 1x100',
      ),
    ],
    cases: [
      { atMinutes: 10, firing: [] },
      {
        atMinutes: 11,
        firing: [{ labels: { ...at, namespace: 'kubevirt', node: 'n1', pod: 'virt-handler-a' }, value: 0 }],
      },
      { atMinutes: 80, firing: [] },
    ],
  },
  {
    name: 'a VMI frozen and thawed every minute fires; one every ten minutes does not',
    alert: 'VMZombieKubevirtVMIFreezeRate',
    series: [
      ...twice('vmzombie_kubevirt_vmi_freeze_transitions_total', { namespace: 'default', name: 'db' }, '0+1x40'),
      ...twice(
        'vmzombie_kubevirt_vmi_freeze_transitions_total',
        { namespace: 'default', name: 'web' },
        '0 0 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1 1 1 1 2 2 2 2 2 2 2 2 2 2 3 3 3 3 3 3 3 3 3 3 4',
      ),
    ],
    // Until the 15m window is full the rate reads 4 an hour per minute of history: over 12 from
    // 4m on, firing 5m later; 60 an hour once the window is full.
    cases: [
      { atMinutes: 8, firing: [] },
      { atMinutes: 9, firing: [{ labels: { ...at, namespace: 'default', name: 'db' }, value: 36 }] },
      { atMinutes: 30, firing: [{ labels: { ...at, namespace: 'default', name: 'db' }, value: 60 }] },
    ],
  },
  {
    name: 'a finalizer older than the threshold fires per finalizer; a young one does not',
    alert: 'VMZombieKubevirtFinalizerStuck',
    series: [
      ...twice(
        'vmzombie_kubevirt_deletion_stuck_seconds',
        {
          namespace: 'default',
          resource: 'virtualmachines',
          name: 'vm1',
          finalizer: 'kubevirt.io/virtualMachineControllerFinalize',
        },
        '3000+60x30',
      ),
      ...twice(
        'vmzombie_kubevirt_deletion_stuck_seconds',
        {
          namespace: 'default',
          resource: 'virtualmachines',
          name: 'vm2',
          finalizer: 'kubevirt.io/virtualMachineControllerFinalize',
        },
        '400+60x30',
      ),
    ],
    // Past 3600 s from 11m on, firing 5m later.
    cases: [
      { atMinutes: 15, firing: [] },
      {
        atMinutes: 16,
        firing: [
          {
            labels: {
              ...at,
              namespace: 'default',
              resource: 'virtualmachines',
              name: 'vm1',
              finalizer: 'kubevirt.io/virtualMachineControllerFinalize',
            },
            value: 3000 + 16 * 60,
          },
        ],
      },
    ],
  },
  {
    name:
      'two clusters on one backup target fire once per cluster; one cluster scraped twice or by two exporters does ' +
      'not',
    alert: 'VMZombieKubevirtBackupTargetShared',
    series: [
      ...twice(
        'vmzombie_kubevirt_backup_target_info',
        { cluster: 'east', endpoint: 's3://backup.example', bucket: 'vms' },
        '1x20',
      ),
      {
        metric: 'vmzombie_kubevirt_backup_target_info',
        labels: {
          job: TEST_JOB,
          instance: 'exporter-west:9955',
          cluster: 'west',
          endpoint: 's3://backup.example',
          bucket: 'vms',
        },
        values: '1x20',
      },
      // Healthy: cluster east alone on its own bucket, reported by two replicas of its cluster agent.
      ...twice(
        'vmzombie_kubevirt_backup_target_info',
        { cluster: 'east', endpoint: 's3://backup.example', bucket: 'east-only' },
        '1x20',
      ),
      {
        metric: 'vmzombie_kubevirt_backup_target_info',
        labels: {
          job: TEST_JOB,
          instance: 'exporter-a2:9955',
          cluster: 'east',
          endpoint: 's3://backup.example',
          bucket: 'east-only',
        },
        values: '1x20',
      },
    ],
    cases: [
      { atMinutes: 14, firing: [] },
      {
        atMinutes: 15,
        firing: [
          { labels: { ...at, cluster: 'east', endpoint: 's3://backup.example', bucket: 'vms' }, value: 1 },
          {
            labels: { instance: 'exporter-west:9955', cluster: 'west', endpoint: 's3://backup.example', bucket: 'vms' },
            value: 1,
          },
        ],
      },
    ],
  },
];

export const KUBEVIRT_ALERTS: FamilyAlerts = {
  defaults: { finalizerStuckSeconds: 60 * 60, freezeTransitionsPerHour: 12, virtHandlerForecastSeconds: 4 * 3600 },
  build,
  cases,
};
