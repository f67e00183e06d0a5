// vsphere_phantom_snapshot: a VM runs on a snapshot delta while vCenter lists no snapshot (vCheck's
// "phantom snapshots", "uncontrolled snapshot mode"), or its folder holds deltas that no snapshot and no
// disk of the VM uses. Nothing ever consolidates them; the running delta grows until the datastore fills.
// A disk chain counts only with two units in the VM's own folder: a linked clone runs on its own delta
// over a base disk in another VM's folder, and that is healthy. Reclaimable: the deltas' bytes.
import { ORPHAN_MIN_AGE } from './lib/knobs.js';
import type { Detector, FindingFrom } from './detector.js';
import { vsphereVms } from './lib/vsphere.js';
import { DELTA, datastoreLeftovers } from './lib/vsphere-files.js';
import { dirname, formatDatastorePath, parseDatastorePath } from '../util/datastore-path.js';
import { knownOwners } from '../util/vsphere-known-owners.js';

export interface VspherePhantomSnapshotEvidence {
  vcenter: string;
  moid: string;
  snapshots: number;
  /** Delta descriptors the VM's disks run on although it has no snapshot ("[ds] vm/vm-000001.vmdk"). */
  runningOnDeltas: string[];
  /** Delta files in the VM's folder that no snapshot and no disk of the VM uses. */
  unreferencedDeltas: Array<{ path: string; sizeBytes: number }>;
}

export const vspherePhantomSnapshot: Detector<
  'vsphere_phantom_snapshot',
  VspherePhantomSnapshotEvidence,
  'vcenter' | 'vm',
  'detect.orphan-min-age'
> = {
  kind: 'vsphere_phantom_snapshot',
  labels: ['vcenter', 'vm'],
  knobs: { ...ORPHAN_MIN_AGE },
  needs: ['vsphere', 'vsphere.files-scanned'],
  detect(s, { now, options }) {
    const out: Array<FindingFrom<typeof vspherePhantomSnapshot>> = [];
    const owners = knownOwners(s.vsphere?.knownOwners);
    const leftovers = new Map(
      (s.vsphere?.vcenters ?? []).map((vc) => [vc, datastoreLeftovers(vc, now, options['detect.orphan-min-age'])]),
    );
    for (const { vc, vm, subject } of vsphereVms(s)) {
      if (vm.template || owners.vm(vm.name, vm.managedBy?.extensionKey ?? null)) continue;
      const home = vm.vmPathName ? parseDatastorePath(vm.vmPathName) : null;
      if (!home) continue;
      const folder = dirname(home.path);
      const layout = vc.files.layouts.find((l) => l.vm === vm.moid);
      const own = (name: string) => {
        const p = parseDatastorePath(name);
        return p !== null && p.datastore === home.datastore && dirname(p.path) === folder;
      };
      const running =
        vm.snapshots.length > 0
          ? []
          : (layout?.diskChains ?? []).flatMap((chain) => {
              const mine = chain.filter(own);
              return mine.length > 1 ? mine.filter((n) => DELTA.test(n)) : [];
            });
      const stale = (leftovers.get(vc)?.deltas ?? [])
        .filter((d) => d.datastore === home.datastore && d.folder === folder)
        .flatMap((d) => d.files);
      if (running.length === 0 && stale.length === 0) continue;
      // A delta is its descriptor and its extent (-delta on VMFS 5, -sesparse on VMFS 6).
      const deltaFiles = new Set(
        running.flatMap((n) => ['.vmdk', '-delta.vmdk', '-sesparse.vmdk'].map((x) => n.replace(/\.vmdk$/, x))),
      );
      const runningBytes = (layout?.files ?? [])
        .filter((f) => deltaFiles.has(f.name))
        .reduce((n, f) => n + f.sizeBytes, 0);
      out.push({
        kind: 'vsphere_phantom_snapshot',
        subject,
        labels: { vcenter: vc.vcenter, vm: vm.name },
        since: null,
        reclaimable: { diskBytes: runningBytes + stale.reduce((n, f) => n + f.sizeBytes, 0) },
        evidence: {
          vcenter: vc.vcenter,
          moid: vm.moid,
          snapshots: vm.snapshots.length,
          runningOnDeltas: running,
          unreferencedDeltas: stale.map((f) => ({
            path: formatDatastorePath(home.datastore, f.path),
            sizeBytes: f.sizeBytes,
          })),
        },
      });
    }
    return out;
  },
};
