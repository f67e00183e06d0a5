// The exporter's metrics: findings per kind, one age series per finding (bounded), reclaimable
// capacity per kind, collector and detector health, build info. Rebuilt from each new result.
import { Counter, Gauge, collectDefaultMetrics } from 'prom-client';
import { ExporterRegistry } from './cached-text-gauge.js';
import type { Config } from '../../config/flags.js';
import type { Snapshot } from '../../snapshot/snapshot.js';
import type { DetectionResult, ReportedFinding } from '../../detectors/finding.js';
import { CATALOG, FINDING_KINDS } from '../../catalog/catalog.js';
import type { FindingKind } from '../../detectors/finding.js';
import { SECTION_METRICS } from '../../families/index.js';
import type { SectionMetrics } from './section-metrics.js';
import { KeepLedgerMetrics } from './keep-ledger-metrics.js';
import { VERSION } from '../../version.js';
import { EncodedBody } from '../encoded-body.js';

const COLLECTOR_STATES = ['ok', 'absent', 'error', 'timeout'] as const;

export class ExporterMetrics {
  readonly registry = new ExporterRegistry();
  private readonly sections: SectionMetrics[];
  private readonly findings: Gauge<'kind'>;
  private readonly pending: Gauge<'kind'>;
  private readonly age: Gauge<string>;
  private readonly dropped: Counter<'kind'>;
  private readonly reclaimable: Record<'vcpus' | 'memoryBytes' | 'diskBytes' | 'devices', Gauge<'kind'>>;
  private readonly collectorUp: Gauge<'collector'>;
  private readonly collectorState: Gauge<'collector' | 'state'>;
  private readonly collectorDuration: Gauge<'collector'>;
  private readonly collectorLastSuccess: Gauge<'collector'>;
  private readonly sourceProblems: Gauge<'collector'>;
  private readonly skippedEntries: Gauge<'collector' | 'reason'>;
  /** The current result's exposition, rendered and encoded once (a new result drops it). */
  private body: Promise<EncodedBody> | null = null;
  private readonly detectorUp: Gauge<'kind'>;
  private readonly keepLedger: KeepLedgerMetrics;

  constructor(
    private readonly config: Config,
    collectorNames: readonly string[],
    options: { processMetrics?: boolean } = {},
  ) {
    const r = [this.registry];
    // One `cluster` label on every series, for Prometheus servers that scrape several clusters.
    if (config.cluster) this.registry.setDefaultLabels({ cluster: config.cluster });
    // The event-loop lag histogram samples on a timer; prom-client's 10 ms default wakes an idle
    // agent 100 times a second (over a third of its idle CPU). 100 ms still shows a stalled loop.
    if (options.processMetrics ?? true)
      collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    new Gauge({
      name: 'vmzombie_build_info',
      help: 'Build information, value 1.',
      labelNames: ['version', 'node_version'],
      registers: r,
    }).set({ version: VERSION, node_version: process.version }, 1);
    this.findings = new Gauge({
      name: 'vmzombie_findings',
      help: 'Current findings per kind (past their grace period).',
      labelNames: ['kind'],
      registers: r,
    });
    this.pending = new Gauge({
      name: 'vmzombie_findings_pending',
      help: 'Findings still inside their grace period, per kind.',
      labelNames: ['kind'],
      registers: r,
    });
    const labelNames = [...new Set(['kind', 'subject', ...Object.values(CATALOG).flatMap((s) => s.labels), 'owner'])];
    this.age = new Gauge({
      name: 'vmzombie_finding_age_seconds',
      help: 'Seconds since each finding was first seen in its state.',
      labelNames,
      registers: r,
    });
    this.dropped = new Counter({
      name: 'vmzombie_findings_dropped_total',
      help: 'Per-finding series left out by --findings.max-per-kind, summed over collections.',
      labelNames: ['kind'],
      registers: r,
    });
    const reclaim = (name: string, help: string) =>
      new Gauge<'kind'>({ name, help, labelNames: ['kind'], registers: r });
    this.reclaimable = {
      vcpus: reclaim('vmzombie_reclaimable_vcpus', 'vCPUs that reported findings hold, per kind.'),
      memoryBytes: reclaim('vmzombie_reclaimable_memory_bytes', 'Memory bytes that reported findings hold, per kind.'),
      diskBytes: reclaim('vmzombie_reclaimable_disk_bytes', 'Disk bytes that reported findings hold, per kind.'),
      devices: reclaim('vmzombie_reclaimable_devices', 'Devices that reported findings hold, per kind.'),
    };
    this.collectorUp = new Gauge({
      name: 'vmzombie_collector_up',
      help: '1 when the collector read its source this time.',
      labelNames: ['collector'],
      registers: r,
    });
    this.collectorState = new Gauge({
      name: 'vmzombie_collector_state',
      help: 'Collector state set: ok, absent (nothing to read on this host), error, timeout.',
      labelNames: ['collector', 'state'],
      registers: r,
    });
    this.collectorDuration = new Gauge({
      name: 'vmzombie_collector_duration_seconds',
      help: 'Time the collector took in the last collection.',
      labelNames: ['collector'],
      registers: r,
    });
    this.collectorLastSuccess = new Gauge({
      name: 'vmzombie_collector_last_success_timestamp_seconds',
      help: 'When the collector last succeeded; older than the scrape means its data is stale.',
      labelNames: ['collector'],
      registers: r,
    });
    this.sourceProblems = new Gauge({
      name: 'vmzombie_collector_problems',
      help: 'Records the collector could not read or parse in the last collection (details on the landing page).',
      labelNames: ['collector'],
      registers: r,
    });
    this.skippedEntries = new Gauge({
      name: 'vmzombie_collector_skipped_entries',
      help: 'Entries skipped quietly in the last collection: gone mid-scan (vanished) or not ours to read (denied).',
      labelNames: ['collector', 'reason'],
      registers: r,
    });
    this.detectorUp = new Gauge({
      name: 'vmzombie_detector_up',
      help: '1 when the detector ran on fresh data this time.',
      labelNames: ['kind'],
      registers: r,
    });
    for (const name of collectorNames) this.collectorUp.set({ collector: name }, 0);
    this.sections = SECTION_METRICS.map((make) => make(this.registry, config));
    this.keepLedger = new KeepLedgerMetrics(this.registry, config, FINDING_KINDS);
  }

