// The storage API through the libvirt source's kept `virsh -r` shell, for URIs the RPC socket cannot
// reach: `pool-list --all --uuid`, `pool-dumpxml`, `vol-list` and `vol-dumpxml` by key.
import { noteStderr, type VirshShell } from '../virsh-shell.js';
import type { WirePool, WireVolume } from '../rpc/storage-calls.js';
import { parseUuidList } from '../parse-virsh.js';
import { parseStoragePoolXml } from './parse-storage-xml.js';
import { volumeId, type StorageBackend } from './storage-reader.js';

/** virsh's words for a pool or volume that went away between two commands. */
const GONE = /Storage pool not found|Storage volume not found|failed to get (pool|vol)/i;

const NO_DRIVER = /not supported by the connection driver/;

/** No storage driver behind this connection: the storage kinds cannot judge, nothing is broken. */
export class StorageUnsupportedError extends Error {
  override readonly name = 'StorageUnsupportedError';
}

/** virsh's own quoting: single quotes, no escapes inside; a name holding one cannot be passed. */
function quote(s: string): string | null {
  return /['\n\r]/.test(s) ? null : `'${s}'`;
}

/** Pure: `vol-list` rows are `name  path`, columns padded with at least two spaces; the header only without -q. */
export function parseVolList(text: string): Array<{ name: string; path: string }> {
  const rows: Array<{ name: string; path: string }> = [];
  const lines = text.split('\n');
  const headed = /^\s*Name\s+Path\s*$/.test(lines[0] ?? '') && /^-+$/.test((lines[1] ?? '').trim());
  for (const line of headed ? lines.slice(2) : lines) {
    const m = /^\s*(.+?)\s{2,}(\S.*?)\s*$/.exec(line);
    if (m) rows.push({ name: m[1] as string, path: m[2] as string });
  }
  return rows;
}

export class VirshStorage implements StorageBackend {
  constructor(private readonly shell: VirshShell) {}

  async pools(signal: AbortSignal, problems: string[]): Promise<WirePool[]> {
    const run = await this.shell.run(['pool-list --all --uuid'], signal);
    // The same refusal the RPC path gets from a daemon without a storage driver.
    if (NO_DRIVER.test(run.stderr)) throw new StorageUnsupportedError(run.stderr.trim());
    noteStderr(run.stderr, problems);
    const [list] = run.outputs;
    const uuids = parseUuidList(list ?? '').uuids;
    // Names come with the XML; the uuid identifies the pool meanwhile.
    return uuids.map((uuid) => ({ name: uuid, uuid }));
  }

  async poolXml(pools: readonly WirePool[], signal: AbortSignal, problems: string[]): Promise<Map<string, string>> {
    const out = await this.shell.outputs(
      pools.map((p) => `pool-dumpxml ${p.uuid}`),
      signal,
      problems,
      GONE,
    );
    return new Map(pools.flatMap((p, i) => (out[i]?.trim() ? [[p.uuid, out[i] as string]] : [])));
  }

  async volumes(
    pools: readonly WirePool[],
    signal: AbortSignal,
    problems: string[],
  ): Promise<Map<string, WireVolume[]>> {
    // vol-list needs the pool's name for the volume's identity: read each pool's XML name once here.
    const xml = await this.poolXml(pools, signal, problems);
    const named = pools.flatMap((p) => {
      const text = xml.get(p.uuid);
      if (!text) return [];
      try {
        return [{ uuid: p.uuid, name: parseStoragePoolXml(text, p.uuid).name }];
      } catch {
        return [];
      }
    });
    const out = await this.shell.outputs(
      named.map((p) => `vol-list ${p.uuid}`),
      signal,
      problems,
      GONE,
    );
    return new Map(
      named.map((p, i) => [
        p.name,
        parseVolList(out[i] ?? '').map((v) => ({ pool: p.name, name: v.name, key: v.path })),
      ]),
    );
  }

  async volumeXml(vols: readonly WireVolume[], signal: AbortSignal, problems: string[]): Promise<Map<string, string>> {
    const asked = vols.flatMap((v) => {
      const pool = quote(v.pool);
      const name = quote(v.name);
      if (pool === null || name === null) {
        problems.push(`storage volume ${v.pool}/${v.name}: a quote in its name, not passed to virsh`);
        return [];
      }
      return [{ v, cmd: `vol-dumpxml --pool ${pool} ${name}` }];
    });
    const out = await this.shell.outputs(
      asked.map((a) => a.cmd),
      signal,
      problems,
      GONE,
    );
    return new Map(asked.flatMap((a, i) => (out[i]?.trim() ? [[volumeId(a.v), out[i] as string]] : [])));
  }
}
