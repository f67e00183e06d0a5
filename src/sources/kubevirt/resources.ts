// The resources the cluster agent watches: API group, version, plural, and the URL paths the list
// and the watch use (cluster-wide, or one namespace with --kube.namespace).

export type ResourceKind =
  | 'vm'
  | 'vmi'
  | 'pod'
  | 'pvc'
  | 'pv'
  | 'vmbackup'
  | 'lhbackup'
  | 'datavolume'
  | 'podclaims'
  | 'migration'
  | 'vmsnapshot'
  | 'vmrestore'
  | 'volumesnapshot'
  | 'volumesnapshotcontent'
  | 'vmimage'
  | 'backingimage'
  | 'lhorphan'
  | 'lhvolume';

export interface ResourceSpec {
  kind: ResourceKind;
  /** kubectl style name used in labels: `pods`, `virtualmachines.kubevirt.io`. */
  resource: string;
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  labelSelector?: string;
  /**
   * An add-on's CRD (Harvester, Longhorn, CDI): when it cannot be read (403, 500) only this
   * resource is reported unavailable; the collector stays up with the rest.
   */
  optional?: true;
  /** Not namespaced (PersistentVolumes): watched cluster-wide even with --kube.namespace. */
  clusterScoped?: true;
  /**
   * Namespaced, but living in an add-on's own namespace (Longhorn's volumes in longhorn-system), not the VMs':
   * watched in every namespace even with --kube.namespace, so a Longhorn installed elsewhere is found too.
   */
  everyNamespace?: true;
}

export const WATCHED: readonly ResourceSpec[] = [
  {
    kind: 'vm',
    resource: 'virtualmachines.kubevirt.io',
    group: 'kubevirt.io',
    version: 'v1',
    plural: 'virtualmachines',
  },
  {
    kind: 'vmi',
    resource: 'virtualmachineinstances.kubevirt.io',
    group: 'kubevirt.io',
    version: 'v1',
    plural: 'virtualmachineinstances',
  },
  { kind: 'pod', resource: 'pods', group: '', version: 'v1', plural: 'pods', labelSelector: 'kubevirt.io' },
  { kind: 'pvc', resource: 'persistentvolumeclaims', group: '', version: 'v1', plural: 'persistentvolumeclaims' },
  // Their CSI volume handles, for the vSphere family's orphan-FCD join; optional: without the right only it is lost.
  {
    kind: 'pv',
    resource: 'persistentvolumes',
    group: '',
    version: 'v1',
    plural: 'persistentvolumes',
    optional: true,
    clusterScoped: true,
  },
  {
    kind: 'vmbackup',
    resource: 'virtualmachinebackups.harvesterhci.io',
    group: 'harvesterhci.io',
    version: 'v1beta1',
    plural: 'virtualmachinebackups',
    optional: true,
  },
  {
    kind: 'lhbackup',
    resource: 'backups.longhorn.io',
    group: 'longhorn.io',
    version: 'v1beta2',
    plural: 'backups',
    optional: true,
  },
  {
    kind: 'datavolume',
    resource: 'datavolumes.cdi.kubevirt.io',
    group: 'cdi.kubevirt.io',
    version: 'v1beta1',
    plural: 'datavolumes',
    optional: true,
  },
  // Every pod, for the PVCs it mounts (a volume an ordinary pod mounts is in use), stored as a trimmed
  // projection (kinds.ts): the full objects of every pod cost too much at ten thousand VMs.
  {
    kind: 'podclaims',
    resource: 'pods:claims',
    group: '',
    version: 'v1',
    plural: 'pods',
    optional: true,
  },
  {
    kind: 'migration',
    resource: 'virtualmachineinstancemigrations.kubevirt.io',
    group: 'kubevirt.io',
    version: 'v1',
    plural: 'virtualmachineinstancemigrations',
    optional: true,
  },
  {
    kind: 'vmsnapshot',
    resource: 'virtualmachinesnapshots.snapshot.kubevirt.io',
    group: 'snapshot.kubevirt.io',
    version: 'v1beta1',
    plural: 'virtualmachinesnapshots',
    optional: true,
  },
  {
    kind: 'vmrestore',
    resource: 'virtualmachinerestores.snapshot.kubevirt.io',
    group: 'snapshot.kubevirt.io',
    version: 'v1beta1',
    plural: 'virtualmachinerestores',
    optional: true,
  },
  {
    kind: 'volumesnapshot',
    resource: 'volumesnapshots.snapshot.storage.k8s.io',
    group: 'snapshot.storage.k8s.io',
    version: 'v1',
    plural: 'volumesnapshots',
    optional: true,
  },
  {
    kind: 'volumesnapshotcontent',
    resource: 'volumesnapshotcontents.snapshot.storage.k8s.io',
    group: 'snapshot.storage.k8s.io',
    version: 'v1',
    plural: 'volumesnapshotcontents',
    optional: true,
    clusterScoped: true,
  },
  {
    kind: 'vmimage',
    resource: 'virtualmachineimages.harvesterhci.io',
    group: 'harvesterhci.io',
    version: 'v1beta1',
    plural: 'virtualmachineimages',
    optional: true,
  },
  {
    kind: 'backingimage',
    resource: 'backingimages.longhorn.io',
    group: 'longhorn.io',
    version: 'v1beta2',
    plural: 'backingimages',
    optional: true,
  },
  {
    kind: 'lhorphan',
    resource: 'orphans.longhorn.io',
    group: 'longhorn.io',
    version: 'v1beta2',
    plural: 'orphans',
    optional: true,
  },
  // Each Longhorn volume's actual size, for the reclaimable bytes of an orphan volume; stored trimmed (kinds.ts).
  {
    kind: 'lhvolume',
    resource: 'volumes.longhorn.io',
    group: 'longhorn.io',
    version: 'v1beta2',
    plural: 'volumes',
    optional: true,
    everyNamespace: true,
  },
];

/** Pod metrics of virt-handler, read (not watched: the metrics API has no watch) from metrics.k8s.io. */
export const POD_METRICS: ResourceSpec = {
  kind: 'pod',
  resource: 'pods.metrics.k8s.io',
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  plural: 'pods',
  labelSelector: 'kubevirt.io=virt-handler',
};

/** The namespace a resource is listed and watched in: --kube.namespace, or null (all) for those not in it. */
export function watchNamespace(spec: ResourceSpec, namespace: string | null): string | null {
  return spec.clusterScoped || spec.everyNamespace ? null : namespace;
}

/** `/api/v1/pods`, `/apis/kubevirt.io/v1/namespaces/ns/virtualmachines`. */
export function resourcePath(spec: ResourceSpec, namespace: string | null): string {
  const base = spec.group === '' ? `/api/${spec.version}` : `/apis/${spec.group}/${spec.version}`;
  const ns = watchNamespace(spec, namespace);
  return ns ? `${base}/namespaces/${encodeURIComponent(ns)}/${spec.plural}` : `${base}/${spec.plural}`;
}
