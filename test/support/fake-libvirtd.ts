// A fake libvirtd speaking the RPC wire protocol on a unix socket, for tests without root: each
// call is handed to a script that may answer, answer with an error, stay silent or misbehave.
import net from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  decodeHeader,
  HEADER_BYTES,
  MessageType,
  REMOTE_PROGRAM,
  writeDomain,
  type WireDomain,
} from '../../src/sources/libvirt/rpc/protocol.js';
import { XdrWriter } from '../../src/sources/libvirt/rpc/xdr.js';

export interface FakeCall {
  proc: number;
  serial: number;
  body: Buffer;
  socket: net.Socket;
}
export type Script = (call: FakeCall, server: FakeLibvirtd) => void;

export function frame(
  proc: number,
  type: number,
  serial: number,
  status: number,
  payload: Buffer = Buffer.alloc(0),
): Buffer {
  const f = Buffer.alloc(HEADER_BYTES + payload.length);
  f.writeUInt32BE(f.length, 0);
  f.writeUInt32BE(REMOTE_PROGRAM, 4);
  f.writeUInt32BE(1, 8);
  f.writeInt32BE(proc, 12);
  f.writeInt32BE(type, 16);
  f.writeUInt32BE(serial, 20);
  f.writeInt32BE(status, 24);
  payload.copy(f, HEADER_BYTES);
  return f;
}

export function errorPayload(code: number, domain: number, message: string): Buffer {
  return new XdrWriter()
    .int(code)
    .int(domain)
    .optionalString(message)
    .int(2)
    .uint(0)
    .uint(0)
    .uint(0)
    .uint(0)
    .int(0)
    .int(0)
    .uint(0)
    .bytes();
}

export function eventPayload(callbackId: number, d: WireDomain, event = 0, detail = 0): Buffer {
  return writeDomain(new XdrWriter().int(callbackId), d).int(event).int(detail).bytes();
}

/** Answers the handshake the way a root client gets it: no auth, open ok, libvirt 9.0.0. */
export function handshake(call: FakeCall, server: FakeLibvirtd): boolean {
  const w = new XdrWriter();
  if (call.proc === 66) server.reply(call, w.uint(1).int(0).bytes());
  else if (call.proc === 1) server.reply(call);
  else if (call.proc === 157)
    server.reply(call, Buffer.from([0, 0, 0, 0, 0, 0x89, 0x54, 0x40])); // 9000000
  else if (call.proc === 316) server.reply(call, w.int(1).bytes());
  else return false;
  return true;
}

export class FakeLibvirtd {
  readonly calls: FakeCall[] = [];
  readonly sockets = new Set<net.Socket>();
  connections = 0;
  private constructor(
    private readonly server: net.Server,
    readonly dir: string,
    readonly socketPath: string,
    public script: Script,
  ) {}

  static async start(script: Script): Promise<FakeLibvirtd> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmz-fake-libvirtd-'));
    const socketPath = path.join(dir, 'libvirt-sock-ro');
    let fake: FakeLibvirtd | null = null;
    const server = net.createServer((socket) => fake?.accept(socket));
    fake = new FakeLibvirtd(server, dir, socketPath, script);
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return fake;
  }

  private accept(socket: net.Socket): void {
    this.connections++;
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 4 && buf.length >= buf.readUInt32BE(0)) {
        const len = buf.readUInt32BE(0);
        const f = buf.subarray(0, len);
        buf = buf.subarray(len);
        const h = decodeHeader(f);
        const call = { proc: h.proc, serial: h.serial, body: f.subarray(HEADER_BYTES), socket };
        this.calls.push(call);
        this.script(call, this);
      }
    });
  }

  reply(call: FakeCall, payload: Buffer = Buffer.alloc(0)): void {
    call.socket.write(frame(call.proc, MessageType.REPLY, call.serial, 0, payload));
  }

  replyError(call: FakeCall, code: number, domain: number, message: string): void {
    call.socket.write(frame(call.proc, MessageType.REPLY, call.serial, 1, errorPayload(code, domain, message)));
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.dir, { recursive: true, force: true });
  }
}
