// The KubeVirt family's alerts on its own series (virt-handler memory and OOM kills, freeze rates,
// finalizer ages, backup targets shared between clusters), their thresholds and promtool cases.
import { WHERE, hours, type AlertDef } from '../alert-def.js';
import type { BundleConfig } from '../config.js';
import type { FamilyAlerts } from '../family-alerts.js';
import { KUBEVIRT_CASES as cases } from './kubevirt-cases.js';
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

function build(c: BundleConfig): AlertDef[] {
  const at = ['cluster', 'instance'];
  const handler = [...at, 'namespace', 'node', 'pod'];
  const vmi = [...at, 'namespace', 'name'];
  const finalizer = [...at, 'namespace', 'resource', 'name', 'finalizer'];
  const target = [...at, 'endpoint', 'bucket'];
  const qemu = [...at, 'namespace', 'vmi', 'pid', 'pod_uid'];
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
    {
      name: 'VMZombieKubevirtQemuWithoutVMI',
      group: 'kubevirt',
      severity: 'warning',
      for: '10m',
      // Across layers: the node agent's KubeVirt qemus against the VMIs the cluster agent of the same cluster
      // lists (every VMI has a freeze counter series, 0 when it never froze), only while that agent is up.
      expr:
        `max ${by(qemu)} (${sel(c, 'vmzombie_kubevirt_qemu_info')})\n` +
        `unless on (cluster, namespace, vmi)\n` +
        `label_replace(max by (cluster, namespace, name) (` +
        `${sel(c, 'vmzombie_kubevirt_vmi_freeze_transitions_total')}), "vmi", "$1", "name", "(.+)")\n` +
        `and on (cluster)\n` +
        `(max by (cluster) (${sel(c, 'vmzombie_collector_up', { collector: 'kubevirt' })}) == 1)`,
      resultLabels: qemu,
      summary:
        'qemu pid {{ $labels.pid }} on {{ $labels.instance }} runs VMI {{ $labels.namespace }}/{{ $labels.vmi }}, ' +
        'which the cluster no longer has',
      description:
        `A KubeVirt qemu process (pid {{ $labels.pid }}, seen by ${WHERE}) runs the guest of VMI {{ ` +
        `$labels.namespace }}/{{ $labels.vmi }} (its cgroup names launcher pod uid "{{ $labels.pod_uid }}"), but the ` +
        `cluster agent of the same cluster lists no such VMI. ` +
        `The guest runs outside KubeVirt's control, holding the node's CPU, memory and its disks; a new VMI of ` +
        `that name may start a second copy on the same disks.`,
    },
  ];
}

export const KUBEVIRT_ALERTS: FamilyAlerts = {
  defaults: { finalizerStuckSeconds: 60 * 60, freezeTransitionsPerHour: 12, virtHandlerForecastSeconds: 4 * 3600 },
  build,
  cases,
};
