// Acknowledged findings (a keep marker says they are on purpose) and the reclaimed ledger: what the
// findings that ended held, by kind and outcome, as counters (`increase(...[30d])` answers "what did we
// get back"; a restart resets them and `increase` copes).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Config } from '../../config/flags.js';
import type { DetectionResult, ReportedFinding } from '../../detectors/finding.js';

const UNITS = [
  ['vcpus', 'vcpus', 'vCPUs'],
  ['memoryBytes', 'memory_bytes', 'Memory bytes'],
  ['diskBytes', 'disk_bytes', 'Disk bytes'],
  ['devices', 'devices', 'Devices'],
] as const;

type Unit = (typeof UNITS)[number][0];

const OUTCOMES = ['gone', 'healthy'] as const;

export class KeepLedgerMetrics {
  private readonly acknowledged: Gauge<'kind' | 'subject'>;
  private readonly acknowledgedCount: Gauge<'kind'>;
  private readonly acknowledgedReclaimable: Record<Unit, Gauge<'kind'>>;
  private readonly markers: Gauge<'state'>;
  private readonly reclaimed: Record<Unit, Counter<'kind' | 'outcome'>>;
  private readonly ended: Counter<'kind' | 'outcome'>;

  constructor(
    registry: Registry,
    private readonly config: Config,
    kinds: readonly string[],
  ) {
    const registers = [registry];
    this.acknowledged = new Gauge({
      name: 'vmzombie_finding_acknowledged',
      help: 'Findings a keep marker acknowledges (value 1): every generated alert leaves them out.',
      labelNames: ['kind', 'subject'],
      registers,
    });
    this.acknowledgedCount = new Gauge({
      name: 'vmzombie_findings_acknowledged',
      help: 'Reported findings a keep marker acknowledges, per kind (also counted in vmzombie_findings).',
      labelNames: ['kind'],
      registers,
    });
    this.acknowledgedReclaimable = Object.fromEntries(
      UNITS.map(([unit, suffix, what]) => [
        unit,
        new Gauge({
          name: `vmzombie_reclaimable_acknowledged_${suffix}`,
          help: `${what} that acknowledged findings hold, per kind (part of vmzombie_reclaimable_${suffix}).`,
          labelNames: ['kind'],
          registers,
        }),
      ]),
    ) as Record<Unit, Gauge<'kind'>>;
    this.markers = new Gauge({
      name: 'vmzombie_keep_markers',
      help: 'Keep markers: active (acknowledging a finding), stale (matching none), expired, invalid (unreadable).',
      labelNames: ['state'],
      registers,
    });
    this.reclaimed = Object.fromEntries(
      UNITS.map(([unit, suffix, what]) => [
        unit,
        new Counter({
          name: `vmzombie_reclaimed_${suffix}_total`,
          help: `${what} that findings held when they ended: gone (the resource disappeared) or healthy (used again).`,
          labelNames: ['kind', 'outcome'],
          registers,
        }),
      ]),
    ) as Record<Unit, Counter<'kind' | 'outcome'>>;
    this.ended = new Counter({
      name: 'vmzombie_findings_ended_total',
      help: 'Reported findings that ended, by kind and outcome (gone or healthy).',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    // Every series from 0: increase() cannot see the first increment of a series that appears with it.
    for (const kind of kinds) {
      for (const outcome of OUTCOMES) {
        this.ended.inc({ kind, outcome }, 0);
        for (const [unit] of UNITS) this.reclaimed[unit].inc({ kind, outcome }, 0);
      }
    }
  }

  update(detection: DetectionResult, reported: ReadonlyMap<string, readonly ReportedFinding[]>): void {
    this.acknowledged.reset();
    this.acknowledgedCount.reset();
    for (const g of Object.values(this.acknowledgedReclaimable)) g.reset();
    const max = this.config['findings.max-per-kind'];
    for (const [kind, findings] of reported) {
      const acked = findings.filter((f) => f.acknowledged);
      this.acknowledgedCount.set({ kind }, acked.length);
      for (const [unit] of UNITS) {
        this.acknowledgedReclaimable[unit].set(
          { kind },
          acked.reduce((n, f) => n + (f.reclaimable[unit] ?? 0), 0),
        );
      }
      // Oldest first, as the age series: an acknowledged finding whose age series is kept has its mark.
      for (const f of [...acked].sort((a, b) => a.since - b.since).slice(0, max))
        this.acknowledged.set({ kind, subject: f.subject }, 1);
    }
    const keep = detection.keep;
    const active = new Set(detection.findings.flatMap((f) => (f.acknowledged ? [f.acknowledged.origin] : [])));
    this.markers.set({ state: 'active' }, active.size);
    this.markers.set({ state: 'stale' }, keep?.stale.length ?? 0);
    this.markers.set({ state: 'expired' }, keep?.expired.length ?? 0);
    this.markers.set({ state: 'invalid' }, keep?.problems.length ?? 0);
    for (const { finding, outcome } of detection.ended ?? []) {
      const labels = { kind: finding.kind, outcome };
      this.ended.inc(labels);
      for (const [unit] of UNITS) this.reclaimed[unit].inc(labels, finding.reclaimable[unit] ?? 0);
    }
  }
}
