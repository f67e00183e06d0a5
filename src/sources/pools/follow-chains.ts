// Follows backing chains out of the pools, and the chains of persistent domains' disks kept
// elsewhere, breadth first, each file read once, up to a bound against pathological or looping chains.
import type { ImageFile } from '../../snapshot/pools.js';
import { mapLimit } from '../../util/map-limit.js';

/** Files outside the pools followed per collection. */
const MAX_EXTERNAL = 10_000;

/**
 * Reads every file reached from `start` (and from the backing files it names) that is not in
 * `known`; `known` gains each path read.
 */
export async function followChains(
  start: readonly string[],
  known: Set<string>,
  read: (p: string) => Promise<ImageFile | null>,
  concurrency: number,
  problems: string[],
  signal?: AbortSignal,
): Promise<ImageFile[]> {
  const external: ImageFile[] = [];
  let queue = [...start];
  while (queue.length > 0) {
    const next = [...new Set(queue)].filter((p) => !known.has(p));
    if (next.length === 0) break;
    if (external.length + next.length > MAX_EXTERNAL) {
      problems.push(
        `more than ${MAX_EXTERNAL} files outside the pools reached by backing chains; the rest were not read`,
      );
      break;
    }
    for (const p of next) known.add(p);
    const found = (await mapLimit(next, concurrency, read, signal)).filter((f): f is ImageFile => f !== null);
    external.push(...found);
    queue = backingPaths(found);
  }
  return external;
}

/** The host paths the files' headers name as their backing files. */
export function backingPaths(files: readonly ImageFile[]): string[] {
  return files.flatMap((f) => (f.backing?.path ? [f.backing.path] : []));
}
