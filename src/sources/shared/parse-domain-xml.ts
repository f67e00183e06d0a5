// Pure parser of `virsh dumpxml` output into the parts detectors need: identity, size, disks
// with their backing chains, PCI/mdev hostdevs, tap interfaces, hugepage backing.
import { libvirtXmlParser } from '../../util/xml-parser.js';
import type { DomainDisk, DomainHostdev } from '../../snapshot/libvirt.js';
import type { ResourceKeep } from '../../snapshot/keep.js';

export interface DomainXml {
  name: string;
  uuid: string;
  id: number | null;
  vcpus: number;
  memoryBytes: number;
  hugepages: boolean;
  disks: DomainDisk[];
  hostdevs: DomainHostdev[];
  interfaces: Array<{ type: string; targetDev: string | null; mac: string | null }>;
  /** Present only when the domain has any. */
  bootFiles?: string[];
  owner?: { system: string; project: string | null; name: string | null };
  template?: boolean;
  /** A keep marker in <metadata> (KEEP_NS): this domain's findings are on purpose. */
  keep?: ResourceKeep;
}

type Node = Record<string, unknown>;

const parser = libvirtXmlParser((name) => ['disk', 'hostdev', 'interface'].includes(name));

const UNIT_BYTES: Record<string, number> = {
  b: 1,
  bytes: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1e6,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1e9,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1e12,
};

function text(node: unknown): string | null {
  if (node === undefined || node === null) return null;
  if (typeof node === 'string') return node;
  if (typeof node === 'object' && '#text' in (node as Node)) return String((node as Node)['#text']);
  return null;
}

function attr(node: unknown, name: string): string | null {
  if (!node || typeof node !== 'object') return null;
  const v = (node as Node)[`@${name}`];
  return v === undefined ? null : String(v);
}

function child(node: unknown, name: string): unknown {
  return node && typeof node === 'object' ? (node as Node)[name] : undefined;
}

function hex(v: string | null, width: number): string {
  return Number.parseInt(v ?? '0', v?.startsWith('0x') ? 16 : 10)
    .toString(16)
    .padStart(width, '0');
}

function diskSource(type: string, source: unknown): string | null {
  if (!source) return null;
  if (type === 'file') return attr(source, 'file');
  if (type === 'block') return attr(source, 'dev');
  if (type === 'dir') return attr(source, 'dir');
  return null;
}

function backingChain(disk: unknown): string[] {
  const chain: string[] = [];
  let node = child(disk, 'backingStore');
  // Guard against malformed, self-nested input: a real chain is never this deep.
  for (let depth = 0; node && typeof node === 'object' && depth < 256; depth++) {
    const src = diskSource(attr(node, 'type') ?? 'file', child(node, 'source'));
    if (src) chain.push(src);
    node = child(node, 'backingStore');
  }
  return chain;
}

export function parseDomainXml(xml: string): DomainXml {
  const doc = parser.parse(xml) as Node;
  const dom = doc.domain as Node | undefined;
  if (!dom || typeof dom !== 'object') throw new Error('no <domain> element');
  const name = text(dom.name);
  const uuid = text(dom.uuid);
  if (!name || !uuid) throw new Error('domain without <name> or <uuid>');
  const idAttr = attr(dom, 'id');
  const memory = dom.memory;
  const unit = (attr(memory, 'unit') ?? 'KiB').toLowerCase();
  const vcpuNode = dom.vcpu;
  const devices = (dom.devices ?? {}) as Node;

  const disks: DomainDisk[] = ((devices.disk as unknown[]) ?? []).map((d) => {
    const type = attr(d, 'type') ?? 'file';
    return {
      target: attr(child(d, 'target'), 'dev') ?? '',
      device: attr(d, 'device') ?? 'disk',
      type,
      source: diskSource(type, child(d, 'source')),
      readonly: child(d, 'readonly') !== undefined,
      shareable: child(d, 'shareable') !== undefined,
      backingChain: backingChain(d),
      ...networkSource(type, child(d, 'source')),
      ...mirrorOf(child(d, 'mirror')),
      // Only type='volume' disks carry the key: they name a pool volume instead of a path.
      ...(type === 'volume' && attr(child(d, 'source'), 'pool') && attr(child(d, 'source'), 'volume')
        ? {
            volume: {
              pool: attr(child(d, 'source'), 'pool') as string,
              volume: attr(child(d, 'source'), 'volume') as string,
            },
          }
        : {}),
    };
  });

  const pciAddress = (address: unknown) => {
    const fn = Number.parseInt(attr(address, 'function') ?? '0', 16);
    return `${hex(attr(address, 'domain'), 4)}:${hex(attr(address, 'bus'), 2)}:${hex(attr(address, 'slot'), 2)}.${fn}`;
  };
  const hostdevs: DomainHostdev[] = ((devices.hostdev as unknown[]) ?? []).flatMap((h): DomainHostdev[] => {
    const type = attr(h, 'type');
    const address = child(child(h, 'source'), 'address');
    const managed = attr(h, 'managed') === 'yes';
    if (type === 'pci' && address) return [{ type: 'pci', managed, address: pciAddress(address) }];
    if (type === 'mdev' && attr(address, 'uuid'))
      return [{ type: 'mdev', managed, address: attr(address, 'uuid') as string }];
    return type ? [{ type: 'other', managed, address: type }] : [];
  });
  // An SR-IOV VF given as <interface type='hostdev'> is a PCI hostdev too: its qemu holds the
  // VFIO group like any other, and the device must count as the domain's.
  for (const i of (devices.interface as unknown[]) ?? []) {
    const address = child(child(i, 'source'), 'address');
    if (attr(i, 'type') === 'hostdev' && address && attr(address, 'bus') !== null) {
      hostdevs.push({ type: 'pci', managed: attr(i, 'managed') === 'yes', address: pciAddress(address) });
    }
  }

  const interfaces = ((devices.interface as unknown[]) ?? []).map((i) => ({
    type: attr(i, 'type') ?? '',
    targetDev: attr(child(i, 'target'), 'dev'),
    mac: attr(child(i, 'mac'), 'address'),
  }));

  const os = child(dom, 'os');
  const bootFiles = ['kernel', 'initrd', 'dtb', 'loader', 'nvram']
    .map((n) => text(child(os, n)))
    .filter((p): p is string => p !== null && p.startsWith('/'));

  const meta = metadataFacts(child(dom, 'metadata'), name);
  const vcpus = Number(attr(vcpuNode, 'current') ?? text(vcpuNode) ?? '1');
  return {
    name,
    uuid: uuid.toLowerCase(),
    id: idAttr !== null && idAttr !== '-1' ? Number(idAttr) : null,
    vcpus: Number.isFinite(vcpus) ? vcpus : 1,
    memoryBytes: Math.round(Number(text(memory) ?? '0') * (UNIT_BYTES[unit] ?? 1024)),
    hugepages: child(child(dom, 'memoryBacking'), 'hugepages') !== undefined,
    disks,
    hostdevs,
    interfaces,
    ...(bootFiles.length > 0 ? { bootFiles } : {}),
    ...meta,
  };
}

