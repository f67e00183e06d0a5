// Helpers shared by the KubeVirt detectors: subjects, and whether a watched resource's cache can be
// trusted to prove an absence.
import type { KubeSection } from '../../snapshot/kube.js';

export function kubeSubject(resource: string, namespace: string, name: string): string {
  return namespace ? `${resource} ${namespace}/${name}` : `${resource} ${name}`;
}

/** True when the resource is served and its cache holds a complete list (so "not in it" means gone). */
export function resourceSynced(section: KubeSection, resource: string): boolean {
  return section.resources.some((r) => r.resource === resource && r.available && r.synced && r.error === null);
}
