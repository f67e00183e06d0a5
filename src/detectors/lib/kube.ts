// Helpers shared by the KubeVirt detectors. Whether a watched resource's cache can prove an absence is the
// family's fact `kubevirt.synced:<resource>`, which detectors declare in `needs`.

export function kubeSubject(resource: string, namespace: string, name: string): string {
  return namespace ? `${resource} ${namespace}/${name}` : `${resource} ${name}`;
}
