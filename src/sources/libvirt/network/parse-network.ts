// Pure parsers: a filter binding's XML (virNWFilterBindingGetXMLDesc), and virsh's tables for the
// fallback: `net-dhcp-leases` and `nwfilter-binding-list`.
import { libvirtXmlParser } from '../../../util/xml-parser.js';
import type { NwfilterBinding } from '../../../snapshot/libvirt-network.js';
import type { WireBinding, WireLease } from '../rpc/network-calls.js';

type Node = Record<string, unknown>;

const parser = libvirtXmlParser();

function child(node: unknown, name: string): unknown {
  return node && typeof node === 'object' ? (node as Node)[name] : undefined;
}

function text(node: unknown): string | null {
  if (typeof node === 'string') return node === '' ? null : node;
  if (node && typeof node === 'object' && '#text' in (node as Node)) return String((node as Node)['#text']);
  return null;
}

function attr(node: unknown, name: string): string | null {
  const v = child(node, `@${name}`);
  return v === undefined ? null : String(v);
}

/** `<filterbinding><owner><name/><uuid/></owner><portdev name=/><mac address=/><filterref filter=/>`. */
export function parseNwfilterBindingXml(xml: string): NwfilterBinding {
  const root = child(parser.parse(xml), 'filterbinding');
  if (!root || typeof root !== 'object') throw new Error('not a <filterbinding> document');
  const owner = child(root, 'owner');
  const portDev = attr(child(root, 'portdev'), 'name');
  const filter = attr(child(root, 'filterref'), 'filter');
  if (!portDev || !filter) throw new Error('<filterbinding> without <portdev name> or <filterref filter>');
  return {
    portDev,
    filter,
    ownerName: text(child(owner, 'name')),
    ownerUuid: text(child(owner, 'uuid'))?.toLowerCase() ?? null,
    mac: attr(child(root, 'mac'), 'address')?.toLowerCase() ?? null,
  };
}

const SEPARATOR = /^-+$/;

/** Table rows without virsh's header (absent with -q) and its dashed rule. */
function rows(text: string, header: RegExp): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !SEPARATOR.test(l) && !header.test(l));
}

const dash = (s: string | undefined) => (s === undefined || s === '-' ? null : s);

/**
 * `net-dhcp-leases NET`: `2026-12-07 02:37:14  52:54:00:aa:bb:01  ipv4  192.168.150.11/24  host  -`.
 * virsh prints the expiry in its local time zone, which is the exporter's own (the shell inherits it).
 */
export function parseDhcpLeases(text: string, iface: string, problems: string[]): WireLease[] {
  const out: WireLease[] = [];
  for (const line of rows(text, /^Expiry Time\s+MAC address/i)) {
    const m =
      /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\s+(\S+)\s+(ipv4|ipv6)\s+([^/\s]+)\/(\d+)\s+(\S+)(?:\s+(\S+))?/.exec(
        line,
      );
    if (!m) {
      problems.push(`unexpected line in net-dhcp-leases: ${line.slice(0, 200)}`);
      continue;
    }
    const [, y, mo, d, h, mi, s, mac, type, ip, prefix, hostname, clientid] = m;
    const expiry = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime() / 1000;
    out.push({
      iface,
      expirytime: expiry,
      type: type === 'ipv6' ? 1 : 0,
      mac: dash(mac),
      iaid: null,
      ipaddr: ip as string,
      prefix: Number(prefix),
      hostname: dash(hostname),
      clientid: dash(clientid),
    });
  }
  return out;
}

/** `nwfilter-binding-list`: `vnet0  clean-traffic`. */
export function parseBindingList(text: string, problems: string[]): WireBinding[] {
  const out: WireBinding[] = [];
  for (const line of rows(text, /^Port Dev\s+Filter$/i)) {
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    if (!m) {
      problems.push(`unexpected line in nwfilter-binding-list: ${line.slice(0, 200)}`);
      continue;
    }
    out.push({ portdev: m[1] as string, filtername: m[2] as string });
  }
  return out;
}

/** `net-info NET`: the `Bridge:` line (empty when the network has none). */
export function parseNetInfoBridge(text: string): string {
  return /^Bridge:\s+(\S+)/m.exec(text)?.[1] ?? '';
}
