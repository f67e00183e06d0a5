// dhcp_lease_without_domain: an unexpired DHCP lease in a libvirt network whose MAC is on no interface
// of any defined domain, running or shut off (a shut-off guest's lease is not an orphan: it gets it
// back when it starts). Such leases are what is left of undefined guests: with long or infinite lease
// times they exhaust the range and hand a dead guest's name to a new one. The grace covers a domain
// being undefined and recreated, and leases whose own lease time ends them soon anyway.
import { duration } from '../config/flag-spec.js';
import type { Detector, FindingFrom } from './detector.js';

export interface DhcpLeaseEvidence {
  network: string;
  /** An inactive network keeps its leases for its next start. */
  networkActive: boolean;
  bridge: string;
  mac: string;
  ip: string;
  prefix: number;
  type: string;
  hostname: string | null;
  clientId: string | null;
  /** Unix seconds; null: the lease never expires. */
  expiry: number | null;
  /** Defined domains named like the lease's hostname (a guest recreated with a new MAC). */
  domainsNamedLikeHostname: string[];
  /** One lease holds one address of the network's range: the finding count is the address count. */
  addresses: 1;
}

export const dhcpLeaseWithoutDomain: Detector<
  'dhcp_lease_without_domain',
  DhcpLeaseEvidence,
  'network' | 'mac' | 'ip',
  'detect.dhcp-lease-grace'
> = {
  kind: 'dhcp_lease_without_domain',
  labels: ['network', 'mac', 'ip'],
  knobs: {
    'detect.dhcp-lease-grace': duration(
      '1h',
      "How long a DHCP lease may name a MAC of no defined domain before dhcp_lease_without_domain (libvirt's " +
        'default lease time is 1h: a dead guest lease of that length expires on its own first).',
    ),
  },
  grace: 'detect.dhcp-lease-grace',
  needs: ['libvirt', 'libvirt.networks'],
  detect(s, ctx) {
    const libvirt = s.libvirt;
    const nets = libvirt?.networks;
    if (!libvirt || !nets) return [];
    const macs = new Set(
      libvirt.domains.flatMap((d) => d.interfaces.flatMap((i) => (i.mac ? [i.mac.toLowerCase()] : []))),
    );
    const active = new Map(nets.networks.map((n) => [n.name, n.active]));
    const findings: Array<FindingFrom<typeof dhcpLeaseWithoutDomain>> = [];
    for (const l of nets.leases) {
      // An IPv6 lease of a client that sent no MAC cannot be tied to any guest: not judged.
      if (!l.mac || macs.has(l.mac)) continue;
      if (l.expiry !== null && l.expiry <= ctx.now) continue;
      const host = l.hostname?.toLowerCase();
      findings.push({
        kind: 'dhcp_lease_without_domain',
        subject: `${l.network} ${l.mac} ${l.ip}`,
        labels: { network: l.network, mac: l.mac, ip: l.ip },
        since: null,
        reclaimable: {},
        evidence: {
          network: l.network,
          networkActive: active.get(l.network) ?? false,
          bridge: l.iface,
          mac: l.mac,
          ip: l.ip,
          prefix: l.prefix,
          type: l.type,
          hostname: l.hostname,
          clientId: l.clientId,
          expiry: l.expiry,
          domainsNamedLikeHostname: host
            ? libvirt.domains.filter((d) => d.name.toLowerCase() === host).map((d) => `${d.name} (${d.uuid})`)
            : [],
          addresses: 1,
        },
        refs: [`ip:${l.ip}`],
      });
    }
    return findings;
  },
};
