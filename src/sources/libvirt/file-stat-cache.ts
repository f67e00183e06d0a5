// stat() of the disk files domains reference, without stat-ing 1000 images on every collection:
// files of active domains, of domains whose XML was just fetched, and files not seen or unreadable
// before are stat-ed each time; the rest in a rolling refresh (each at least every `refreshEvery`
// collections, staggered). The stats go through the hung-call guard (images may live on NFS).
import type { Domain, FileStat } from '../../snapshot/libvirt.js';
import type { HungCallGuard } from '../../util/hung-call-guard.js';
import { mapLimit } from '../../util/map-limit.js';

interface Entry {
  stat: FileStat;
  at: number;
}

export class FileStatCache {
  private readonly entries = new Map<string, Entry>();
  private tick = 0;
  /** Files stat-ed in the last collection, for benchmarks and tests. */
  lastStated = 0;

  constructor(
    private readonly refreshEvery: number,
    private readonly statFile: (p: string) => Promise<FileStat>,
    private readonly unknown: (p: string, why: string) => FileStat,
  ) {}

  async read(
    domains: readonly Domain[],
    fresh: ReadonlySet<string>,
    guard: HungCallGuard<FileStat>,
    signal: AbortSignal,
  ): Promise<FileStat[]> {
    this.tick++;
    const every = Math.max(1, this.refreshEvery);
    const order: string[] = [];
    const must = new Set<string>();
    for (const d of domains) {
      const urgent = fresh.has(d.uuid) || (d.state !== 'shutoff' && d.state !== 'nostate');
      for (const disk of d.disks) {
        for (const p of disk.source ? [disk.source, ...disk.backingChain] : disk.backingChain) {
          if (!must.has(p) && urgent) must.add(p);
          order.push(p);
        }
      }
    }
    const paths = [...new Set(order)];
    const live = new Set(paths);
    for (const p of this.entries.keys()) if (!live.has(p)) this.entries.delete(p);
    let firstSight = 0;
    const due = paths.filter((p) => {
      const e = this.entries.get(p);
      return must.has(p) || !e || e.stat.error !== null || this.tick - e.at >= every;
    });
    const stats = await mapLimit(
      due,
      16,
      (p) =>
        guard.run(
          p,
          () => this.statFile(p),
          (why) => this.unknown(p, `stat() ${why}`),
        ),
      signal,
    );
    for (const [i, st] of stats.entries()) {
      const p = due[i] as string;
      const seen = this.entries.has(p);
      this.entries.set(p, { stat: st, at: seen ? this.tick : this.tick - (firstSight++ % every) });
    }
    this.lastStated = due.length;
    return paths.map((p) => (this.entries.get(p) as Entry).stat);
  }
}
