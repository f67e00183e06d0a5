// XDR (RFC 4506) encoding and decoding for the subset libvirt's RPC protocol uses: big-endian 32-bit
// ints, 64-bit hypers, length-prefixed strings and arrays padded to 4 bytes, fixed opaques, optionals.
// Every read is bounds-checked: a short or lying payload throws XdrError, never reads past the end.

export class XdrError extends Error {
  override readonly name = 'XdrError';
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

export class XdrWriter {
  private buf = Buffer.alloc(256);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int(v: number): this {
    this.room(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint(v: number): this {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    this.uint(bytes.length);
    return this.fixedOpaque(bytes);
  }

  /** Bytes with no length prefix (e.g. a 16-byte uuid), padded to 4. */
  fixedOpaque(bytes: Uint8Array): this {
    const n = bytes.length + pad4(bytes.length);
    this.room(n);
    this.buf.set(bytes, this.pos);
    this.buf.fill(0, this.pos + bytes.length, this.pos + n);
    this.pos += n;
    return this;
  }

  optionalString(s: string | null): this {
    if (s === null) return this.uint(0);
    return this.uint(1).string(s);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class XdrReader {
  private pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly maxString = 4 * 1024 * 1024,
  ) {}

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) {
      throw new XdrError(
        `truncated XDR: ${what} needs ${n} bytes at offset ${this.pos}, ${this.buf.length - this.pos} left`,
      );
    }
  }

  int(): number {
    this.need(4, 'int');
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  uint(): number {
    this.need(4, 'unsigned int');
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** Unsigned 64-bit; exact up to 2^53, which covers versions, counts and byte sizes. */
  uhyper(): number {
    this.need(8, 'unsigned hyper');
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  hyper(): number {
    this.need(8, 'hyper');
    const v = this.buf.readBigInt64BE(this.pos);
    this.pos += 8;
    return Number(v);
  }

  double(): number {
    this.need(8, 'double');
    const v = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  fixedOpaque(n: number): Buffer {
    this.need(n + pad4(n), `opaque[${n}]`);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n + pad4(n);
    return v;
  }

  string(): string {
    const n = this.uint();
    if (n > this.maxString) throw new XdrError(`XDR string of ${n} bytes exceeds the ${this.maxString}-byte limit`);
    return this.fixedOpaque(n).toString('utf8');
  }

  bool(): boolean {
    return this.int() !== 0;
  }

  optional<T>(read: () => T): T | null {
    const present = this.uint();
    if (present > 1) throw new XdrError(`bad optional discriminant ${present}`);
    return present ? read() : null;
  }

  /** A variable-length array; `max` guards against a length that could not fit in the buffer anyway. */
  array<T>(read: () => T, max = 1 << 20): T[] {
    const n = this.uint();
    if (n > max) throw new XdrError(`XDR array of ${n} elements exceeds the limit of ${max}`);
    // Each element takes at least 4 bytes: a larger count is a lie, refuse before allocating.
    if (n * 4 > this.remaining())
      throw new XdrError(`XDR array of ${n} elements cannot fit in ${this.remaining()} bytes`);
    const out: T[] = new Array<T>(n);
    for (let i = 0; i < n; i++) out[i] = read();
    return out;
  }

  remaining(): number {
    return this.buf.length - this.pos;
  }
}
