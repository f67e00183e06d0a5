// The libvirt RPC client against a fake server speaking the protocol: handshake variants, pipelined
// calls, partial frames, oversized frames, garbage, error replies, unknown serials, a server that
// closes mid-frame or never answers. Each ends in a value or a clear error, never a hang.
import { afterEach, test } from 'vitest';
import assert from 'node:assert/strict';
import path from 'node:path';
import { getEventListeners } from 'node:events';
import { LibvirtRpcClient, isRpcHandshakeError } from '../../../../src/sources/libvirt/rpc/client.js';
import {
  isLibvirtRemoteError,
  isNoDomain,
  isRpcConnectionError,
} from '../../../../src/sources/libvirt/rpc/rpc-error.js';
import { abortOnSignal } from '../../../../src/sources/libvirt/rpc/abort.js';
import { writeDomain } from '../../../../src/sources/libvirt/rpc/protocol.js';
import { XdrWriter } from '../../../../src/sources/libvirt/rpc/xdr.js';
import { eventPayload, FakeLibvirtd, frame, handshake, type FakeCall } from '../../../support/fake-libvirtd.js';

const A = { name: 'a "q" $x ü', uuid: '00000000-0000-4000-8000-00000000000a', id: 3 };
const B = { name: 'b', uuid: '00000000-0000-4000-8000-00000000000b', id: -1 };

function listReply(domains: (typeof A)[]): Buffer {
  const w = new XdrWriter().uint(domains.length);
  for (const d of domains) writeDomain(w, d);
  return w.uint(domains.length).bytes();
}

let fake: FakeLibvirtd | null = null;
afterEach(async () => {
  await fake?.stop();
  fake = null;
});

async function openClient(script: (c: FakeCall, s: FakeLibvirtd) => void): Promise<LibvirtRpcClient> {
  fake = await FakeLibvirtd.start(script);
  return LibvirtRpcClient.open(fake.socketPath, 'qemu:///system');
}

test('handshake without auth, CONNECT_OPEN read-only with the URI, then the library version', async () => {
  const client = await openClient((c, s) => {
    handshake(c, s);
  });
  assert.equal(client.libraryVersion, 9_000_000);
  const open = fake?.calls.find((c) => c.proc === 1);
  assert.ok(open);
  // optional string present, "qemu:///system", padded, then flags = 1 (read-only)
  assert.equal(open.body.readUInt32BE(0), 1);
  assert.equal(open.body.subarray(8, 8 + 14).toString(), 'qemu:///system');
  assert.equal(open.body.readUInt32BE(open.body.length - 4), 1);
  assert.deepEqual(
    fake?.calls.map((c) => c.proc),
    [66, 1, 157],
  );
  client.close();
});

test('polkit is used when it is the only auth offered; sasl alone is a handshake error', async () => {
  const client = await openClient((c, s) => {
    if (c.proc === 66) s.reply(c, new XdrWriter().uint(1).int(2).bytes());
    else if (c.proc === 70) s.reply(c, new XdrWriter().int(1).bytes());
    else handshake(c, s);
  });
  assert.deepEqual(
    fake?.calls.map((c) => c.proc),
    [66, 70, 1, 157],
  );
  client.close();
  await fake?.stop();
  fake = await FakeLibvirtd.start((c, s) => {
    if (c.proc === 66) s.reply(c, new XdrWriter().uint(1).int(1).bytes());
    else handshake(c, s);
  });
  await assert.rejects(
    LibvirtRpcClient.open(fake.socketPath, 'qemu:///system'),
    (e) => isRpcHandshakeError(e) && /authentication/.test(e.message),
  );
});

test("a denied open and a too old libvirt are handshake errors with libvirt's words", async () => {
  fake = await FakeLibvirtd.start((c, s) => {
    if (c.proc === 1) s.replyError(c, 38, 7, 'authentication failed: polkit: no agent');
    else handshake(c, s);
  });
  await assert.rejects(
    LibvirtRpcClient.open(fake.socketPath, 'qemu:///system'),
    (e) => isRpcHandshakeError(e) && /polkit: no agent/.test(e.message),
  );
  fake.script = (c, s) => {
    if (c.proc === 157)
      s.reply(c, Buffer.from([0, 0, 0, 0, 0, 0x0f, 0x42, 0x40])); // 1.0.0
    else handshake(c, s);
  };
  await assert.rejects(
    LibvirtRpcClient.open(fake.socketPath, 'qemu:///system'),
    (e) => isRpcHandshakeError(e) && /1\.0\.0 is older than 4\.5\.0/.test(e.message),
  );
});

