// The libvirt source over libvirt's RPC protocol: one kept read-only connection, only bulk and
// job-free calls (all-domain stats with NOWAIT, filtered lists, snapshot counts, XML), pipelined.
// A connection broken or abandoned with calls outstanding is replaced on the next collection, with
// events registered again and every XML fetched once more.
import type { DomainListing, LibvirtBackend, Overview } from './backend.js';
import { LibvirtRpcClient, type DomainEventListener } from './rpc/client.js';
import type { RpcConnection } from './rpc/connection.js';
import type { RpcEndpoint } from './rpc/endpoint.js';
import { LIFECYCLE_EVENT, ListFlags, STATS_NOWAIT, STATS_STATE, type WireDomain } from './rpc/protocol.js';
import { isLibvirtRemoteError, isNoDomain, isRpcConnectionError } from './rpc/rpc-error.js';
import { reasonWord, stateName } from './state-reasons.js';
import { SourceAbsentError } from '../source-absent-error.js';
import { errorCode } from '../../util/fs-errors.js';
import { RpcStorage } from './storage/rpc-storage.js';
import { RpcNetwork } from './network/rpc-network.js';

export class RpcBackend implements LibvirtBackend {
  readonly transport = 'rpc' as const;
  private client: LibvirtRpcClient | null = null;
  private connecting: RpcConnection | null = null;
  private reconnected = false;
  /** Event registrations of the current connection (names), for the landing page and tests. */
  events: string[] = [];
  readonly storage = new RpcStorage((signal) => this.connected(signal));
  readonly network = new RpcNetwork((signal) => this.connected(signal));

  constructor(
    readonly endpoint: RpcEndpoint,
    private readonly onDomainEvent: DomainEventListener,
  ) {}

  /** Whether lifecycle events are being heard now: a connection up, with them registered. */
  hearsLifecycle(): boolean {
    return this.client !== null && !this.client.conn.broken && this.events.includes(LIFECYCLE_EVENT.name);
  }

  /** Called once per collection on its deadline: a connection with calls still out is not reused. */
  abort(reason: Error): void {
    if (this.connecting) this.connecting.destroy(reason);
    const conn = this.client?.conn;
    if (conn && conn.outstanding > 0) conn.destroy(reason);
  }

  private async connected(signal: AbortSignal): Promise<LibvirtRpcClient> {
    signal.throwIfAborted();
    if (this.client && !this.client.conn.broken) return this.client;
    this.client = null;
    try {
      const client = await LibvirtRpcClient.open(this.endpoint.socketPath, this.endpoint.name, {
        onConnection: (c) => {
          this.connecting = c;
        },
      });
      this.events = await client.watchDomainEvents(this.onDomainEvent);
      this.client = client;
      this.reconnected = true;
      return client;
    } catch (e: unknown) {
      if (isRpcConnectionError(e) && errorCode(e.cause) === 'ENOENT') {
        throw new SourceAbsentError(`libvirt is not running: no socket at ${this.endpoint.socketPath}`, { cause: e });
      }
      throw e;
    } finally {
      this.connecting = null;
    }
  }

  takeReconnected(): boolean {
    const r = this.reconnected;
    this.reconnected = false;
    return r;
  }

  async overview(signal: AbortSignal, problems: string[]): Promise<Overview> {
    const client = await this.connected(signal);
    const uuids = (ds: WireDomain[]) => new Set(ds.map((d) => d.uuid));
    const [stats, autostart, transient, withSnapshots, withManagedSave] = await Promise.all([
      client.allDomainStats(STATS_STATE, STATS_NOWAIT),
      client.listAllDomains(ListFlags.AUTOSTART).then(uuids),
      client.listAllDomains(ListFlags.TRANSIENT).then(uuids),
      client.listAllDomains(ListFlags.HAS_SNAPSHOT).then(uuids),
      client.listAllDomains(ListFlags.MANAGEDSAVE).then(uuids),
    ]);
    const domains: DomainListing[] = [];
    for (const { domain, params } of stats) {
      const s = params.get('state.state');
      const r = params.get('state.reason');
      if (typeof s !== 'number' || typeof r !== 'number') {
        problems.push(`domain ${domain.uuid}: no state in its stats record`);
        continue;
      }
      const state = stateName(s);
      domains.push({
        name: domain.name,
        uuid: domain.uuid,
        id: domain.id >= 0 ? domain.id : null,
        state,
        reason: reasonWord(state, r),
      });
    }
    return { domains, autostart, transient, withSnapshots, withManagedSave };
  }

  async snapshotCounts(
    domains: readonly DomainListing[],
    signal: AbortSignal,
    problems: string[],
  ): Promise<Map<string, number>> {
    const client = await this.connected(signal);
    return this.each(domains, (d) => client.snapshotNum(wire(d)), problems);
  }

  async xml(domains: readonly DomainListing[], signal: AbortSignal, problems: string[]): Promise<Map<string, string>> {
    const client = await this.connected(signal);
    return this.each(domains, (d) => client.xmlDesc(wire(d)), problems);
  }

  /** One call per domain, all in flight at once; a vanished domain is left out, other refusals noted. */
  private async each<T>(
    domains: readonly DomainListing[],
    call: (d: DomainListing) => Promise<T>,
    problems: string[],
  ): Promise<Map<string, T>> {
    const out = new Map<string, T>();
    const results = await Promise.allSettled(domains.map(call));
    for (const [i, r] of results.entries()) {
      const uuid = (domains[i] as DomainListing).uuid;
      if (r.status === 'fulfilled') out.set(uuid, r.value);
      else if (isNoDomain(r.reason)) continue;
      else if (isLibvirtRemoteError(r.reason)) problems.push(`domain ${uuid}: ${r.reason.message}`);
      else throw r.reason;
    }
    return out;
  }

  async close(): Promise<void> {
    this.client?.close();
    this.client = null;
  }
}

function wire(d: DomainListing): WireDomain {
  return { name: d.name, uuid: d.uuid, id: d.id ?? -1 };
}
