// Each domain disk's chain (active layer → backing → …), from two views merged: the live XML's
// <backingStore> (running domains) and the qcow2 headers the pools source read. Also the set of
// every file some defined domain references through any link, for the storage detectors.
import type { Domain, DomainDisk, LibvirtSection } from '../snapshot/libvirt.js';
import type { ImageFile, PoolsSection } from '../snapshot/pools.js';
import { isActive } from './domain-processes.js';
import { memoByIdentity } from './memo.js';

/** Far beyond any real chain: stops a looping chain (a → b → a) from walking forever. */
const MAX_LINKS = 256;

export interface MissingLink {
  /** The image whose header names a backing file that does not exist. */
  image: string;
  backing: string;
  raw: string;
}

export interface DiskChain {
  domain: Domain;
  disk: DomainDisk;
  /** Active layer first. The longer of the two views. */
  links: string[];
  /** Layers counted: the deeper of header chain and live XML chain. */
  depth: number;
  /** Every path either view names. */
  referenced: string[];
  missing: MissingLink | null;
  /** False when the chain could not be followed to its end (header unreadable, file outside every read directory). */
  complete: boolean;
  loop: boolean;
}

export class ImageIndex {
  readonly byPath = new Map<string, ImageFile>();
  private readonly byId = new Map<string, ImageFile>();

  constructor(pools: PoolsSection | undefined) {
    for (const f of [...(pools?.images ?? []), ...(pools?.external ?? [])]) {
      this.byPath.set(f.path, f);
      if (f.inode !== null) this.byId.set(fileId(f.devMajor, f.devMinor, f.inode), f);
    }
  }

  get(path: string, id: string | null): ImageFile | undefined {
    return this.byPath.get(path) ?? (id === null ? undefined : this.byId.get(id));
  }
}

export function fileId(major: number | null, minor: number | null, inode: number): string {
  return `${major ?? '?'}:${minor ?? '?'}:${inode}`;
}

const NO_POOLS: PoolsSection = { pools: [], images: [], external: [], problems: [] };
const chainsOnce = memoByIdentity((libvirt: LibvirtSection, pools: PoolsSection) =>
  computeDiskChains(libvirt, pools === NO_POOLS ? undefined : pools),
);

/** Every domain disk's chain; computed once per snapshot and shared by detectors and metrics. */
export function diskChains(libvirt: LibvirtSection, pools: PoolsSection | undefined): DiskChain[] {
  return chainsOnce(libvirt, pools ?? NO_POOLS);
}

function computeDiskChains(libvirt: LibvirtSection, pools: PoolsSection | undefined): DiskChain[] {
  const index = new ImageIndex(pools);
  const stats = new Map(libvirt.files.map((f) => [f.path, f]));
  const idOf = (p: string) => {
    const st = stats.get(p);
    return st?.inode != null ? fileId(st.devMajor, st.devMinor, st.inode) : null;
  };
  const chains: DiskChain[] = [];
  const poolDirs = new Map((pools?.pools ?? []).map((p) => [p.name, p.path]));
  for (const domain of libvirt.domains) {
    for (const disk of domain.disks) {
      // type='volume' disks name a pool and a volume; dir pools keep volumes as files named after them.
      const poolDir = disk.volume ? poolDirs.get(disk.volume.pool) : undefined;
      const source = disk.source ?? (disk.volume && poolDir !== undefined ? `${poolDir}/${disk.volume.volume}` : null);
      if (source === null) {
        // A volume in a pool we do not read: its chain is unknown.
        if (disk.volume)
          chains.push({
            domain,
            disk,
            links: [],
            depth: 0,
            referenced: [],
            missing: null,
            complete: false,
            loop: false,
          });
        continue;
      }
      const header = followHeaders(source, index, idOf);
      const live = [source, ...disk.backingChain];
      // libvirt probes the whole chain when it starts a domain, so an active domain's live XML is
      // complete (an empty <backingStore/> ends it); a shut-off domain's XML has no chain at all.
      const liveKnown = disk.backingChain.length > 0 || isActive(domain);
      const liveMissing = disk.backingChain.find((p) => stats.get(p)?.exists === false);
      const missing =
        header.missing ??
        (liveMissing
          ? { image: live[live.indexOf(liveMissing) - 1] ?? source, backing: liveMissing, raw: liveMissing }
          : null);
      const links = header.links.length >= live.length ? header.links : live;
      // Not a file image: block devices and network disks have no header we read; their XML is all we know.
      const isFile = disk.type === 'file' || disk.type === 'volume';
      chains.push({
        domain,
        disk,
        links,
        depth: Math.max(header.links.length, live.length),
        referenced: [...new Set([...header.links, ...live])],
        missing,
        complete: header.complete || liveKnown || !isFile || stats.get(source)?.exists === false,
        loop: header.loop,
      });
    }
  }
  return chains;
}

function followHeaders(source: string, index: ImageIndex, idOf: (p: string) => string | null) {
  const links: string[] = [source];
  const seen = new Set<string>([source]);
  let missing: MissingLink | null = null;
  let complete = false;
  let loop = false;
  let current = index.get(source, idOf(source));
  while (current) {
    if (!current.exists || current.error !== null) break;
    const backing = current.backing;
    if (!backing || backing.path === null) {
      complete = true;
      break;
    }
    if (seen.has(backing.path) || links.length >= MAX_LINKS) {
      loop = true;
      complete = true;
      break;
    }
    seen.add(backing.path);
    links.push(backing.path);
    const next = index.get(backing.path, null);
    if (next && !next.exists) {
      missing = { image: current.path, backing: backing.path, raw: backing.raw };
      complete = true;
      break;
    }
    current = next;
  }
  return { links, missing, complete, loop };
}
