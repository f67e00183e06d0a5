// Reads libvirt's own configuration files (read-only): the target directories of its defined
// file-backed storage pools (storage/*.xml) and the disks of its persistent domains (qemu/*.xml).
// Read from disk rather than through virsh because sources run in parallel: the pools source must
// know its directories before the libvirt source has answered. Shared: the pools source reads it
// whole, the procfs source only the pool directories (to keep fds on files in them).
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { libvirtXmlParser } from '../../util/xml-parser.js';
import { parseDomainXml } from './parse-domain-xml.js';
import { describeError, errorCode } from '../../util/fs-errors.js';
import { mapLimit } from '../../util/map-limit.js';

/** Pool types whose volumes are files in a directory (target/path). */
const FILE_POOL_TYPES = new Set(['dir', 'fs', 'netfs']);

const parser = libvirtXmlParser();

export interface LibvirtPoolDef {
  name: string;
  type: string;
  path: string;
}

/** Pure: one storage pool definition; null when it is not a file-backed pool. */
export function parsePoolXml(xml: string): LibvirtPoolDef | null {
  const doc = parser.parse(xml) as { pool?: Record<string, unknown> };
  const pool = doc.pool;
  if (!pool || typeof pool !== 'object') throw new Error('no <pool> element');
  const type = String(pool['@type'] ?? '');
  const name = typeof pool.name === 'string' ? pool.name : null;
  const target = pool.target as Record<string, unknown> | undefined;
  const dir = target && typeof target.path === 'string' ? target.path : null;
  if (!name) throw new Error('pool without <name>');
  if (!FILE_POOL_TYPES.has(type) || !dir) return null;
  return { name, type, path: dir };
}

async function xmlFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir))
      .filter((n) => n.endsWith('.xml'))
      .sort()
      .map((n) => path.join(dir, n));
  } catch (e: unknown) {
    if (errorCode(e) === 'ENOENT') return [];
    throw e;
  }
}

/** The directories of libvirt's file-backed pools; [] when none can be read (the pools source reports why). */
export async function libvirtPoolDirs(configDir: string): Promise<string[]> {
  if (configDir === '') return [];
  const files = await xmlFiles(path.join(configDir, 'storage')).catch(() => []);
  const dirs: string[] = [];
  for (const file of files) {
    try {
      const def = parsePoolXml(await readFile(file, 'utf8'));
      if (def) dirs.push(def.path);
    } catch {
      // Unreadable or malformed: the pools source lists it among its problems.
    }
  }
  return dirs;
}

/** Pure: every host file a snapshot's metadata names (its own disks and the saved domain's). */
export function parseSnapshotXml(xml: string): string[] {
  const doc = parser.parse(xml) as Record<string, unknown>;
  if (!doc.domainsnapshot || typeof doc.domainsnapshot !== 'object') throw new Error('no <domainsnapshot> element');
  const files = new Set<string>();
  const walk = (node: unknown, depth: number): void => {
    // Metadata nests a few levels (snapshot → domain → devices → disk → source); a deeper tree is not libvirt's.
    if (depth > 32 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const n of node) walk(n, depth + 1);
      return;
    }
    for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
      if (key === 'source') {
        for (const src of Array.isArray(value) ? value : [value]) {
          const file = src && typeof src === 'object' ? (src as Record<string, unknown>)['@file'] : undefined;
          if (typeof file === 'string' && file.startsWith('/')) files.add(file);
        }
      }
      walk(value, depth + 1);
    }
  };
  walk(doc.domainsnapshot, 0);
  return [...files];
}

export interface LibvirtConfig {
  pools: LibvirtPoolDef[];
  diskPaths: string[];
  /** Files named by snapshot metadata: reverting to a snapshot needs them even when no domain names them now. */
  snapshotPaths: string[];
  snapshotFiles: number;
}

const CONCURRENCY = 16;

/** Disk paths per domain definition file, valid while its size and mtime are unchanged. */
export type DefinitionCache = Map<string, { key: string; disks: string[] }>;

export async function readLibvirtConfig(
  configDir: string,
  problems: string[],
  signal?: AbortSignal,
  cache: DefinitionCache = new Map(),
  snapshotDir = '',
): Promise<LibvirtConfig> {
  const config: LibvirtConfig = { pools: [], diskPaths: [], snapshotPaths: [], snapshotFiles: 0 };
  ({ paths: config.snapshotPaths, files: config.snapshotFiles } = await readSnapshotMetadata(snapshotDir, problems));
  if (configDir === '') return config;
  for (const file of await listOrProblem(path.join(configDir, 'storage'), problems)) {
    try {
      const def = parsePoolXml(await readFile(file, 'utf8'));
      if (def) config.pools.push(def);
    } catch (e: unknown) {
      problems.push(`pool definition ${file}: ${describeError(e)}`);
    }
  }
  const files = await listOrProblem(path.join(configDir, 'qemu'), problems);
  const listed = new Set(files);
  for (const f of cache.keys()) if (!listed.has(f)) cache.delete(f);
  const perDomain = await mapLimit(
    files,
    CONCURRENCY,
    async (file) => {
      try {
        const st = await stat(file);
        const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
        const cached = cache.get(file);
        if (cached?.key === key) return cached.disks;
        const disks = parseDomainXml(await readFile(file, 'utf8')).disks.flatMap((d) =>
          d.type === 'file' && d.source ? [d.source] : [],
        );
        cache.set(file, { key, disks });
        return disks;
      } catch (e: unknown) {
        if (errorCode(e) === 'ENOENT') return []; // undefined between listing and reading
        problems.push(`domain definition ${file}: ${describeError(e)}`);
        return [];
      }
    },
    signal,
  );
  config.diskPaths = [...new Set(perDomain.flat())];
  return config;
}

/** `<snapshot-dir>/<domain>/<snapshot>.xml`, as libvirt's QEMU driver keeps them. */
async function readSnapshotMetadata(dir: string, problems: string[]): Promise<{ paths: string[]; files: number }> {
  if (dir === '') return { paths: [], files: 0 };
  let domains: string[];
  try {
    domains = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (e: unknown) {
    if (errorCode(e) !== 'ENOENT') problems.push(`cannot list ${dir}: ${describeError(e)}`);
    return { paths: [], files: 0 };
  }
  const paths = new Set<string>();
  let files = 0;
  for (const d of domains) {
    for (const file of await listOrProblem(path.join(dir, d), problems)) {
      try {
        for (const p of parseSnapshotXml(await readFile(file, 'utf8'))) paths.add(p);
        files++;
      } catch (e: unknown) {
        if (errorCode(e) !== 'ENOENT') problems.push(`snapshot metadata ${file}: ${describeError(e)}`);
      }
    }
  }
  return { paths: [...paths].sort(), files };
}

async function listOrProblem(dir: string, problems: string[]): Promise<string[]> {
  try {
    return await xmlFiles(dir);
  } catch (e: unknown) {
    problems.push(`cannot list ${dir}: ${describeError(e)}`);
    return [];
  }
}
