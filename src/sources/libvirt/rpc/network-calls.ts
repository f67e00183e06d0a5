// libvirt's network and nwfilter-binding APIs over the RPC client: list networks, each network's DHCP
// leases, list filter bindings and the XML of each. All read-only and job-free: leases come from the
// network driver's status file, bindings from the nwfilter driver's in-memory list.
import type { LibvirtRpcClient } from './client.js';
import { XdrError, type XdrReader, XdrWriter } from './xdr.js';

export const NetworkProc = {
  CONNECT_LIST_ALL_NETWORKS: 283,
  NETWORK_GET_DHCP_LEASES: 341,
  NWFILTER_BINDING_GET_XML_DESC: 398,
  CONNECT_LIST_ALL_NWFILTER_BINDINGS: 401,
} as const;

/** virConnectListAllNetworksFlags. */
export const NetworkListFlags = { INACTIVE: 1, ACTIVE: 2 } as const;

/** remote_nonnull_network. */
export interface WireNetwork {
  name: string;
  uuid: string;
}

/** remote_network_dhcp_lease. */
export interface WireLease {
  iface: string;
  expirytime: number;
  /** virIPAddrType: 0 IPv4, 1 IPv6. */
  type: number;
  mac: string | null;
  iaid: string | null;
  ipaddr: string;
  prefix: number;
  hostname: string | null;
  clientid: string | null;
}

/** remote_nonnull_nwfilter_binding. */
export interface WireBinding {
  portdev: string;
  filtername: string;
}

function readNetwork(r: XdrReader): WireNetwork {
  const name = r.string();
  const raw = r.fixedOpaque(16).toString('hex');
  return {
    name,
    uuid: `${raw.slice(0, 8)}-${raw.slice(8, 12)}-${raw.slice(12, 16)}-${raw.slice(16, 20)}-${raw.slice(20)}`,
  };
}

function writeNetwork(w: XdrWriter, n: WireNetwork): XdrWriter {
  const hex = n.uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new XdrError(`not a uuid: ${n.uuid}`);
  return w.string(n.name).fixedOpaque(Buffer.from(hex, 'hex'));
}

export function listAllNetworks(client: LibvirtRpcClient, flags: number): Promise<WireNetwork[]> {
  return client.call(
    NetworkProc.CONNECT_LIST_ALL_NETWORKS,
    'CONNECT_LIST_ALL_NETWORKS',
    new XdrWriter().int(1).uint(flags).bytes(),
    (r) => {
      const nets = r.array(() => readNetwork(r));
      r.uint();
      return nets;
    },
  );
}

export function dhcpLeases(client: LibvirtRpcClient, net: WireNetwork): Promise<WireLease[]> {
  return client.call(
    NetworkProc.NETWORK_GET_DHCP_LEASES,
    'NETWORK_GET_DHCP_LEASES',
    // No MAC filter (optional string absent), need_results, flags 0.
    writeNetwork(new XdrWriter(), net).optionalString(null).int(1).uint(0).bytes(),
    (r) => {
      const leases = r.array(() => {
        const iface = r.string();
        const expirytime = r.hyper();
        const type = r.int();
        const mac = r.optional(() => r.string());
        const iaid = r.optional(() => r.string());
        const ipaddr = r.string();
        const prefix = r.uint();
        const hostname = r.optional(() => r.string());
        const clientid = r.optional(() => r.string());
        return { iface, expirytime, type, mac, iaid, ipaddr, prefix, hostname, clientid };
      });
      r.uint();
      return leases;
    },
  );
}

export function listAllNwfilterBindings(client: LibvirtRpcClient): Promise<WireBinding[]> {
  return client.call(
    NetworkProc.CONNECT_LIST_ALL_NWFILTER_BINDINGS,
    'CONNECT_LIST_ALL_NWFILTER_BINDINGS',
    new XdrWriter().int(1).uint(0).bytes(),
    (r) => {
      const bindings = r.array(() => ({ portdev: r.string(), filtername: r.string() }));
      r.uint();
      return bindings;
    },
  );
}

export function nwfilterBindingXml(client: LibvirtRpcClient, b: WireBinding): Promise<string> {
  return client.call(
    NetworkProc.NWFILTER_BINDING_GET_XML_DESC,
    'NWFILTER_BINDING_GET_XML_DESC',
    new XdrWriter().string(b.portdev).string(b.filtername).uint(0).bytes(),
    (r) => r.string(),
  );
}
