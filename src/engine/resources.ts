// What the resource a finding names carries itself — a keep marker, an owner — looked up once per
// evaluation through the finding's family, then applied with the keep file.
import type { KeepReport, ReportedFinding } from '../detectors/finding.js';
import { familyOfKind } from '../families/index.js';
import type { ResourceFacts } from '../families/family.js';
import type { KeepSet } from '../keep/keep-marker.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { applyKeep } from './keep.js';

type Lookup = (labels: Readonly<Record<string, string | undefined>>) => ResourceFacts | null;

export function applyResources(findings: ReportedFinding[], keep: KeepSet, snapshot: Snapshot): KeepReport {
  const lookups = new Map<string, Lookup | null>();
  const facts = new Map<ReportedFinding, ResourceFacts | null>();
  for (const f of findings) {
    const family = familyOfKind(f.kind);
    let lookup = family ? lookups.get(family.name) : null;
    if (family && lookup === undefined) {
      lookup = family.resources ? family.resources(snapshot) : null;
      lookups.set(family.name, lookup);
    }
    const labels = f.labels as Readonly<Record<string, string | undefined>>;
    const found = lookup ? lookup(labels) : null;
    facts.set(f, found);
    // A kind that labels its own owner (a volume named after its Proxmox VM) keeps it when the resource has none.
    const owner = found?.owner ?? (labels.owner ? { label: labels.owner, detail: labels.owner } : null);
    if (owner) f.owner = owner;
    else delete f.owner;
  }
  return applyKeep(findings, keep, snapshot.takenAt, (f) => facts.get(f)?.keep ?? null);
}
