// promtool cases of the KubeVirt family's own alerts: each threshold and join with a healthy look-alike.
import { AT_TEST_INSTANCE as at, TEST_JOB, twice, type PromtoolTest } from '../promtool-series.js';

const MiB = 1024 * 1024;

export const KUBEVIRT_CASES: readonly PromtoolTest[] = [
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
  {
    name:
      'a KubeVirt qemu whose VMI the cluster agent no longer lists fires; one with its VMI, or while the agent is ' +
      'down, does not',
    alert: 'VMZombieKubevirtQemuWithoutVMI',
    series: [
      ...[
        { vmi: 'web', pid: '4242', pod_uid: '5f3c1b2a-7d41-4a4e-9b1f-0a2b3c4d5e6f' },
        { vmi: 'db', pid: '4343', pod_uid: '9a8b7c6d-0000-4000-8000-000000000002' },
      ].map((q) => ({
        metric: 'vmzombie_kubevirt_qemu_info',
        labels: { job: TEST_JOB, instance: 'node-1:9955', cluster: 'east', namespace: 'default', ...q },
        values: '1x30',
      })),
      // The cluster agent of east lists db only; web was deleted at 5m.
      ...twice(
        'vmzombie_kubevirt_vmi_freeze_transitions_total',
        { cluster: 'east', namespace: 'default', name: 'db' },
        '0x30',
      ),
      ...twice(
        'vmzombie_kubevirt_vmi_freeze_transitions_total',
        { cluster: 'east', namespace: 'default', name: 'web' },
        '0x4',
      ),
      ...twice('vmzombie_collector_up', { cluster: 'east', collector: 'kubevirt' }, '1x30'),
      // Cluster west: its cluster agent is down, so the empty VMI list proves nothing.
      {
        metric: 'vmzombie_kubevirt_qemu_info',
        labels: {
          job: TEST_JOB,
          instance: 'node-9:9955',
          cluster: 'west',
          namespace: 'default',
          vmi: 'app',
          pid: '77',
        },
        values: '1x30',
      },
      ...twice('vmzombie_collector_up', { cluster: 'west', collector: 'kubevirt' }, '0x30'),
    ],
    // web's counter is last sampled at 4m and missing once that sample is older than the 5m lookback, after 9m;
    // the alert fires 10m later.
    cases: [
      { atMinutes: 19, firing: [] },
      {
        atMinutes: 20,
        firing: [
          {
            labels: {
              instance: 'node-1:9955',
              cluster: 'east',
              namespace: 'default',
              vmi: 'web',
              pid: '4242',
              pod_uid: '5f3c1b2a-7d41-4a4e-9b1f-0a2b3c4d5e6f',
            },
            value: 1,
          },
        ],
      },
    ],
  },
];