function networkSource(type: string, source: unknown): { network?: { protocol: string; name: string } } {
  const protocol = attr(source, 'protocol');
  const name = attr(source, 'name');
  return type === 'network' && protocol && name ? { network: { protocol, name } } : {};
}

function mirrorOf(mirror: unknown): { mirror?: { job: string; ready: boolean; source: string | null } } {
  if (!mirror || typeof mirror !== 'object') return {};
  const type = attr(mirror, 'type') ?? 'file';
  return {
    mirror: {
      job: attr(mirror, 'job') ?? 'copy',
      ready: attr(mirror, 'ready') === 'yes',
      source: diskSource(type, child(mirror, 'source')) ?? attr(mirror, 'file'),
    },
  };
}

/** The template marker's namespace: `virsh metadata <dom> urn:vmzombie:template --key vmz --set '<template/>'`. */
export const TEMPLATE_NS = 'urn:vmzombie:template';
/**
 * The keep marker's namespace:
 * `virsh metadata <dom> https://vmzombie.io/keep --key vmzombie --set '<keep reason="…" by="…" until="2027-03-31"/>'`.
 */
export const KEEP_NS = 'https://vmzombie.io/keep';
const KEEP_FIELDS: Record<string, 'reason' | 'who' | 'until'> = {
  reason: 'reason',
  by: 'who',
  who: 'who',
  until: 'until',
};
const NOVA_NS = /^http:\/\/openstack\.org\/xmlns\/libvirt\/nova\//;

/**
 * Owner and template marker from <metadata>. A KubeVirt launcher's domain carries metadata in the
 * http://kubevirt.io namespace and is named `<namespace>_<vmi>`.
 */
function metadataFacts(metadata: unknown, domainName: string): Pick<DomainXml, 'owner' | 'template' | 'keep'> {
  const out: Pick<DomainXml, 'owner' | 'template' | 'keep'> = {};
  let kubevirt = false;
  if (metadata && typeof metadata === 'object') {
    for (const [key, node] of Object.entries(metadata as Node)) {
      if (!node || typeof node !== 'object') continue;
      const ns = Object.entries(node as Node).find(([k]) => k.startsWith('@xmlns'))?.[1];
      if (ns === TEMPLATE_NS) out.template = true;
      if (ns === KEEP_NS) out.keep = keepElement(key, node as Node);
      if (ns === 'http://kubevirt.io') kubevirt = true;
      if (typeof ns === 'string' && NOVA_NS.test(ns) && key.endsWith('instance')) {
        const prefix = key.slice(0, key.length - 'instance'.length);
        const owner = child(node, `${prefix}owner`);
        const project = child(owner, `${prefix}project`);
        out.owner = {
          system: 'nova',
          project: attr(project, 'uuid') ?? text(project),
          name: text(child(node, `${prefix}name`)),
        };
      }
    }
  }
  const launcher = kubevirt && /^([a-z0-9][a-z0-9-]{0,62})_([a-z0-9][a-z0-9.-]{0,252})$/.exec(domainName);
  if (!out.owner && launcher)
    out.owner = { system: 'kubevirt', project: launcher[1] as string, name: launcher[2] as string };
  return out;
}

/** The keep element's attributes (reason, by, until); anything else in it makes the marker malformed. */
function keepElement(key: string, node: Node): ResourceKeep {
  const keep: ResourceKeep = { reason: null, who: null, until: null, unknown: [] };
  const local = key.includes(':') ? key.slice(key.indexOf(':') + 1) : key;
  if (local !== 'keep') keep.unknown.push(`<${local}>`);
  for (const [name, value] of Object.entries(node)) {
    if (name.startsWith('@xmlns')) continue;
    const field = name.startsWith('@') ? KEEP_FIELDS[name.slice(1)] : undefined;
    if (field) keep[field] = String(value);
    else keep.unknown.push(name.startsWith('@') ? name.slice(1) : name === '#text' ? 'text' : `<${name}>`);
  }
  return keep;
}