test('pipelined calls answered out of order, one byte at a time, each get their own reply', async () => {
  const held: FakeCall[] = [];
  const client = await openClient((c, s) => {
    if (handshake(c, s)) return;
    held.push(c);
    if (held.length < 2) return;
    // Second call answered first, and the bytes of both replies trickle in singly.
    const bytes = Buffer.concat(
      held.reverse().map((h) => frame(h.proc, 1, h.serial, 0, listReply(h === held[0] ? [B] : [A, B]))),
    );
    let i = 0;
    const drip = () => {
      if (i < bytes.length) {
        c.socket.write(bytes.subarray(i, i + 1));
        i++;
        setImmediate(drip);
      }
    };
    drip();
  });
  const [first, second] = await Promise.all([client.listAllDomains(0), client.listAllDomains(1024)]);
  assert.deepEqual(first, [A, B]);
  assert.deepEqual(second, [B]);
  client.close();
});

test('an error reply rejects that call only, decoded; "domain not found" is recognised', async () => {
  const client = await openClient((c, s) => {
    if (handshake(c, s)) return;
    if (c.proc === 14) s.replyError(c, 42, 10, "Domain not found: no domain with matching uuid 'x'");
    else s.reply(c, listReply([A]));
  });
  await assert.rejects(
    client.xmlDesc(A),
    (e) => isLibvirtRemoteError(e) && isNoDomain(e) && /Domain not found/.test(e.message),
  );
  assert.deepEqual(await client.listAllDomains(0), [A]);
  client.close();
});

test('a reply with an unknown serial is dropped and counted; the real reply still arrives', async () => {
  const client = await openClient((c, s) => {
    if (handshake(c, s)) return;
    c.socket.write(frame(c.proc, 1, c.serial + 1000, 0, listReply([B])));
    s.reply(c, listReply([A]));
  });
  assert.deepEqual(await client.listAllDomains(0), [A]);
  assert.equal(client.conn.unmatchedReplies, 1);
  client.close();
});

test('a frame longer than the limit fails every outstanding call and closes the connection', async () => {
  fake = await FakeLibvirtd.start((c, s) => {
    if (handshake(c, s)) return;
    const huge = Buffer.alloc(8);
    huge.writeUInt32BE(64 * 1024 * 1024, 0);
    c.socket.write(huge);
  });
  const client = await LibvirtRpcClient.open(fake.socketPath, 'qemu:///system');
  const calls = [client.listAllDomains(0), client.snapshotNum(A)];
  for (const p of calls)
    await assert.rejects(
      p,
      (e) => isRpcConnectionError(e) && /67108864-byte message, more than the 33554432-byte limit/.test(e.message),
    );
  await assert.rejects(client.listAllDomains(0), isRpcConnectionError);
  assert.equal(client.conn.outstanding, 0);
});

test('a smaller frame limit is honoured (a reply just over it is refused)', async () => {
  fake = await FakeLibvirtd.start((c, s) => {
    if (!handshake(c, s)) s.reply(c, new XdrWriter().string('x'.repeat(2000)).bytes());
  });
  const client = await LibvirtRpcClient.open(fake.socketPath, 'qemu:///system', { maxFrameBytes: 1024 });
  await assert.rejects(client.xmlDesc(A), /more than the 1024-byte limit/);
});

