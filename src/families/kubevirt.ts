// The KubeVirt family: a cluster's KubeVirt and Harvester objects (cluster agent, through watch caches)
// and each node's virt-handler (node agent).
import { kubevirtResources } from '../views/resource-facts.js';
import { KUBEVIRT_ALERTS } from '../bundle/families/kubevirt.js';
import { KUBEVIRT_KINDS } from '../catalog/kubevirt.js';
import { kubeMetrics } from '../outputs/metrics/kube-metrics.js';
import { kubevirtQemuMetrics } from '../outputs/metrics/kubevirt-qemu-metrics.js';
import { kubevirtVolumeMetrics } from '../outputs/metrics/kubevirt-volume-metrics.js';
import { kubeSourceMeta } from '../sources/kubevirt/kube-source-meta.js';
import { lazySource } from '../sources/lazy-source.js';
import { virtHandlerSource } from '../sources/virthandler/virthandler-source.js';
import { longhornSource } from '../sources/longhorn/longhorn-source.js';
import { LonghornSectionSchema } from '../snapshot/longhorn.js';
import { KubeSectionSchema } from '../snapshot/kube.js';
import { VirtHandlerSectionSchema } from '../snapshot/virthandler.js';
import { hostOfUrl } from '../util/url-host.js';
import { kubevirtResourcePresent } from '../views/presence.js';
import { defineFamily } from './family.js';

/** Cluster mode only: its Kubernetes client is not loaded by a node agent. */
const kubeSource = lazySource<'kubevirt'>(
  kubeSourceMeta,
  async () => (await import('../sources/kubevirt/kube-source.js')).kubeSource,
);

export const kubevirtFamily = defineFamily({
  name: 'kubevirt',
  title: 'KubeVirt / Harvester',
  docsPage: 'docs/kube.md',
  scopes: ['kubevirt'],
  sections: {
    kubevirt: {
      schema: KubeSectionSchema,
      targets: (k) => [`cluster ${k.server}${k.namespace ? ` (namespace ${k.namespace})` : ''}`],
      hostNames: (k) => [hostOfUrl(k.server), ...k.pods.map((p) => p.nodeName), ...k.vmis.map((v) => v.nodeName)],
    },
    virthandler: { schema: VirtHandlerSectionSchema, hostNames: (v) => v.handlers.map((h) => h.node) },
    longhorn: { schema: LonghornSectionSchema },
  },
  sources: [kubeSource, virtHandlerSource, longhornSource],
  kinds: KUBEVIRT_KINDS,
  facts: {
    // An unsynced or failing cache holds a partial list: "not in it" proves nothing.
    'kubevirt.synced': {
      transient: true,
      check: (s, resource) => {
        const r = s.kubevirt?.resources.find((x) => x.resource === resource);
        if (!r) return `${resource} is not watched`;
        if (!r.available) return `${resource} is not served by the API server`;
        if (r.error !== null) return `the ${resource} watch failed: ${r.error}`;
        if (!r.synced) return `the ${resource} cache has not finished its first list`;
        return null;
      },
    },
  },
  resourcePresent: kubevirtResourcePresent,
  resources: kubevirtResources,
  metrics: [kubeMetrics, kubevirtQemuMetrics, kubevirtVolumeMetrics],
  alerts: KUBEVIRT_ALERTS,
  dashboards: [
    {
      file: 'vmzombie-kubevirt.json',
      load: async () => (await import('../bundle/dashboards/kubevirt.js')).kubevirtDashboard,
    },
  ],
});
