// What each image's header said, remembered between collections: steady-state collections only
// stat files, and read a header again only when the file changed.
import type { ImageFile } from '../../snapshot/pools.js';

export type HeaderParts = Pick<ImageFile, 'format' | 'internalSnapshots' | 'backing' | 'error'>;

/**
 * Keyed by path and valid while device, inode, size, mtime and ctime are unchanged (rewriting a
 * header changes them).
 */
export class HeaderCache {
  private entries = new Map<string, { key: string; parts: HeaderParts }>();
  private seen = new Set<string>();

  get(p: string, key: string): HeaderParts | undefined {
    this.seen.add(p);
    const e = this.entries.get(p);
    return e && e.key === key ? e.parts : undefined;
  }

  set(p: string, key: string, parts: HeaderParts): void {
    this.seen.add(p);
    this.entries.set(p, { key, parts });
  }

  /** Forgets files not looked at since the last call, so the cache never outgrows the pools. */
  prune(): void {
    for (const p of this.entries.keys()) if (!this.seen.has(p)) this.entries.delete(p);
    this.seen = new Set();
  }
}
