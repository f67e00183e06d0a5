// The finding types, derived from the catalog: the kind union, each kind's evidence and label names,
// and what the engine reports (a finding with its first sighting, grace, staleness and links).
import type { SharedImagesView } from '../views/shared-images.js';
import type { CATALOG_ENTRIES } from '../catalog/catalog.js';
import type { Detector, DetectorFinding } from './detector.js';
import type { Acknowledgement, KeepMarker } from '../keep/keep-marker.js';

export type { DetectContext, Detector, DetectorFinding, Precondition, Reclaimable } from './detector.js';

type Entries = typeof CATALOG_ENTRIES;
export type FindingKind = keyof Entries;
type DetectorOf<K extends FindingKind> = Entries[K]['detector'];

/** The evidence type the kind's detector declares. */
export type EvidenceOf<K extends FindingKind> =
  DetectorOf<K> extends Detector<string, infer E, string, string> ? E : never;
/** The label names the kind's detector declares. */
export type LabelOf<K extends FindingKind> =
  DetectorOf<K> extends Detector<string, unknown, infer L, string> ? L : never;

export type FindingOf<K extends FindingKind> = DetectorFinding<K, EvidenceOf<K>, LabelOf<K>>;
export type Finding = { [K in FindingKind]: FindingOf<K> }[FindingKind];

export interface RelatedFinding {
  kind: FindingKind;
  subject: string;
  alert: string;
}

export type ReportedFinding = Finding & {
  /** First seen (or the detector's own start time), Unix seconds. */
  since: number;
  /** Still inside its grace period: shown on the findings page, not counted in metrics. */
  pending: boolean;
  /** From a detector that could not run this time (a source is down): the last known finding. */
  stale: boolean;
  /** Other findings about the same resource (a process, a file, a domain), e.g. a lock and its holder's finding. */
  related: RelatedFinding[];
  /** A keep marker says this one is on purpose: it pages no one and counts as kept in the capacity review. */
  acknowledged?: Acknowledgement;
  /** Who owns the resource, where its layer records it (namespace, folder or resource pool, domain metadata). */
  owner?: FindingOwner;
};

/** A finding's owner: a short, bounded label for routing pages, and the details for a person. */
export interface FindingOwner {
  /** `system:team`, e.g. `kubevirt:team-a`, `nova:<project>`, `vsphere:Finance`: one per team, not per resource. */
  label: string;
  /** Everything the layer records: `namespace team-a, VirtualMachine web1`, `folder /dc1/vm/finance, pool Finance`. */
  detail: string;
}

/** A finding that was reported (past its grace) and is no longer found, with what became of its resource. */
export interface EndedFinding {
  finding: ReportedFinding;
  /** `gone`: the resource disappeared (given back); `healthy`: it is there and no longer a finding (used again). */
  outcome: 'gone' | 'healthy';
}

/** What the keep markers did this evaluation. */
export interface KeepReport {
  markers: number;
  /** Markers that matched no finding: a leak of their own (the resource went, the marker stayed). */
  stale: KeepMarker[];
  /** Markers past their `until` that still match a finding, which pages again. */
  expired: KeepMarker[];
  /** Markers that could not be read, with why; they acknowledge nothing. */
  problems: string[];
}

export interface DetectionResult {
  findings: ReportedFinding[];
  /** Kinds whose detector could not judge this time, with the reason (a source down, remote libvirt, hidepid). */
  skipped: Partial<Record<FindingKind, string>>;
  /** Kinds none of whose collectors this exporter runs (cluster kinds on a node agent). */
  inapplicable: FindingKind[];
  /** Detector exceptions (a bug or an input shape we did not expect), per kind. */
  errors: Partial<Record<FindingKind, string>>;
  /** Findings that ended since the last evaluation (for the reclaimed ledger). */
  ended?: EndedFinding[];
  keep?: KeepReport;
  /** Images on shared storage, judged by the fleet rule and not by this host (absent: none mounted). */
  sharedImages?: SharedImagesView | null;
}
