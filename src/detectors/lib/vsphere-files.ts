// Which datastore files no VM or template uses, from the last file scan: folders holding a .vmx no
// registered VM uses (what UnregisterVM or a failed delete leaves) and .vmdk descriptors no VM
// references outside those folders. Files count as used when a VM's layoutEx (read right after the
// datastores were listed) or a current VM's config.files.vmPathName names them; a VM whose layout
// is unknown protects its whole home folder. System folders (.sdd.sf, .vSphere-HA, content
// libraries, first-class disks) are never reported.
import type { Vcenter } from '../../snapshot/vsphere.js';
import { dirname, formatDatastorePath, parseDatastorePath } from '../../util/datastore-path.js';
import { namesOfFolder, removalOf } from './vsphere-events.js';
import type { KnownOwners } from '../../util/vsphere-known-owners.js';

export interface DatastoreFileRef {
  path: string;
  sizeBytes: number;
  modified: number | null;
}

export interface LeftoverFolder {
  datastore: string;
  folder: string;
  vmx: string[];
  files: DatastoreFileRef[];
  newestModified: number;
}
/** Deltas in a registered VM's folder that its layout does not use: no snapshot names them. */
export interface StaleDeltas {
  datastore: string;
  folder: string;
  files: DatastoreFileRef[];
}
export interface LeftoverDisk {
  datastore: string;
  path: string;
  files: DatastoreFileRef[];
  newestModified: number;
}

const COMPANION = /-(flat|delta|ctk|sesparse)\.vmdk$/;
/** A snapshot delta's descriptor or extent: name-000001.vmdk, name-000001-delta.vmdk, -sesparse. */
export const DELTA = /-\d{6}(-delta|-sesparse|-ctk)?\.vmdk$/;
/** What a destroy leaves in a folder: locks, logs, ISOs, swap and the small files beside a .vmx. */
const DESTROY_LEFTOVER = /(^|\/)\.lck-[^/]*$|\.(log|iso|vmsd|vmxf|nvram|hlog|vswp|scoreboard|lck|vmx~)$/i;
/** A descriptor is "empty" below this size when no extent is beside it (a real descriptor has one). */
const EMPTY_DESCRIPTOR_BYTES = 64 * 1024;
const COMPANION_SUFFIXES = ['-flat.vmdk', '-delta.vmdk', '-ctk.vmdk', '-sesparse.vmdk'];

function isSystemPath(path: string): boolean {
  const top = path.split('/')[0] ?? '';
  return top.startsWith('.') || top.startsWith('contentlib-') || top === 'fcd' || top === 'catalog';
}

const key = (ds: string, p: string) => `${ds}\u0000${p}`;

