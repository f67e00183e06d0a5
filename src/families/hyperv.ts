// The Hyper-V family: a Windows host's VMs, checkpoints, disk chains and worker processes, read by one
// PowerShell script per collection (the node agent running on the Hyper-V host itself).
import { HYPERV_CATALOG_ENTRIES } from '../catalog/hyperv.js';
import { hypervFactFails } from '../detectors/lib/hyperv.js';
import { hypervMetrics } from '../outputs/metrics/hyperv-metrics.js';
import { hypervSource } from '../sources/hyperv/hyperv-source.js';
import { HypervSectionSchema } from '../snapshot/hyperv.js';
import { hypervResourcePresent } from '../views/presence.js';
import { defineFamily } from './family.js';

export const hypervFamily = defineFamily({
  name: 'hyperv',
  title: 'Hyper-V',
  docsPage: 'docs/hyperv.md',
  scopes: ['hyperv'],
  sections: {
    hyperv: {
      schema: HypervSectionSchema,
      targets: (h) => [`Hyper-V host ${h.host.name}`],
      hostNames: (h) => [h.host.name],
    },
  },
  sources: [hypervSource],
  kinds: HYPERV_CATALOG_ENTRIES,
  facts: {
    // Not elevated, worker command lines read as null: no worker can be tied to its VM (the host's setup).
    'hyperv.workers-attributable': {
      transient: false,
      check: (s) => hypervFactFails('hyperv.workers-attributable', s),
    },
    // The directory scan runs on its own slower interval; until its first pass every file looks unused.
    'hyperv.files-scanned': { transient: true, check: (s) => hypervFactFails('hyperv.files-scanned', s) },
  },
  resourcePresent: hypervResourcePresent,
  metrics: [hypervMetrics],
  dashboards: [
    {
      file: 'vmzombie-hyperv.json',
      load: async () => (await import('../bundle/dashboards/hyperv.js')).hypervDashboard,
    },
  ],
});
