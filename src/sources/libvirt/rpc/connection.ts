// One libvirt RPC connection over a unix socket: frames the byte stream, matches replies to calls by
// serial (calls may overlap), hands server-sent messages (events) to a listener, and fails every
// outstanding call with one clear error when the stream breaks, is garbage, or is destroyed.
import net from 'node:net';
import {
  decodeHeader,
  encodeCall,
  HEADER_BYTES,
  KEEPALIVE_PROGRAM,
  MESSAGE_MAX,
  MessageStatus,
  MessageType,
  readRemoteError,
  REMOTE_PROGRAM,
} from './protocol.js';
import { XdrReader } from './xdr.js';
import { LibvirtRemoteError, RpcConnectionError } from './rpc-error.js';

interface Pending {
  procName: string;
  resolve: (payload: Buffer) => void;
  reject: (e: Error) => void;
}

export interface ConnectionOptions {
  /** Largest frame accepted from the server; libvirt's own limit by default. */
  maxFrameBytes?: number;
}

export class RpcConnection {
  private readonly socket: net.Socket;
  private readonly pending = new Map<number, Pending>();
  private readonly ready: Promise<void>;
  private readonly maxFrame: number;
  private chunks: Buffer[] = [];
  private outgoing: Buffer[] = [];
  private buffered = 0;
  private nextSerial = 1;
  private failure: Error | null = null;
  private messageListener: ((proc: number, body: Buffer) => void) | null = null;
  /** Replies whose serial matched no call (late answers to calls given up on): dropped, counted. */
  unmatchedReplies = 0;

  constructor(socketPath: string, options: ConnectionOptions = {}) {
    this.maxFrame = options.maxFrameBytes ?? MESSAGE_MAX;
    this.socket = net.createConnection({ path: socketPath });
    this.ready = new Promise<void>((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('close', () => reject(this.failure ?? new RpcConnectionError('connection closed')));
    });
    // Connection failures are reported through `ready` and the pending calls, never thrown.
    this.ready.catch(() => {});
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (e: Error) => this.fail(connectError(socketPath, e)));
    this.socket.on('close', () =>
      this.fail(
        new RpcConnectionError(
          this.buffered > 0
            ? `libvirtd closed the connection in the middle of a message (${this.buffered} bytes of it received)`
            : 'libvirtd closed the connection',
        ),
      ),
    );
  }

  /** Resolves once the socket is connected; rejects with the reason it could not be. */
  connected(): Promise<void> {
    return this.ready;
  }

  get broken(): Error | null {
    return this.failure;
  }

  get outstanding(): number {
    return this.pending.size;
  }

  onMessage(listener: (proc: number, body: Buffer) => void): void {
    this.messageListener = listener;
  }

  /** Sends one call and resolves with the reply's payload; many calls may be in flight at once. */
  call(proc: number, procName: string, payload: Buffer | null): Promise<Buffer> {
    if (this.failure) return Promise.reject(this.failure);
    const serial = this.nextSerial;
    this.nextSerial = (this.nextSerial + 1) >>> 0 || 1;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(serial, { procName, resolve, reject });
      this.queueWrite(encodeCall(proc, serial, payload));
    });
  }

  /** Calls issued in one tick leave in one write (one syscall for 50 pipelined calls, not 50). */
  private queueWrite(frame: Buffer): void {
    this.outgoing.push(frame);
    if (this.outgoing.length > 1) return;
    process.nextTick(() => {
      const frames = this.outgoing;
      this.outgoing = [];
      if (!this.failure) this.socket.write(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames));
    });
  }

  /** Closes the socket now and fails every outstanding call with `reason`. */
  destroy(reason: Error = new RpcConnectionError('connection closed by the client')): void {
    this.fail(reason);
  }

  private fail(e: Error): void {
    if (!this.failure) this.failure = e;
    this.socket.destroy();
    const calls = [...this.pending.values()];
    this.pending.clear();
    for (const p of calls) p.reject(this.failure);
    this.chunks = [];
  }

  private onData(chunk: Buffer): void {
    if (this.failure) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const head = this.chunks[0] as Buffer;
      const length = head.length >= 4 ? head.readUInt32BE(0) : Buffer.concat(this.chunks).readUInt32BE(0);
      if (length < HEADER_BYTES || length > this.maxFrame) {
        this.fail(
          new RpcConnectionError(
            length > this.maxFrame
              ? `libvirtd sent a ${length}-byte message, more than the ${this.maxFrame}-byte limit`
              : `garbage from libvirtd: message length ${length} is shorter than a header`,
          ),
        );
        return;
      }
      if (this.buffered < length) return;
      const all = this.chunks.length === 1 ? head : Buffer.concat(this.chunks, this.buffered);
      const frame = all.subarray(0, length);
      const rest = all.subarray(length);
      this.chunks = rest.length ? [rest] : [];
      this.buffered = rest.length;
      this.onFrame(frame);
      if (this.failure) return;
    }
  }

  private onFrame(frame: Buffer): void {
    const h = decodeHeader(frame);
    if (h.prog === KEEPALIVE_PROGRAM) return; // never asked for; harmless
    if (h.prog !== REMOTE_PROGRAM || h.vers !== 1) {
      this.fail(new RpcConnectionError(`garbage from libvirtd: program 0x${h.prog.toString(16)} version ${h.vers}`));
      return;
    }
    const body = frame.subarray(HEADER_BYTES);
    if (h.type === MessageType.MESSAGE) {
      this.messageListener?.(h.proc, body);
      return;
    }
    if (h.type !== MessageType.REPLY) {
      this.fail(new RpcConnectionError(`garbage from libvirtd: message type ${h.type}`));
      return;
    }
    const call = this.pending.get(h.serial);
    if (!call) {
      this.unmatchedReplies++;
      return;
    }
    this.pending.delete(h.serial);
    if (h.status === MessageStatus.OK) {
      call.resolve(body);
      return;
    }
    try {
      call.reject(new LibvirtRemoteError(call.procName, readRemoteError(new XdrReader(body))));
    } catch (e: unknown) {
      call.reject(new RpcConnectionError(`${call.procName}: unreadable error reply (${(e as Error).message})`));
    }
  }
}

function connectError(socketPath: string, e: Error): Error {
  const code = (e as NodeJS.ErrnoException).code;
  return new RpcConnectionError(`${socketPath}: ${code ?? e.message}`, { cause: e });
}