export function datastoreLeftovers(
  vc: Vcenter,
  now: number,
  minAgeSeconds: number,
  owners: KnownOwners | null = null,
): { folders: LeftoverFolder[]; disks: LeftoverDisk[]; bareFolders: LeftoverFolder[]; deltas: StaleDeltas[] } {
  const folders: LeftoverFolder[] = [];
  const disks: LeftoverDisk[] = [];
  const bareFolders: LeftoverFolder[] = [];
  const deltas: StaleDeltas[] = [];
  // Its detectors need `vsphere.files-scanned`, so an unscanned vCenter is skipped with a reason before this.
  if (vc.files.layoutsAt === null) return { folders, disks, bareFolders, deltas };
  const used = new Set<string>();
  const homes = new Set<string>();
  const protectedHomes = new Set<string>();
  const laidOut = new Set(vc.files.layouts.filter((l) => l.files.length > 0).map((l) => l.vm));
  for (const l of vc.files.layouts) {
    for (const f of l.files) {
      const p = parseDatastorePath(f.name);
      if (p) used.add(key(p.datastore, p.path));
    }
  }
  for (const vm of vc.vms) {
    const p = vm.vmPathName ? parseDatastorePath(vm.vmPathName) : null;
    if (!p) continue;
    used.add(key(p.datastore, p.path));
    homes.add(key(p.datastore, dirname(p.path)));
    if (!laidOut.has(vm.moid)) protectedHomes.add(key(p.datastore, dirname(p.path)));
  }
  const cutoff = now - minAgeSeconds;
  for (const ds of vc.files.datastores) {
    // A datastore whose listing failed this pass keeps an older listing that the fresh layouts do not match.
    if (ds.scannedAt === null || ds.error !== null) continue;
    const byFolder = new Map<string, DatastoreFileRef[]>();
    const byPath = new Map<string, DatastoreFileRef>();
    for (const f of ds.files) {
      if (isSystemPath(f.path) || owners?.path(ds.datastore, f.path)) continue;
      const ref = { path: f.path, sizeBytes: f.sizeBytes ?? 0, modified: f.modified };
      byPath.set(f.path, ref);
      const folder = dirname(f.path);
      byFolder.set(folder, [...(byFolder.get(folder) ?? []), ref]);
    }
    const newest = (files: DatastoreFileRef[]) =>
      files.some((f) => f.modified === null) ? Infinity : Math.max(...files.map((f) => f.modified as number));
    const leftoverFolders = new Set<string>();
    for (const [folder, files] of byFolder) {
      if (folder === '') continue;
      if (homes.has(key(ds.datastore, folder))) {
        if (protectedHomes.has(key(ds.datastore, folder))) continue;
        const stale = files.filter((f) => DELTA.test(f.path) && !used.has(key(ds.datastore, f.path)));
        if (stale.length > 0 && newest(stale) <= cutoff) deltas.push({ datastore: ds.datastore, folder, files: stale });
        continue;
      }
      const vmx = files.filter(
        (f) => (f.path.endsWith('.vmx') || f.path.endsWith('.vmtx')) && !used.has(key(ds.datastore, f.path)),
      );
      if (vmx.length === 0) {
        if (!isDestroyLeftover(files, byPath) || files.some((f) => used.has(key(ds.datastore, f.path)))) continue;
        leftoverFolders.add(folder);
        const mtime = newest(files);
        if (mtime <= cutoff)
          bareFolders.push({ datastore: ds.datastore, folder, vmx: [], files, newestModified: mtime });
        continue;
      }
      leftoverFolders.add(folder);
      const mtime = newest(files);
      if (mtime > cutoff) continue;
      folders.push({
        datastore: ds.datastore,
        folder,
        vmx: vmx.map((f) => f.path),
        files: files.filter((f) => !used.has(key(ds.datastore, f.path))),
        newestModified: mtime,
      });
    }
    for (const f of byPath.values()) {
      if (!f.path.endsWith('.vmdk') || COMPANION.test(f.path) || used.has(key(ds.datastore, f.path))) continue;
      const folder = dirname(f.path);
      if (leftoverFolders.has(folder) || protectedHomes.has(key(ds.datastore, folder))) continue;
      // Deltas in a registered VM's folder are judged as phantom snapshots, not as orphan disks.
      if (DELTA.test(f.path) && homes.has(key(ds.datastore, folder))) continue;
      const base = f.path.slice(0, -'.vmdk'.length);
      const files = [
        f,
        ...COMPANION_SUFFIXES.map((s) => byPath.get(base + s)).filter((x): x is DatastoreFileRef => x !== undefined),
      ];
      const mtime = newest(files);
      if (mtime > cutoff) continue;
      disks.push({ datastore: ds.datastore, path: f.path, files, newestModified: mtime });
    }
  }
  return { folders, disks, bareFolders, deltas };
}

/** Every file is what a destroy leaves: locks, logs, ISOs, or a descriptor with no extent and no content. */
function isDestroyLeftover(files: readonly DatastoreFileRef[], byPath: ReadonlyMap<string, DatastoreFileRef>): boolean {
  return files.every((f) => {
    if (DESTROY_LEFTOVER.test(f.path)) return true;
    if (!f.path.endsWith('.vmdk') || COMPANION.test(f.path)) return false;
    const base = f.path.slice(0, -'.vmdk'.length);
    return f.sizeBytes < EMPTY_DESCRIPTOR_BYTES && COMPANION_SUFFIXES.every((x) => !byPath.has(base + x));
  });
}

/**
 * What a finding about a leftover folder says, with or without a .vmx in it: its subject, labels and bytes,
 * and the evidence's files, newest change and who removed the VM of that name.
 */
export function leftoverFolderFinding(vc: Vcenter, f: LeftoverFolder) {
  return {
    subject: formatDatastorePath(f.datastore, f.folder, true),
    labels: { vcenter: vc.vcenter, datastore: f.datastore },
    since: null,
    reclaimable: { diskBytes: f.files.reduce((n, x) => n + x.sizeBytes, 0) },
    files: f.files.map((x) => ({ path: formatDatastorePath(f.datastore, x.path), sizeBytes: x.sizeBytes })),
    newestModified: new Date(f.newestModified * 1000).toISOString(),
    removed: removalOf(vc, null, namesOfFolder(f.folder, f.vmx)),
  };
}
