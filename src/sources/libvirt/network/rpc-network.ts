// Networks, DHCP leases and nwfilter bindings over the libvirt source's own RPC connection.
import type { LibvirtRpcClient } from '../rpc/client.js';
import { isLibvirtRemoteError } from '../rpc/rpc-error.js';
import {
  NetworkListFlags,
  dhcpLeases,
  listAllNetworks,
  listAllNwfilterBindings,
  nwfilterBindingXml,
  type WireBinding,
  type WireLease,
} from '../rpc/network-calls.js';
import type { ListedNetwork, NetworkBackend } from './network-reader.js';

/** VIR_ERR_NO_NETWORK, VIR_ERR_NO_NWFILTER_BINDING: it went away between two calls. */
const GONE = new Set([43, 101]);
/** VIR_ERR_NO_SUPPORT: the driver has no such call (libvirt's test driver has no DHCP leases). */
const NO_SUPPORT = 3;

export class RpcNetwork implements NetworkBackend {
  constructor(private readonly connected: (signal: AbortSignal) => Promise<LibvirtRpcClient>) {}

  async networks(signal: AbortSignal): Promise<ListedNetwork[]> {
    const client = await this.connected(signal);
    const [all, active] = await Promise.all([
      listAllNetworks(client, 0),
      listAllNetworks(client, NetworkListFlags.ACTIVE),
    ]);
    const up = new Set(active.map((n) => n.uuid));
    return all.map((n) => ({ ...n, active: up.has(n.uuid) }));
  }

  async leases(
    nets: readonly ListedNetwork[],
    signal: AbortSignal,
    problems: string[],
  ): Promise<Map<string, WireLease[]>> {
    const client = await this.connected(signal);
    return each(
      nets,
      (n) => n.name,
      (n) => dhcpLeases(client, n),
      'network',
      problems,
    );
  }

  async bindings(signal: AbortSignal): Promise<WireBinding[]> {
    return listAllNwfilterBindings(await this.connected(signal));
  }

  async bindingXml(
    bindings: readonly WireBinding[],
    signal: AbortSignal,
    problems: string[],
  ): Promise<Map<string, string>> {
    const client = await this.connected(signal);
    return each(
      bindings,
      (b) => b.portdev,
      (b) => nwfilterBindingXml(client, b),
      'nwfilter binding',
      problems,
    );
  }
}

async function each<I, T>(
  items: readonly I[],
  id: (item: I) => string,
  call: (item: I) => Promise<T>,
  what: string,
  problems: string[],
): Promise<Map<string, T>> {
  const out = new Map<string, T>();
  const results = await Promise.allSettled(items.map(call));
  for (const [i, r] of results.entries()) {
    const key = id(items[i] as I);
    if (r.status === 'fulfilled') out.set(key, r.value);
    // Nothing of that kind can be read at all: the kind says it cannot judge.
    else if (isLibvirtRemoteError(r.reason) && r.reason.code === NO_SUPPORT) throw r.reason;
    else if (isLibvirtRemoteError(r.reason)) {
      if (!GONE.has(r.reason.code)) problems.push(`${what} ${key}: ${r.reason.message}`);
    } else throw r.reason;
  }
  return out;
}
