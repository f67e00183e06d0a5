// Which domains' XML to fetch in this collection, and their parsed XML kept between collections.
// XML is fetched for a domain that is new, changed id or state, got an event, or is due in the
// rolling refresh (at most every `refreshEvery` collections; config-only changes of a shut-off
// domain fire no event). Text equal to the last fetch is not parsed again; parsing yields to the
// event loop every few milliseconds, so a first collection of 1000 domains never stalls it long.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { DomainListing } from './backend.js';
import { parseDomainXml, type DomainXml } from '../shared/parse-domain-xml.js';
import { describeError } from '../../util/fs-errors.js';

interface Entry {
  text: string;
  parsed: DomainXml | null;
  error: string | null;
  /** Collection number of the last fetch (staggered on first sight to spread the refreshes). */
  fetchedAt: number;
  id: number | null;
  state: string;
}

/** Longest run of parsing before letting timers and sockets have the event loop. */
const PARSE_SLICE_MS = 8;

export class DomainXmlCache {
  private readonly entries = new Map<string, Entry>();
  private readonly evented = new Set<string>();
  private tick = 0;
  /** Parses done and skipped (same text) in the last collection, for benchmarks and tests. */
  lastParsed = 0;
  lastFetched = 0;

  constructor(private readonly refreshEvery: number) {}

  /** A domain event arrived: its XML may have changed. */
  markChanged(uuid: string): void {
    this.evented.add(uuid);
  }

  /** Events may have been missed (new connection): fetch everything once more. */
  invalidateAll(): void {
    for (const e of this.entries.values()) e.fetchedAt = -Infinity;
  }

  /** Starts a collection: forgets vanished domains and returns those whose XML must be fetched. */
  due(domains: readonly DomainListing[]): DomainListing[] {
    this.tick++;
    const live = new Set(domains.map((d) => d.uuid));
    for (const uuid of this.entries.keys()) if (!live.has(uuid)) this.entries.delete(uuid);
    const every = Math.max(1, this.refreshEvery);
    const due = domains.filter((d) => {
      const e = this.entries.get(d.uuid);
      return !e || e.id !== d.id || e.state !== d.state || this.evented.has(d.uuid) || this.tick - e.fetchedAt >= every;
    });
    for (const d of due) this.evented.delete(d.uuid);
    return due;
  }

  /** A fetch that did not complete (abort, error): look again next time. */
  retry(uuids: Iterable<string>): void {
    for (const u of uuids) this.evented.add(u);
  }

  /** Stores fetched XML, parsing only text that changed, in slices of PARSE_SLICE_MS. */
  async store(
    fetched: readonly DomainListing[],
    texts: ReadonlyMap<string, string>,
    signal: AbortSignal,
  ): Promise<void> {
    let sliceStart = performance.now();
    let parsed = 0;
    let firstSight = 0;
    const every = Math.max(1, this.refreshEvery);
    for (const d of fetched) {
      const text = texts.get(d.uuid);
      if (text === undefined) continue;
      const old = this.entries.get(d.uuid);
      const fetchedAt = old && old.fetchedAt !== -Infinity ? this.tick : this.tick - (firstSight++ % every);
      if (old && old.text === text) {
        Object.assign(old, { fetchedAt, id: d.id, state: d.state });
        continue;
      }
      if (performance.now() - sliceStart > PARSE_SLICE_MS) {
        await yieldToLoop();
        signal.throwIfAborted();
        sliceStart = performance.now();
      }
      parsed++;
      let xml: DomainXml | null = null;
      let error: string | null = null;
      try {
        xml = parseDomainXml(text);
      } catch (e: unknown) {
        error = describeError(e);
      }
      this.entries.set(d.uuid, { text, parsed: xml, error, fetchedAt, id: d.id, state: d.state });
    }
    this.lastParsed = parsed;
    this.lastFetched = texts.size;
  }

  get(uuid: string): { xml: DomainXml | null; error: string | null } | null {
    const e = this.entries.get(uuid);
    return e ? { xml: e.parsed, error: e.error } : null;
  }
}
