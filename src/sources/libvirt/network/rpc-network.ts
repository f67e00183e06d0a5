// Networks, DHCP leases and nwfilter bindings over the libvirt source's own RPC connection.
import type { LibvirtRpcClient } from '../rpc/client.js';
import { callEach, type CallEachErrors } from '../rpc/call-each.js';
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
/** VIR_ERR_NO_SUPPORT: the driver has no such call (libvirt's test driver has no DHCP leases): nothing of
 * that kind can be read at all, and the kind says it cannot judge. */
const NO_SUPPORT = new Set([3]);
const errorsFor = (what: string): CallEachErrors => ({
  gone: GONE,
  fatal: NO_SUPPORT,
  describe: (key) => `${what} ${key}`,
});

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
    return callEach(
      nets,
      (n) => n.name,
      (n) => dhcpLeases(client, n),
      errorsFor('network'),
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
    return callEach(
      bindings,
      (b) => b.portdev,
      (b) => nwfilterBindingXml(client, b),
      errorsFor('nwfilter binding'),
      problems,
    );
  }
}
