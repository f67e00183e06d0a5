// The vSphere family: each vCenter's VMs, snapshots and datastore files, read over its SOAP API.
import { vsphereResources } from '../views/resource-facts.js';
import { VSPHERE_ALERTS } from '../bundle/families/vsphere.js';
import { VSPHERE_KINDS } from '../catalog/vsphere.js';
import { vsphereMetrics } from '../outputs/metrics/vsphere-metrics.js';
import { vsphereSource } from '../sources/vsphere/vsphere-source.js';
import { VsphereSectionSchema } from '../snapshot/vsphere.js';
import { vsphereResourcePresent } from '../views/presence.js';
import { defineFamily } from './family.js';

export const vsphereFamily = defineFamily({
  name: 'vsphere',
  title: 'VMware vSphere',
  docsPage: 'docs/vsphere.md',
  scopes: ['vsphere'],
  sections: {
    vsphere: {
      schema: VsphereSectionSchema,
      targets: (v) => v.vcenters.map((vc) => `vCenter ${vc.vcenter}`),
      hostNames: (v) => v.vcenters.flatMap((vc) => [vc.vcenter.replace(/:\d+$/, ''), ...vc.hosts.map((h) => h.name)]),
    },
  },
  sources: [vsphereSource],
  kinds: VSPHERE_KINDS,
  facts: {
    // Until a first scan of the datastores completes, every file would look unreferenced.
    'vsphere.files-scanned': {
      transient: true,
      check: (s) => {
        const pending = (s.vsphere?.vcenters ?? []).filter((vc) => vc.files.layoutsAt === null);
        return pending.length === 0
          ? null
          : `no datastore file scan has completed yet on ${pending.map((vc) => vc.vcenter).join(', ')}`;
      },
    },
  },
  resourcePresent: vsphereResourcePresent,
  resources: vsphereResources,
  metrics: [vsphereMetrics],
  alerts: VSPHERE_ALERTS,
  dashboards: [
    {
      file: 'vmzombie-vsphere.json',
      load: async () => (await import('../bundle/dashboards/vsphere.js')).vsphereDashboard,
    },
  ],
});
