// The contract of a per-source metrics writer: declares its families once on the registry and
// rebuilds their series from each new snapshot (so no series outlives what it describes).
import type { Registry } from 'prom-client';
import type { Config } from '../../config/flags.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import type { DetectionResult } from '../../detectors/finding.js';

export interface SectionMetrics {
  /** `detection` holds the findings of this snapshot, for series that describe findings. */
  update(snapshot: Snapshot, detection?: DetectionResult): void;
}

export type SectionMetricsFactory = (registry: Registry, config: Config) => SectionMetrics;
