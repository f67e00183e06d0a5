// virt_handler_memory_near_limit: a virt-handler pod whose working set (metrics.k8s.io) is above
// --detect.virt-handler-memory-percent of its memory limit: the next step is an OOM kill, which takes
// the node's VMI management down with it. Silent when no limit is set or no working set is served.
import { int } from '../config/flag-spec.js';
import type { Detector } from './detector.js';
import { kubeSubject } from './lib/kube.js';

export interface VirtHandlerMemoryEvidence {
  workingSetBytes: number;
  limitBytes: number;
  requestBytes: number | null;
  percentOfLimit: number;
  restartsTotal: number;
  oomKillsTotal: number;
}

export const virtHandlerMemoryNearLimit: Detector<
  'virt_handler_memory_near_limit',
  VirtHandlerMemoryEvidence,
  'namespace' | 'pod' | 'node',
  'detect.virt-handler-memory-percent'
> = {
  kind: 'virt_handler_memory_near_limit',
  labels: ['namespace', 'pod', 'node'],
  knobs: {
    'detect.virt-handler-memory-percent': int(
      90,
      'virt_handler_memory_near_limit is raised when a virt-handler working set exceeds this percentage of its ' +
        'memory limit.',
    ),
  },
  needs: ['kubevirt'],
  detect(s, { options }) {
    return (s.kubevirt?.pods ?? []).flatMap((p) => {
      if (p.component !== 'virt-handler' || p.memoryWorkingSetBytes === null || !p.memoryLimitBytes) return [];
      const percent = (100 * p.memoryWorkingSetBytes) / p.memoryLimitBytes;
      if (percent <= options['detect.virt-handler-memory-percent']) return [];
      return [
        {
          kind: 'virt_handler_memory_near_limit' as const,
          subject: kubeSubject('pods', p.namespace, p.name),
          labels: { namespace: p.namespace, pod: p.name, node: p.nodeName ?? '' },
          since: null,
          reclaimable: {},
          evidence: {
            workingSetBytes: p.memoryWorkingSetBytes,
            limitBytes: p.memoryLimitBytes,
            requestBytes: p.memoryRequestBytes,
            percentOfLimit: Math.round(percent * 10) / 10,
            restartsTotal: p.restartsTotal,
            oomKillsTotal: p.oomKillsTotal,
          },
        },
      ];
    });
  },
};
