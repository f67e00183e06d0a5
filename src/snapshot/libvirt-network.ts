// Shape of what libvirt's network and nwfilter drivers hold for guests: each virtual network with the
// DHCP leases its dnsmasq handed out, and each nwfilter binding (a filter applied to a guest's tap).
import { z } from 'zod';

export const NetworkSchema = z.object({
  name: z.string(),
  /** Started (its dnsmasq serves the leases); an inactive network keeps its unexpired leases for its next start. */
  active: z.boolean(),
});
export type Network = z.infer<typeof NetworkSchema>;

export const DhcpLeaseSchema = z.object({
  network: z.string(),
  /** The network's bridge (the lease's interface). */
  iface: z.string(),
  /** null for an IPv6 lease of a client that sent no MAC. */
  mac: z.string().nullable(),
  ip: z.string(),
  prefix: z.number(),
  type: z.enum(['ipv4', 'ipv6']),
  hostname: z.string().nullable(),
  clientId: z.string().nullable(),
  /** Unix seconds; null for a lease that never expires. */
  expiry: z.number().nullable(),
});
export type DhcpLease = z.infer<typeof DhcpLeaseSchema>;

/** Absent on the section when the network driver could not be read. */
export const LibvirtNetworksSchema = z.object({
  networks: z.array(NetworkSchema),
  leases: z.array(DhcpLeaseSchema),
});
export type LibvirtNetworks = z.infer<typeof LibvirtNetworksSchema>;

export const NwfilterBindingSchema = z.object({
  /** The tap (or other port device) the filter is applied to. */
  portDev: z.string(),
  filter: z.string(),
  /** The domain the binding names as its owner. */
  ownerName: z.string().nullable(),
  ownerUuid: z.string().nullable(),
  mac: z.string().nullable(),
});
export type NwfilterBinding = z.infer<typeof NwfilterBindingSchema>;