  update(snapshot: Snapshot, detection: DetectionResult): void {
    this.body = null;
    for (const [name, status] of Object.entries(snapshot.collectors)) {
      this.collectorUp.set({ collector: name }, status.state === 'ok' ? 1 : 0);
      for (const state of COLLECTOR_STATES)
        this.collectorState.set({ collector: name, state }, status.state === state ? 1 : 0);
      this.collectorDuration.set({ collector: name }, status.durationSeconds);
      if (status.lastSuccessSeconds !== null)
        this.collectorLastSuccess.set({ collector: name }, status.lastSuccessSeconds);
      const section = (snapshot as Record<string, unknown>)[name] as { problems?: unknown[] } | undefined;
      this.sourceProblems.set({ collector: name }, status.stale ? 0 : (section?.problems?.length ?? 0));
      const skipped = (section as { skipped?: Record<string, number> } | undefined)?.skipped;
      if (skipped && !status.stale)
        for (const [reason, n] of Object.entries(skipped)) this.skippedEntries.set({ collector: name, reason }, n);
    }
    this.findings.reset();
    this.pending.reset();
    this.age.reset();
    for (const g of Object.values(this.reclaimable)) g.reset();
    const byKind = new Map<FindingKind, ReportedFinding[]>();
    const reportedByKind = new Map<FindingKind, ReportedFinding[]>();
    for (const kind of FINDING_KINDS) byKind.set(kind, []);
    for (const f of detection.findings) byKind.get(f.kind)?.push(f);
    for (const [kind, all] of byKind) {
      // A detector for a collector this exporter does not run has no health to report.
      if (detection.inapplicable.includes(kind)) this.detectorUp.remove({ kind });
      else this.detectorUp.set({ kind }, detection.skipped[kind] || detection.errors[kind] ? 0 : 1);
      const reported = all.filter((f) => !f.pending);
      reportedByKind.set(kind, reported);
      this.findings.set({ kind }, reported.length);
      this.pending.set({ kind }, all.length - reported.length);
      const sums = { vcpus: 0, memoryBytes: 0, diskBytes: 0, devices: 0 };
      for (const f of reported)
        for (const k of Object.keys(sums) as Array<keyof typeof sums>) sums[k] += f.reclaimable[k] ?? 0;
      for (const k of Object.keys(sums) as Array<keyof typeof sums>) this.reclaimable[k].set({ kind }, sums[k]);
      // Oldest first: when capped, the findings that matter most stay visible.
      const sorted = [...reported].sort((a, b) => a.since - b.since);
      const max = this.config['findings.max-per-kind'];
      const declared: readonly string[] = CATALOG[kind].labels;
      for (const f of sorted.slice(0, max)) {
        // Only the labels the catalog declares for this kind: one undeclared label would make
        // prom-client throw and fail every scrape. An empty label is the same as no label to
        // Prometheus; leave it out.
        const labels = Object.fromEntries(
          Object.entries(f.labels).filter(([k, v]) => v !== '' && declared.includes(k)),
        );
        // The owner where the layer records one: a namespace, project or folder, one value per team.
        if (f.owner?.label && labels.owner === undefined) labels.owner = f.owner.label;
        this.age.set({ ...labels, kind, subject: f.subject }, Math.max(0, snapshot.takenAt - f.since));
      }
      if (sorted.length > max) this.dropped.inc({ kind }, sorted.length - max);
      else this.dropped.inc({ kind }, 0);
    }
    this.keepLedger.update(detection, reportedByKind);
    for (const s of this.sections) s.update(snapshot, detection);
  }

  /**
   * The exposition of the current result, rendered once and shared by every scrape until the next result (a
   * rendering costs ~8 ms of CPU on a small host and tens of ms for a 10 000-VM cluster). The exporter's own
   * process metrics in it are those of when it was rendered.
   */
  encoded(): Promise<EncodedBody> {
    if (this.body) return this.body;
    const body = this.registry.metrics().then((text) => new EncodedBody(text));
    this.body = body;
    body.catch(() => {
      if (this.body === body) this.body = null;
    });
    return body;
  }

  metrics(): Promise<string> {
    return this.encoded().then((b) => b.text);
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
