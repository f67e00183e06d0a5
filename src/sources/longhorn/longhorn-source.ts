// longhorn source (node mode, with --longhorn.data-root): the disk space of each replica directory under
// `<root>/replicas/`. Replica directories are flat (volume-head-*.img, volume-snap-*.img, their .meta files,
// revision.counter, volume.meta), so one readdir and a stat per file each. Absent (quietly) without the directory.
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LonghornReplicaDir, LonghornSection } from '../../snapshot/longhorn.js';
import type { SourceDefinition } from '../source.js';
import { SourceAbsentError } from '../source-absent-error.js';
import { describeError, isVanished } from '../../util/fs-errors.js';
import { LONGHORN_FLAGS } from './flags.js';

/** `Size` of a replica's volume.meta (JSON written by longhorn-engine), null when absent or unreadable. */
export function parseVolumeMetaSize(text: string): number | null {
  try {
    const size = (JSON.parse(text) as { Size?: unknown }).Size;
    return typeof size === 'number' && Number.isFinite(size) ? size : null;
  } catch {
    return null;
  }
}

export async function readLonghorn(dataRoot: string, signal?: AbortSignal): Promise<LonghornSection> {
  const dir = path.join(dataRoot, 'replicas');
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch (e: unknown) {
    if (isVanished(e)) throw new SourceAbsentError(`no ${dir} on this host`);
    throw e;
  }
  const replicas: LonghornReplicaDir[] = [];
  const problems: string[] = [];
  for (const name of names.sort()) {
    signal?.throwIfAborted();
    const replicaDir = path.join(dir, name);
    try {
      let allocated = 0;
      for (const f of await readdir(replicaDir)) {
        try {
          allocated += (await stat(path.join(replicaDir, f))).blocks * 512;
        } catch (e: unknown) {
          if (!isVanished(e)) throw e;
        }
      }
      const meta = await readFile(path.join(replicaDir, 'volume.meta'), 'utf8').catch(() => '');
      replicas.push({ name, allocatedBytes: allocated, volumeSizeBytes: parseVolumeMetaSize(meta) });
    } catch (e: unknown) {
      if (!isVanished(e)) problems.push(`${replicaDir}: ${describeError(e)}`);
    }
  }
  return { dataRoot, replicas, problems };
}

export const longhornSource: SourceDefinition<'longhorn'> = {
  name: 'longhorn',
  description: 'the disk space of the Longhorn replica directories under --longhorn.data-root',
  flags: LONGHORN_FLAGS,
  enabledByDefault: (config) => config.mode === 'node' && config['longhorn.data-root'] !== '',
  create(config) {
    return {
      collect: ({ signal }) => readLonghorn(config['longhorn.data-root'], signal),
      close: () => Promise.resolve(),
    };
  },
};