test('garbage on the wire: a short length, a foreign program, a truncated payload', async () => {
  const cases: Array<[string, (c: FakeCall) => void, RegExp]> = [
    ['short length', (c) => c.socket.write(Buffer.from([0, 0, 0, 5, 1, 2, 3, 4, 5])), /shorter than a header/],
    [
      'foreign program',
      (c) => {
        const f = frame(c.proc, 1, c.serial, 0);
        f.writeUInt32BE(0x12345678, 4);
        c.socket.write(f);
      },
      /program 0x12345678/,
    ],
    [
      'truncated payload',
      (c) => c.socket.write(frame(c.proc, 1, c.serial, 0, new XdrWriter().uint(5).bytes())),
      /unreadable reply \(XDR array of 5 elements cannot fit/,
    ],
    [
      'lying string length',
      (c) => c.socket.write(frame(c.proc, 1, c.serial, 0, new XdrWriter().uint(1).uint(0xffffff00).bytes())),
      /exceeds the 4194304-byte limit/,
    ],
    [
      'unreadable error',
      (c) => c.socket.write(frame(c.proc, 1, c.serial, 1, Buffer.from([0, 0]))),
      /unreadable error reply/,
    ],
  ];
  for (const [what, misbehave, expected] of cases) {
    await fake?.stop();
    fake = await FakeLibvirtd.start((c, s) => {
      if (!handshake(c, s)) misbehave(c);
    });
    const client = await LibvirtRpcClient.open(fake.socketPath, 'qemu:///system');
    await assert.rejects(client.listAllDomains(0), (e: Error) => expected.test(e.message), what);
    client.close();
  }
});

test('the server closing in the middle of a reply fails the call with that reason', async () => {
  const client = await openClient((c, s) => {
    if (handshake(c, s)) return;
    c.socket.end(frame(c.proc, 1, c.serial, 0, listReply([A])).subarray(0, 40));
  });
  await assert.rejects(client.listAllDomains(0), /closed the connection in the middle of a message \(40 bytes/);
});

test('a server that never answers: the signal destroys the connection; one listener, removed after', async () => {
  const client = await openClient((c, s) => {
    handshake(c, s);
  });
  const controller = new AbortController();
  const release = abortOnSignal(controller.signal, (reason) => client.conn.destroy(reason));
  const calls = Array.from({ length: 50 }, () => client.snapshotNum(A));
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  setTimeout(() => controller.abort(new Error('timed out after 0.05s')), 50);
  for (const p of calls) await assert.rejects(p, /timed out after 0\.05s/);
  release();
  assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  assert.equal(client.conn.outstanding, 0);
  assert.ok(client.conn.broken);
});

test('a handshake that never completes is cancelled the same way', async () => {
  fake = await FakeLibvirtd.start(() => {
    /* silent */
  });
  const controller = new AbortController();
  let conn: { destroy(e: Error): void } | null = null;
  const release = abortOnSignal(controller.signal, (reason) => conn?.destroy(reason));
  setTimeout(() => controller.abort(new Error('deadline')), 30);
  await assert.rejects(
    LibvirtRpcClient.open(fake.socketPath, 'qemu:///system', {
      onConnection: (c) => {
        conn = c;
      },
    }),
    /deadline/,
  );
  release();
});

test('no socket: a connection error naming ENOENT', async () => {
  await assert.rejects(
    LibvirtRpcClient.open(path.join('/nonexistent', 'libvirt-sock-ro'), 'qemu:///system'),
    (e) => isRpcConnectionError(e) && /ENOENT/.test(e.message),
  );
});

test('domain events arrive as uuids, lifecycle ones told apart; every XML-changing event is registered', async () => {
  const client = await openClient((c, s) => {
    handshake(c, s);
  });
  const seen: string[] = [];
  const lifecycle: boolean[] = [];
  const names = await client.watchDomainEvents((uuid, isLifecycle) => {
    seen.push(uuid);
    lifecycle.push(isLifecycle);
  });
  assert.ok(names.includes('lifecycle') && names.includes('metadata-change'));
  const registers = fake?.calls.filter((c) => c.proc === 316) ?? [];
  assert.equal(registers.length, names.length);
  // eventID, then an absent optional domain (all domains)
  assert.deepEqual(
    registers.map((c) => c.body.readUInt32BE(4)),
    registers.map(() => 0),
  );
  const socket = [...(fake?.sockets ?? [])][0];
  socket?.write(frame(318, 2, 0, 0, eventPayload(1, A, 5, 1)));
  socket?.write(frame(379, 2, 0, 0, Buffer.from([0, 0, 0, 1]))); // unreadable: ignored
  socket?.write(frame(327, 2, 0, 0, eventPayload(1, B)));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(seen, [A.uuid, B.uuid]);
  assert.deepEqual(lifecycle, [true, false], 'a lifecycle event (318) ends a CPU budget hold; a disk change (327) not');
  client.close();
});

test('all-domain stats decode every typed parameter kind', async () => {
  const client = await openClient((c, s) => {
    if (handshake(c, s)) return;
    const w = new XdrWriter().uint(1);
    writeDomain(w, A).uint(4);
    w.string('state.state').int(1).int(1);
    w.string('state.reason').int(2).uint(5);
    w.string('x.s').int(7).string('text');
    w.string('x.b').int(6).int(1);
    s.reply(c, w.bytes());
  });
  const stats = await client.allDomainStats(1, 1 << 29);
  assert.equal(stats.length, 1);
  assert.deepEqual(stats[0]?.domain, A);
  assert.deepEqual(
    [...(stats[0]?.params ?? [])],
    [
      ['state.state', 1],
      ['state.reason', 5],
      ['x.s', 'text'],
      ['x.b', true],
    ],
  );
  const call = fake?.calls.find((c) => c.proc === 344);
  assert.deepEqual(
    [call?.body.readUInt32BE(0), call?.body.readUInt32BE(4), call?.body.readUInt32BE(8)],
    [0, 1, 1 << 29],
  );
  client.close();
});
