// Reads libvirt's own configuration files (read-only): the target directories of its defined
// file-backed storage pools (storage/*.xml) and the disks of its persistent domains (qemu/*.xml).
// Read from disk rather than through virsh because sources run in parallel: the pools source must
// know its directories before the libvirt source has answered.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parseDomainXml } from '../libvirt/parse-domain-xml.js';
import { describeError, errorCode } from '../../util/fs-errors.js';

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

export async function readLibvirtConfig(configDir: string, problems: string[]): Promise<LibvirtConfig> {
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
  const disks = new Set<string>();
  for (const file of await listOrProblem(path.join(configDir, 'qemu'), problems)) {
    try {
      const dom = parseDomainXml(await readFile(file, 'utf8'));
      for (const d of dom.disks) if (d.type === 'file' && d.source) disks.add(d.source);
    } catch (e: unknown) {
      problems.push(`domain definition ${file}: ${describeError(e)}`);
    }
  }
  config.diskPaths = [...disks];
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
