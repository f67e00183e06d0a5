// The contract of one detector: a pure function from snapshot to findings, with what it needs to
// judge at all, the labels of its series and its knobs declared beside it. It names its own kind
// but nothing of the catalog, which is built from the detectors (so no type depends on itself).
import type { SectionName, Snapshot } from '../snapshot/snapshot.js';
import type { KnobSpec } from '../config/flag-spec.js';
import type { HypervFact } from './lib/hyperv.js';

/** What giving the resource back would free. Capacity dashboards sum these. */
export interface Reclaimable {
  vcpus?: number;
  memoryBytes?: number;
  diskBytes?: number;
  devices?: number;
}

/**
 * What a detector needs before its verdict means anything: fresh sections, and facts about them.
 * `libvirt.local`: the URI is this host's (a remote libvirt's guests are not in this /proc).
 * `procfs.unrestricted`: /proc shows every user's processes (with hidepid, absence proves nothing).
 */
export type Precondition = SectionName | 'libvirt.local' | 'procfs.unrestricted' | HypervFact;

export interface DetectorFinding<K extends string, E, L extends string> {
  kind: K;
  /** The resource, readable by a person: "domain web-1 (uuid)", an image path, a PCI address. */
  subject: string;
  /** Identifying labels of the per-finding series: exactly the detector's declared label names. */
  labels: Record<L, string>;
  /** When the detector knows the state began (a process start time, a deletionTimestamp); else null. */
  since: number | null;
  reclaimable: Reclaimable;
  /** Facts a person can check by hand; shown on the findings page, never as metric labels. */
  evidence: E;
  /**
   * Resources this finding concerns beyond its labels (`pid:5756`, `file:/path`, `domain:<uuid>`):
   * findings that share one are linked, so a ghost qemu and the lock it holds point at each other.
   */
  refs?: string[];
}

export interface DetectContext<N extends string = never> {
  /** Unix seconds; detectors never read the clock. */
  now: number;
  /** The detector's knobs, by flag name (seconds for durations). */
  options: Readonly<Record<N, number>>;
}

export interface Detector<K extends string, E, L extends string, N extends string = never> {
  kind: K;
  /** Label names of the per-finding series (besides kind and subject). */
  labels: readonly L[];
  /** Checked by the engine: when one does not hold, the detector is skipped with that reason. */
  needs: readonly Precondition[];
  /** Its `--detect.*` flags; the flag table is composed from every detector's knobs. */
  knobs?: Readonly<Record<N, KnobSpec>>;
  /** The knob holding how long a state must last before it is reported; `detect.grace` when absent. */
  grace?: N;
  detect(snapshot: Snapshot, ctx: DetectContext<N>): Array<DetectorFinding<K, E, L>>;
}

// Detectors of any kind, as the engine and the catalog hold them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyDetector = Detector<string, any, string, string>;

/** The finding type a detector returns, for its own arrays: `Array<FindingFrom<typeof myDetector>>`. */
export type FindingFrom<D> = D extends Detector<infer K, infer E, infer L, infer _N> ? DetectorFinding<K, E, L> : never;
