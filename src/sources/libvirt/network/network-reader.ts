// Incremental read of libvirt's networks, their DHCP leases and the nwfilter bindings: every
// collection lists the networks (two calls), the leases of each (one call per network) and the
// bindings (one call); a binding's XML (its owner) is fetched only when it is new, when its turn in a
// rolling refresh comes, or when its recorded owner runs no longer (a tap name reused by another guest
// must not be judged by the old owner).
import type { DhcpLease, LibvirtNetworks, NwfilterBinding } from '../../../snapshot/libvirt-network.js';
import type { WireBinding, WireLease } from '../rpc/network-calls.js';
import { parseNwfilterBindingXml } from './parse-network.js';

export interface ListedNetwork {
  name: string;
  /** Empty when the transport does not give it (virsh); the RPC path needs it to name the network. */
  uuid: string;
  active: boolean;
}

/** What a transport (RPC or virsh) offers; a network or binding that vanished is left out. */
export interface NetworkBackend {
  networks(signal: AbortSignal, problems: string[]): Promise<ListedNetwork[]>;
  /** Leases by network name. */
  leases(nets: readonly ListedNetwork[], signal: AbortSignal, problems: string[]): Promise<Map<string, WireLease[]>>;
  bindings(signal: AbortSignal, problems: string[]): Promise<WireBinding[]>;
  /** XML by port device. */
  bindingXml(bindings: readonly WireBinding[], signal: AbortSignal, problems: string[]): Promise<Map<string, string>>;
}

/** The driver is not in this daemon (or the URI's driver has no such API): the kinds say so themselves. */
export class NetworkUnsupportedError extends Error {
  override readonly name = 'NetworkUnsupportedError';
}

export function toLease(network: string, w: WireLease): DhcpLease {
  return {
    network,
    iface: w.iface,
    mac: w.mac?.toLowerCase() ?? null,
    ip: w.ipaddr,
    prefix: w.prefix,
    type: w.type === 1 ? 'ipv6' : 'ipv4',
    hostname: w.hostname,
    clientId: w.clientid,
    // libvirt reports 0 for a lease that never expires.
    expiry: w.expirytime > 0 ? w.expirytime : null,
  };
}

interface CachedBinding {
  filter: string;
  value: NwfilterBinding;
  turn: number;
}

export class NetworkReader {
  private readonly bindingCache = new Map<string, CachedBinding>();
  private collection = 0;
  private nextTurn = 0;

  /** Every binding's XML is fetched again at least this often (collections). */
  constructor(private readonly refreshCollections: number) {}

  invalidateAll(): void {
    this.bindingCache.clear();
  }

  async readNetworks(backend: NetworkBackend, signal: AbortSignal, problems: string[]): Promise<LibvirtNetworks> {
    const nets = await backend.networks(signal, problems);
    const byNet = await backend.leases(nets, signal, problems);
    return {
      networks: nets.map((n) => ({ name: n.name, active: n.active })),
      leases: nets.flatMap((n) => (byNet.get(n.name) ?? []).map((w) => toLease(n.name, w))),
    };
  }

  /** `running`: uuids of the domains that are active now. */
  async readBindings(
    backend: NetworkBackend,
    running: ReadonlySet<string>,
    signal: AbortSignal,
    problems: string[],
  ): Promise<NwfilterBinding[]> {
    this.collection++;
    const listed = await backend.bindings(signal, problems);
    const due = listed.filter((b) => {
      const c = this.bindingCache.get(b.portdev);
      if (!c || c.filter !== b.filtername) return true;
      if (c.value.ownerUuid === null || !running.has(c.value.ownerUuid)) return true;
      return (c.turn + this.collection) % this.refreshCollections === 0;
    });
    const texts = await backend.bindingXml(due, signal, problems);
    for (const b of due) {
      const xml = texts.get(b.portdev);
      if (xml === undefined) {
        // Gone between the list and its XML: nothing to judge.
        this.bindingCache.delete(b.portdev);
        continue;
      }
      try {
        this.bindingCache.set(b.portdev, {
          filter: b.filtername,
          value: parseNwfilterBindingXml(xml),
          turn: this.bindingCache.get(b.portdev)?.turn ?? this.nextTurn++,
        });
      } catch (e: unknown) {
        this.bindingCache.delete(b.portdev);
        problems.push(`nwfilter binding ${b.portdev}: ${(e as Error).message}`);
      }
    }
    const live = new Set(listed.map((b) => b.portdev));
    for (const k of this.bindingCache.keys()) if (!live.has(k)) this.bindingCache.delete(k);
    return listed.flatMap((b) => this.bindingCache.get(b.portdev)?.value ?? []);
  }
}
