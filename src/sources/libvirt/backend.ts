// What the incremental libvirt collection needs from a transport (RPC or virsh): one cheap overview
// of every domain per collection, then snapshot counts and XML only for the domains that need them.
import type { DomainState } from '../../snapshot/libvirt.js';
import type { StorageBackend } from './storage/storage-reader.js';
import type { NetworkBackend } from './network/network-reader.js';

export interface DomainListing {
  name: string;
  uuid: string;
  /** Runtime id; null when inactive. */
  id: number | null;
  state: DomainState;
  reason: string;
}

export interface Overview {
  domains: DomainListing[];
  autostart: ReadonlySet<string>;
  transient: ReadonlySet<string>;
  /** Domains libvirt has snapshot metadata for. */
  withSnapshots: ReadonlySet<string>;
  /** Domains with a managed-save image (`virsh managedsave`). */
  withManagedSave: ReadonlySet<string>;
}

export type Transport = 'rpc' | 'virsh';

export interface LibvirtBackend {
  readonly transport: Transport;
  /** libvirt's storage API on the same connection or shell. */
  readonly storage: StorageBackend;
  /** libvirt's network and nwfilter-binding APIs on the same connection or shell. */
  readonly network: NetworkBackend;
  /** Every domain's identity and state, and the short autostart / transient / has-snapshot lists. */
  overview(signal: AbortSignal, problems: string[]): Promise<Overview>;
  /** Snapshot count per uuid; a domain that vanished is left out. */
  snapshotCounts(
    domains: readonly DomainListing[],
    signal: AbortSignal,
    problems: string[],
  ): Promise<Map<string, number>>;
  /** Live XML per uuid; a domain that vanished is left out. */
  xml(domains: readonly DomainListing[], signal: AbortSignal, problems: string[]): Promise<Map<string, string>>;
  /** True once: the connection is new, so XML seen before may be stale (events were missed). */
  takeReconnected(): boolean;
  close(): Promise<void>;
}
