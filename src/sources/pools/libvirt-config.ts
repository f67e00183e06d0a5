// Reads libvirt's own configuration files (read-only): the target directories of its defined
// file-backed storage pools (storage/*.xml) and the disks of its persistent domains (qemu/*.xml).
// Read from disk rather than through virsh because sources run in parallel: the pools source must
// know its directories before the libvirt source has answered.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parseDomainXml } from '../libvirt/parse-domain-xml.js';
import { describeError, errorCode } from '../../util/fs-errors.js';
import { mapLimit } from '../../util/map-limit.js';

/** Pool types whose volumes are files in a directory (target/path). */
const FILE_POOL_TYPES = new Set(['dir', 'fs', 'netfs']);

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: true });

export interface LibvirtPoolDef { name: string; type: string; path: string }

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
    return (await readdir(dir)).filter((n) => n.endsWith('.xml')).sort().map((n) => path.join(dir, n));
  } catch (e: unknown) {
    if (errorCode(e) === 'ENOENT') return [];
    throw e;
  }
}

export interface LibvirtConfig { pools: LibvirtPoolDef[]; diskPaths: string[] }

const CONCURRENCY = 16;

/** Disk paths per domain definition file, valid while its size and mtime are unchanged. */
export type DefinitionCache = Map<string, { key: string; disks: string[] }>;

export async function readLibvirtConfig(configDir: string, problems: string[], signal?: AbortSignal, cache: DefinitionCache = new Map()): Promise<LibvirtConfig> {
  const config: LibvirtConfig = { pools: [], diskPaths: [] };
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
  const perDomain = await mapLimit(files, CONCURRENCY, async (file) => {
    try {
      const st = await stat(file);
      const key = `${st.ino}:${st.size}:${st.mtimeMs}`;
      const cached = cache.get(file);
      if (cached?.key === key) return cached.disks;
      const disks = parseDomainXml(await readFile(file, 'utf8')).disks.flatMap((d) => (d.type === 'file' && d.source ? [d.source] : []));
      cache.set(file, { key, disks });
      return disks;
    } catch (e: unknown) {
      if (errorCode(e) === 'ENOENT') return []; // undefined between listing and reading
      problems.push(`domain definition ${file}: ${describeError(e)}`);
      return [];
    }
  }, signal);
  config.diskPaths = [...new Set(perDomain.flat())];
  return config;
}

async function listOrProblem(dir: string, problems: string[]): Promise<string[]> {
  try {
    return await xmlFiles(dir);
  } catch (e: unknown) {
    problems.push(`cannot list ${dir}: ${describeError(e)}`);
    return [];
  }
}
