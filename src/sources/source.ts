// The contract every source implements: I/O only, returning its section of the snapshot.
import type { FlagTable } from '../config/flag-spec.js';
import type { Config } from '../config/flags.js';
import type { SectionName, Sections } from '../snapshot/snapshot.js';
import type { Logger } from '../util/log.js';
import type { SharedWork } from './shared-work.js';

export interface CollectContext {
  /** Aborted when the collector timeout passes: stop work and kill child processes. */
  signal: AbortSignal;
  /** Work shared with the other sources of this collection (absent when a source runs on its own). */
  shared?: SharedWork;
}

/** A running source. It may keep state between collections (a virsh shell, watch caches). */
export interface SourceInstance<N extends SectionName = SectionName> {
  collect(ctx: CollectContext): Promise<Sections[N]>;
  close(): Promise<void>;
  /**
   * Whether the source now hears, between collections, of the changes that must not wait for a paced collection
   * (libvirt's domain lifecycle events), calling `SourceEnv.changed` for each. Absent: it does not.
   */
  hearsChanges?(): boolean;
}

/** What the engine hands every source besides the config. */
export interface SourceEnv {
  /** An injected clock (Unix seconds), in tests. */
  clock?: () => number;
  /** Told of a change heard between collections that the next scrape must see (a guest started or stopped). */
  changed?: () => void;
}

export interface SourceDefinition<N extends SectionName = SectionName> {
  name: N;
  description: string;
  /** The flags this source owns (sources/<name>/flags.ts); composed with every other flag in src/flags.ts. */
  flags?: FlagTable;
  /** Whether the source runs when no --collector.X / --no-collector.X flag was given. */
  enabledByDefault(config: Config): boolean;
  create(config: Config, log: Logger, env?: SourceEnv): SourceInstance<N>;
}
