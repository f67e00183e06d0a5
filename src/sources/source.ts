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
}

/** What the engine hands every source besides the config: an injected clock (Unix seconds) in tests. */
export interface SourceEnv {
  clock?: () => number;
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
