// The resources the cluster agent watches: API group, version, plural, and the URL paths the list
// and the watch use (cluster-wide, or one namespace with --kube.namespace).

export type ResourceKind = 'vm' | 'vmi' | 'pod' | 'pvc' | 'pv' | 'vmbackup' | 'lhbackup' | 'datavolume';

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

/** `/api/v1/pods`, `/apis/kubevirt.io/v1/namespaces/ns/virtualmachines`. */
export function resourcePath(spec: ResourceSpec, namespace: string | null): string {
  const base = spec.group === '' ? `/api/${spec.version}` : `/apis/${spec.group}/${spec.version}`;
  return namespace && !spec.clusterScoped
    ? `${base}/namespaces/${encodeURIComponent(namespace)}/${spec.plural}`
    : `${base}/${spec.plural}`;
}
