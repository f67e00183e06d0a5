// Migrations still in flight (not Succeeded or Failed), shared by the launcher-pod and migration detectors.
import type { KubeMigration, KubeSection } from '../../snapshot/kube.js';

export const FINAL_MIGRATION_PHASES = new Set(['Succeeded', 'Failed']);

export function inFlightMigrations(kube: KubeSection): KubeMigration[] {
  return (kube.migrations ?? []).filter((m) => !FINAL_MIGRATION_PHASES.has(m.phase));
}

/** A failing migrations watch makes "no migration uses it" unprovable; an absent CRD has none. */
export function migrationsUnprovable(kube: KubeSection): string | null {
  const r = kube.resources.find((x) => x.resource === 'virtualmachineinstancemigrations.kubevirt.io');
  if (!r || !r.available) return null;
  if (r.error !== null) return `the migrations watch failed: ${r.error}`;
  if (!r.synced) return 'the migrations cache has not finished its first list';
  return null;
}
