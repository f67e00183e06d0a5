// vmzombie_kubevirt_qemu_info{namespace,vmi,pid,pod_uid}: each KubeVirt qemu the node agent sees in /proc, named
// by the VMI it runs, with the uid of the launcher pod its cgroup is in (empty when unread: one series per qemu).
// The rule VMZombieKubevirtQemuWithoutVMI joins it with the cluster agent's VMIs: a qemu whose VMI the cluster no
// longer has is a guest running outside KubeVirt's control.
import { Gauge } from 'prom-client';
import { kubevirtQemus } from '../../views/kubevirt-qemu.js';
import type { SectionMetricsFactory } from './section-metrics.js';

export const kubevirtQemuMetrics: SectionMetricsFactory = (registry) => {
  const info = new Gauge<'namespace' | 'vmi' | 'pid' | 'pod_uid'>({
    name: 'vmzombie_kubevirt_qemu_info',
    help:
      'One series per KubeVirt qemu process on this node (-name guest=<namespace>_<vmi>, SMBIOS manufacturer ' +
      'KubeVirt), value 1; pod_uid is the virt-launcher pod its cgroup is in.',
    labelNames: ['namespace', 'vmi', 'pid', 'pod_uid'],
    registers: [registry],
  });
  return {
    update(snapshot) {
      info.reset();
      for (const q of kubevirtQemus(snapshot.procfs?.processes ?? []))
        info.set({ namespace: q.namespace, vmi: q.vmi, pid: String(q.pid), pod_uid: q.podUid ?? '' }, 1);
    },
  };
};
