// THE list of source families. Everything shared — sources, snapshot sections, the catalog, facts,
// metrics, dashboards, family alerts, landing-page targets, redaction — is derived from it: adding a
// family is its own files plus one line here (test/registry.test.ts checks that each part is there).
import type { UnionToIntersection } from '../util/types.js';
import type { z } from 'zod';
import type { SectionMetricsFactory } from '../outputs/metrics/section-metrics.js';
import type { SourceDefinition } from '../sources/source.js';
import {
  SnapshotHeaderSchema,
  parseSnapshotWith,
  type SectionName,
  type Sections,
  type Snapshot,
} from '../snapshot/snapshot.js';
import type { Fact, SectionSpec } from './family.js';
import { kubevirtFamily } from './kubevirt.js';
import { libvirtHostFamily } from './libvirt-host.js';
import { vsphereFamily } from './vsphere.js';
import { hypervFamily } from './hyperv.js';

export const FAMILIES = [libvirtHostFamily, kubevirtFamily, vsphereFamily, hypervFamily] as const;

export type FamilyName = (typeof FAMILIES)[number]['name'];

type SectionsOfFamilies = keyof UnionToIntersection<(typeof FAMILIES)[number]['sections']>;
// Every section a schema file declares belongs to a family, and every family's section is declared.
const everySectionListed: [SectionName] extends [SectionsOfFamilies]
  ? [SectionsOfFamilies] extends [SectionName]
    ? true
    : never
  : never = true;
void everySectionListed;

/** Every section's spec, by section name. */
export const SECTION_SPECS = Object.assign({}, ...FAMILIES.map((f) => f.sections)) as {
  [N in SectionName]: SectionSpec<N>;
};

/** Every source, in family order. */
export const SOURCES: readonly SourceDefinition[] = FAMILIES.flatMap((f) => f.sources);

/** Every per-section metrics writer, in family order. */
export const SECTION_METRICS: readonly SectionMetricsFactory[] = FAMILIES.flatMap((f) => f.metrics);

/** Every fact a detector or metric may need, by name (`libvirt.local`, `kubevirt.synced`). */
export const FACTS: Readonly<Record<string, Fact>> = Object.assign({}, ...FAMILIES.map((f) => f.facts ?? {}));

/** The family whose kinds include `kind`. */
export function familyOfKind(kind: string): (typeof FAMILIES)[number] | undefined {
  return FAMILIES.find((f) => kind in f.kinds);
}

/** Every scope of the catalog, in family order: rule groups and findings-page filters follow it. */
export const SCOPES: readonly string[] = FAMILIES.flatMap((f) => f.scopes);

const SNAPSHOT_SCHEMA = SnapshotHeaderSchema.extend(
  Object.fromEntries(Object.entries(SECTION_SPECS).map(([name, spec]) => [name, spec.schema.optional()])),
) as unknown as z.ZodType<Snapshot>;

/** Parses untrusted snapshot JSON (a bug report, a saved file) against every family's sections. */
export function parseSnapshot(json: unknown): Snapshot {
  return parseSnapshotWith(SNAPSHOT_SCHEMA, json);
}

/** "host hv1", "cluster https://api:6443 (namespace vms)", "vCenter vc1:443": what this exporter watches. */
export function watchedTargets(snapshot: Snapshot): string[] {
  const out = [`host ${snapshot.hostname}`];
  for (const [name, spec] of Object.entries(SECTION_SPECS) as Array<[SectionName, SectionSpec]>) {
    const section = snapshot[name];
    if (section && spec.targets) out.push(...spec.targets(section as Sections[typeof name]));
  }
  return out;
}

/** Every host name the snapshot's sections carry (remote libvirt, API server, nodes, vCenter, ESXi). */
export function sectionHostNames(snapshot: Snapshot): Array<string | null | undefined> {
  const out: Array<string | null | undefined> = [];
  for (const [name, spec] of Object.entries(SECTION_SPECS) as Array<[SectionName, SectionSpec]>) {
    const section = snapshot[name];
    if (section && spec.hostNames) out.push(...spec.hostNames(section as Sections[typeof name]));
  }
  return out;
}
