// A response body encoded once and sent to every client that asks for it: the UTF-8 bytes, and the gzip member
// made at most once (on zlib's thread pool, at speed level 1). A cluster agent's /metrics is megabytes of text
// that a steady scraper fetches once per result; encoding and compressing it ahead of the scrape
// (engine/prefetch.ts) leaves the scrape only the write.
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const gzip = promisify(zlib.gzip);

export class EncodedBody {
  readonly bytes: Buffer;
  private compressed: Promise<Buffer> | null = null;

  constructor(text: string) {
    // Only the bytes are kept: a text of megabytes would be held twice.
    this.bytes = Buffer.from(text, 'utf8');
  }

  get text(): string {
    return this.bytes.toString('utf8');
  }

  /** The gzip member of the bytes, compressed once. */
  gzipped(): Promise<Buffer> {
    this.compressed ??= gzip(this.bytes, { level: zlib.constants.Z_BEST_SPEED }).catch((e: unknown) => {
      // Not kept: the next client tries again.
      this.compressed = null;
      throw e;
    });
    return this.compressed;
  }
}
