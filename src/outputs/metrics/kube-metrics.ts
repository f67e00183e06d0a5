// Series of the cluster agent: what the watch caches hold (resource availability, VMI freeze
// counters, virt-handler memory, restarts and OOM kills, backup targets) and the per-finding series
// the issue pins (finalizer age, VM status age, backup errors). Rebuilt from every snapshot; the
// per-VMI families from lines cached per VMI (cached-text-gauge.ts).
import { Counter, Gauge } from 'prom-client';
import type { SectionMetricsFactory } from './section-metrics.js';
import type { ReportedFinding } from '../../detectors/finding.js';
import type { KubeVmi } from '../../snapshot/kube.js';
import { CachedTextCounter } from './cached-text-gauge.js';

type Of<K extends ReportedFinding['kind']> = Extract<ReportedFinding, { kind: K }>;

export const kubeMetrics: SectionMetricsFactory = (registry, config) => {
  const r = [registry];
  const available = new Gauge<'resource'>({
    name: 'vmzombie_kube_resource_available',
    help:
      '1 when the API serves the resource (CRD installed), 0 when it answered 404; re-checked every ' +
      '--kube.recheck-interval.',
    labelNames: ['resource'],
    registers: r,
  });
  const deletionStuck = new Gauge<'namespace' | 'resource' | 'name' | 'finalizer'>({
    name: 'vmzombie_kubevirt_deletion_stuck_seconds',
    help:
      'Seconds since deletionTimestamp of objects stuck in deletion past --detect.deletion-grace, one series per ' +
      'remaining finalizer (finalizer="" when none is left).',
    labelNames: ['namespace', 'resource', 'name', 'finalizer'],
    registers: r,
  });
  const vmStatus = new Gauge<'namespace' | 'name' | 'status'>({
    name: 'vmzombie_kubevirt_vm_status_seconds',
    help:
      'Seconds a VM has been in a stuck printableStatus (Stopping, Terminating, Unknown, error statuses), past ' +
      '--detect.vm-status-grace.',
    labelNames: ['namespace', 'name', 'status'],
    registers: r,
  });
  // One series per VMI, 20 000 at 10 000 VMs: lines cached per VMI record, which the reader keeps while
  // the VMI and its counters are unchanged.
  const freezeTransitions = new CachedTextCounter<KubeVmi, 'namespace' | 'name'>(
    'vmzombie_kubevirt_vmi_freeze_transitions_total',
    'Changes of a VMI status.fsFreezeStatus seen on the watch since the exporter started watching it (events ' +
      'the API server coalesced are not seen).',
    ['namespace', 'name'],
    (v) => ({ labels: { namespace: v.namespace, name: v.name }, value: v.freezeTransitionsTotal }),
    registry,
  );
  const frozenUpdates = new CachedTextCounter<KubeVmi, 'namespace' | 'name'>(
    'vmzombie_kubevirt_vmi_frozen_updates_total',
    'New resourceVersions of a VMI seen while it stayed frozen (churn a coalesced freeze loop still shows).',
    ['namespace', 'name'],
    (v) => ({ labels: { namespace: v.namespace, name: v.name }, value: v.frozenUpdatesTotal }),
    registry,
  );
  const backupError = new Gauge<'namespace' | 'name' | 'source' | 'resource'>({
    name: 'vmzombie_kubevirt_backup_error',
    help: 'VM backups in Error (value 1); the message is on /findings.',
    labelNames: ['namespace', 'name', 'source', 'resource'],
    registers: r,
  });
  const backupTarget = new Gauge<'endpoint' | 'bucket'>({
    name: 'vmzombie_kubevirt_backup_target_info',
    help:
      'Backup targets the VirtualMachineBackups of this cluster write to, value 1 (two clusters on one target is ' +
      'a known cause of backup errors).',
    labelNames: ['endpoint', 'bucket'],
    registers: r,
  });
  const pvHandle = new Gauge<'persistentvolume' | 'driver' | 'volume_handle'>({
    name: 'vmzombie_kube_pv_csi_volume_handle_info',
    help:
      'CSI PersistentVolumes of the cluster with their volume handle, value 1: the vSphere family keeps quiet about ' +
      'a First-Class Disk a PV names.',
    labelNames: ['persistentvolume', 'driver', 'volume_handle'],
    registers: r,
  });
  const handlerLabels = ['namespace', 'node', 'pod'] as const;
  type HandlerLabel = (typeof handlerLabels)[number];
  const workingSet = new Gauge<HandlerLabel>({
    name: 'vmzombie_virt_handler_memory_working_set_bytes',
    help:
      'virt-handler working set: from metrics.k8s.io (cluster agent) or its container cgroup, memory.current ' +
      'minus inactive_file (node agent).',
    labelNames: handlerLabels,
    registers: r,
  });
  const limit = new Gauge<HandlerLabel>({
    name: 'vmzombie_virt_handler_memory_limit_bytes',
    help: 'Memory limit of the virt-handler container (its spec, or the cgroup memory.max on the node).',
    labelNames: handlerLabels,
    registers: r,
  });
  const request = new Gauge<HandlerLabel>({
    name: 'vmzombie_virt_handler_memory_request_bytes',
    help: 'Memory request of the virt-handler container.',
    labelNames: handlerLabels,
    registers: r,
  });
  const restarts = new Counter<HandlerLabel>({
    name: 'vmzombie_virt_handler_restarts_total',
    help: 'Container restarts of the virt-handler pod (restartCount as the kubelet reports it).',
    labelNames: handlerLabels,
    registers: r,
  });
  const ooms = new Counter<HandlerLabel>({
    name: 'vmzombie_virt_handler_oom_kills_total',
    help:
      'OOM kills of virt-handler containers seen on the watch (restartCount up with lastState.terminated.reason ' +
      'OOMKilled).',
    labelNames: handlerLabels,
    registers: r,
  });
  const all = [
    available,
    deletionStuck,
    vmStatus,
    freezeTransitions,
    frozenUpdates,
    backupError,
    backupTarget,
    pvHandle,
    workingSet,
    limit,
    request,
    restarts,
    ooms,
  ];
  const max = config['findings.max-per-kind'];

  return {
    update(snapshot, detection) {
      for (const m of all) m.reset();
      // Node agent: the local virt-handler's container cgroup.
      for (const h of snapshot.virthandler?.handlers ?? []) {
        const labels = { namespace: h.namespace ?? '', node: h.node, pod: h.pod ?? '' };
        workingSet.set(labels, h.workingSetBytes);
        if (h.memoryMaxBytes !== null) limit.set(labels, h.memoryMaxBytes);
      }
      const kube = snapshot.kubevirt;
      if (!kube) return;
      for (const res of kube.resources) available.set({ resource: res.resource }, res.available ? 1 : 0);
      freezeTransitions.set(kube.vmis);
      frozenUpdates.set(kube.vmis);
      for (const p of kube.pods) {
        if (p.component !== 'virt-handler') continue;
        const labels = { namespace: p.namespace, node: p.nodeName ?? '', pod: p.name };
        if (p.memoryWorkingSetBytes !== null) workingSet.set(labels, p.memoryWorkingSetBytes);
        if (p.memoryLimitBytes !== null) limit.set(labels, p.memoryLimitBytes);
        if (p.memoryRequestBytes !== null) request.set(labels, p.memoryRequestBytes);
        restarts.inc(labels, p.restartsTotal);
        ooms.inc(labels, p.oomKillsTotal);
      }
      const targets = new Map<string, { endpoint: string; bucket: string }>();
      for (const b of kube.backups)
        if (b.backupTarget) targets.set(`${b.backupTarget.endpoint}\u0000${b.backupTarget.bucket}`, b.backupTarget);
      for (const t of targets.values()) backupTarget.set(t, 1);
      for (const pv of kube.pvVolumeHandles ?? [])
        pvHandle.set({ persistentvolume: pv.name, driver: pv.driver, volume_handle: pv.volumeHandle }, 1);

      // Per-finding series: reported findings only (past their grace), oldest first, capped per kind.
      const reported = (detection?.findings ?? []).filter((f) => !f.pending).sort((a, b) => a.since - b.since);
      const now = snapshot.takenAt;
      const of = <K extends ReportedFinding['kind']>(kind: K) =>
        reported.filter((f): f is Of<K> => f.kind === kind).slice(0, max);
      for (const f of of('kubevirt_stuck_deletion')) {
        const age = Math.max(0, now - f.since);
        const finalizers = f.evidence.finalizers.length ? f.evidence.finalizers : [''];
        for (const finalizer of finalizers) {
          deletionStuck.set(
            { namespace: f.evidence.namespace, resource: f.evidence.resource, name: f.evidence.name, finalizer },
            age,
          );
        }
      }
      for (const f of of('kubevirt_vm_stuck_status')) {
        vmStatus.set(
          { namespace: f.labels.namespace ?? '', name: f.labels.name ?? '', status: f.evidence.printableStatus },
          Math.max(0, now - f.since),
        );
      }
      for (const f of of('kubevirt_backup_error')) {
        backupError.set(
          {
            namespace: f.labels.namespace ?? '',
            name: f.labels.name ?? '',
            source: f.labels.source ?? '',
            resource: f.evidence.resource,
          },
          1,
        );
      }
    },
  };
};
