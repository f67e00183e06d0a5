// The libvirt source over RPC against a fake libvirtd holding a small host: what one collection
// reads, what the next one fetches again (state change, event, rolling refresh, nothing), a
// deadline with calls outstanding (new connection, events again, full refresh), and the fallbacks; whether
// lifecycle events are heard (which lets a CPU budget hold longer) and which events end a hold.
import { afterEach, beforeEach, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LibvirtReader } from '../../../src/sources/libvirt/libvirt-reader.js';
import { isSourceAbsentError } from '../../../src/sources/source-absent-error.js';
import { writeDomain, type WireDomain } from '../../../src/sources/libvirt/rpc/protocol.js';
import { XdrWriter } from '../../../src/sources/libvirt/rpc/xdr.js';
import { XdrReader } from '../../../src/sources/libvirt/rpc/xdr.js';
import { readDomain } from '../../../src/sources/libvirt/rpc/protocol.js';
import { eventPayload, FakeLibvirtd, frame, handshake, type FakeCall } from '../../support/fake-libvirtd.js';
import { killStartedFakes, makeFake } from '../../support/fake-virsh.js';
import { answerOverview } from '../../support/fake-virsh-answers.js';

interface HostDomain extends WireDomain {
  state: number;
  reason: number;
  autostart: boolean;
  transient: boolean;
  snapshots: number;
  xml: string;
}

const xmlOf = (d: { name: string; uuid: string }, memMiB = 64) =>
  `<domain type='qemu'><name>${d.name.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}</name><uuid>${d.uuid}</uuid>
  <memory unit='MiB'>${memMiB}</memory><vcpu>1</vcpu><devices/></domain>\n`;

function host(): HostDomain[] {
  const base = [
    {
      name: 'web "1" $x ü',
      uuid: '00000000-0000-4000-8000-000000000001',
      id: 1,
      state: 1,
      reason: 1,
      autostart: true,
      transient: false,
      snapshots: 2,
    },
    {
      name: 'db',
      uuid: '00000000-0000-4000-8000-000000000002',
      id: -1,
      state: 5,
      reason: 2,
      autostart: false,
      transient: false,
      snapshots: 0,
    },
    {
      name: 'tmp',
      uuid: '00000000-0000-4000-8000-000000000003',
      id: 7,
      state: 3,
      reason: 1,
      autostart: false,
      transient: true,
      snapshots: 0,
    },
  ];
  return base.map((d) => ({ ...d, xml: xmlOf(d) }));
}

/** A fake daemon answering from `domains`; `silent` procedures are never answered. */
function serve(domains: HostDomain[], silent: Set<number>) {
  return (c: FakeCall, s: FakeLibvirtd) => {
    if (silent.has(c.proc)) return;
    if (handshake(c, s)) return;
    const w = new XdrWriter();
    const find = () => {
      const d = readDomain(new XdrReader(c.body));
      return domains.find((x) => x.uuid === d.uuid);
    };
    if (c.proc === 344) {
      w.uint(domains.length);
      for (const d of domains)
        writeDomain(w, d).uint(2).string('state.state').int(1).int(d.state).string('state.reason').int(1).int(d.reason);
      s.reply(c, w.bytes());
    } else if (c.proc === 273) {
      const flags = c.body.readUInt32BE(4);
      const pick = domains.filter(
        (d) => (flags === 1024 && d.autostart) || (flags === 8 && d.transient) || (flags === 4096 && d.snapshots > 0),
      );
      w.uint(pick.length);
      for (const d of pick) writeDomain(w, d);
      s.reply(c, w.uint(pick.length).bytes());
    } else if (c.proc === 187 || c.proc === 14) {
      const d = find();
      if (!d) s.replyError(c, 42, 10, 'Domain not found: no domain with matching uuid');
      else s.reply(c, c.proc === 187 ? w.int(d.snapshots).bytes() : w.string(d.xml).bytes());
    } else {
      // What a libvirtd without that driver (here: storage) answers.
      s.replyError(c, 3, 0, 'this function is not supported by the connection driver');
    }
  };
}

let work: string;
let fake: FakeLibvirtd;
let domains: HostDomain[];
const silent = new Set<number>();
beforeEach(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'vmz-rpc-coll-'));
  domains = host();
  silent.clear();
  fake = await FakeLibvirtd.start((c, s) => serve(domains, silent)(c, s));
});
afterEach(async () => {
  await fake.stop();
  killStartedFakes();
  await rm(work, { recursive: true, force: true });
});

const reader = (extra: Partial<ConstructorParameters<typeof LibvirtReader>[0]> = {}) =>
  new LibvirtReader({
    virsh: '/nonexistent/virsh',
    uri: `qemu:///system?socket=${fake.socketPath}`,
    runDir: path.join(work, 'run'),
    xmlRefreshCollections: 20,
    ...extra,
  });
const since = (n: number, proc: number) => fake.calls.slice(n).filter((c) => c.proc === proc);
const xmlFetched = (n: number) =>
  since(n, 14)
    .map((c) => readDomain(new XdrReader(c.body)).name)
    .sort();

test('one collection: states in virsh words, autostart, persistence, snapshot counts only where present', async () => {
  const r = reader();
  try {
    const s = await r.read(AbortSignal.timeout(5000));
    assert.deepEqual(
      s.domains.map((d) => [d.name, d.id, d.state, d.reason, d.autostart, d.persistent, d.snapshots, d.memoryBytes]),
      [
        ['web "1" $x ü', 1, 'running', 'booted', true, true, 2, 64 * 2 ** 20],
        ['db', null, 'shutoff', 'destroyed', false, true, 0, 64 * 2 ** 20],
        ['tmp', 7, 'paused', 'user', false, false, 0, 64 * 2 ** 20],
      ],
    );
    assert.deepEqual(s.transport, { name: 'rpc', reason: 'local_socket', detail: fake.socketPath });
    assert.deepEqual(s.problems, []);
    assert.equal(since(0, 187).length, 1);
    assert.equal(since(0, 316).length, 9, 'every XML-changing event registered');
  } finally {
    await r.close();
  }
});

test(
  'the next collections fetch XML only for a changed state, an event, or the rolling refresh; unchanged text is ' +
    'not parsed',
  async () => {
    const r = reader({ xmlRefreshCollections: 20 });
    try {
      await r.read(AbortSignal.timeout(5000));
      let mark = fake.calls.length;
      await r.read(AbortSignal.timeout(5000));
      assert.deepEqual(xmlFetched(mark), [], 'nothing changed: no XML fetched');

      (domains[1] as HostDomain).state = 1;
      (domains[1] as HostDomain).id = 9;
      mark = fake.calls.length;
      const s = await r.read(AbortSignal.timeout(5000));
      assert.ok(xmlFetched(mark).includes('db'), 'state change: refetched');
      assert.deepEqual(s.domains.find((d) => d.name === 'db')?.state, 'running');

      // An event for "tmp" (config change of a paused domain), with a new memory size in its XML.
      (domains[2] as HostDomain).xml = xmlOf(domains[2] as HostDomain, 128);
      [...fake.sockets][0]?.write(frame(318, 2, 0, 0, eventPayload(1, domains[2] as HostDomain)));
      await new Promise((res) => setTimeout(res, 30));
      mark = fake.calls.length;
      const after = await r.read(AbortSignal.timeout(5000));
      assert.ok(xmlFetched(mark).includes('tmp'));
      assert.equal(after.domains.find((d) => d.name === 'tmp')?.memoryBytes, 128 * 2 ** 20);
      assert.equal(r.xmlCache.lastParsed >= 1, true);

      // Rolling refresh: within 20 collections every domain's XML is fetched again; same text, no parse.
      mark = fake.calls.length;
      let parsed = 0;
      for (let i = 0; i < 20; i++) {
        await r.read(AbortSignal.timeout(5000));
        parsed += r.xmlCache.lastParsed;
      }
      assert.deepEqual([...new Set(xmlFetched(mark))].sort(), ['db', 'tmp', 'web "1" $x ü']);
      assert.equal(parsed, 0);
    } finally {
      await r.close();
    }
  },
);

test('a config-only change with no event shows within the rolling-refresh bound', async () => {
  const r = reader({ xmlRefreshCollections: 4 });
  try {
    await r.read(AbortSignal.timeout(5000));
    (domains[1] as HostDomain).xml = xmlOf(domains[1] as HostDomain, 256);
    let seenAfter = 0;
    for (let i = 1; i <= 4; i++) {
      const s = await r.read(AbortSignal.timeout(5000));
      if (s.domains.find((d) => d.name === 'db')?.memoryBytes === 256 * 2 ** 20) {
        seenAfter = i;
        break;
      }
    }
    assert.ok(seenAfter >= 1 && seenAfter <= 4, `seen after ${seenAfter} collections`);
  } finally {
    await r.close();
  }
});

test('a vanished domain is left out quietly; another refusal is a problem', async () => {
  const r = reader();
  try {
    await r.read(AbortSignal.timeout(5000));
    const gone = domains[2] as HostDomain;
    domains.splice(2, 1);
    domains.push({ ...gone, uuid: '00000000-0000-4000-8000-000000000009', name: 'ghost' });
    // "ghost" is listed, but its XML call finds no such domain: it went away in between.
    const real = fake.script;
    fake.script = (c, s) => {
      if (c.proc === 14 && readDomain(new XdrReader(c.body)).name === 'ghost')
        s.replyError(c, 42, 10, 'Domain not found');
      else real(c, s);
    };
    const s = await r.read(AbortSignal.timeout(5000));
    assert.deepEqual(
      s.domains.map((d) => d.name),
      ['web "1" $x ü', 'db'],
    );
    assert.deepEqual(s.problems, []);
    (domains[1] as HostDomain).state = 1;
    fake.script = (c, srv) => {
      if (c.proc === 14 && readDomain(new XdrReader(c.body)).name === 'db')
        srv.replyError(c, 1, 10, 'internal error: busy');
      else real(c, srv);
    };
    const s2 = await r.read(AbortSignal.timeout(5000));
    assert.ok(s2.problems.some((p) => /internal error: busy/.test(p)));
  } finally {
    await r.close();
  }
});

test(
  'a deadline with calls outstanding: that collection fails, the next one reconnects, re-registers events and ' +
    'refetches every XML',
  async () => {
    const r = reader();
    try {
      await r.read(AbortSignal.timeout(5000));
      (domains[0] as HostDomain).state = 3;
      silent.add(14);
      const controller = new AbortController();
      setTimeout(() => controller.abort(new Error('timed out after 0.1s')), 100);
      await assert.rejects(r.read(controller.signal), /timed out after 0\.1s/);
      silent.clear();
      const mark = fake.calls.length;
      const s = await r.read(AbortSignal.timeout(5000));
      assert.equal(fake.connections, 2);
      assert.equal(since(mark, 316).length, 9);
      assert.deepEqual(xmlFetched(mark), ['db', 'tmp', 'web "1" $x ü']);
      assert.equal(s.domains.find((d) => d.name === 'web "1" $x ü')?.state, 'paused');
    } finally {
      await r.close();
    }
  },
);

test('lifecycle events are heard while the connection is up; only they end a hold; a dropped one is deaf', async () => {
  let lifecycles = 0;
  const r = reader({ onLifecycle: () => lifecycles++ });
  try {
    assert.equal(r.hearsLifecycle(), false, 'not connected yet');
    await r.read(AbortSignal.timeout(5000));
    assert.equal(r.hearsLifecycle(), true);
    const socket = [...fake.sockets][0];
    socket?.write(frame(327, 2, 0, 0, eventPayload(1, domains[0] as HostDomain))); // disk change
    socket?.write(frame(318, 2, 0, 0, eventPayload(1, domains[1] as HostDomain))); // lifecycle
    await new Promise((res) => setTimeout(res, 50));
    assert.equal(lifecycles, 1, 'the disk change only marks its XML; the lifecycle event is told');
    socket?.destroy();
    for (let i = 0; i < 50 && r.hearsLifecycle(); i++) await new Promise((res) => setTimeout(res, 10));
    assert.equal(r.hearsLifecycle(), false, 'the connection dropped between collections: nothing is heard');
    await r.read(AbortSignal.timeout(5000));
    assert.equal(r.hearsLifecycle(), true, 'the next collection reconnected and registered again');
  } finally {
    await r.close();
  }
  // A daemon that refuses the lifecycle registration: the others are registered, lifecycle is not heard.
  fake.script = (c, s) => {
    if (c.proc === 316 && c.body.readInt32BE(0) === 0) s.replyError(c, 1, 2, 'no lifecycle events here');
    else serve(domains, silent)(c, s);
  };
  const refused = reader();
  try {
    await refused.read(AbortSignal.timeout(5000));
    assert.equal(refused.hearsLifecycle(), false);
  } finally {
    await refused.close();
  }
});

test('no socket: absent; failed handshake: virsh, with the reason; transport=rpc does not fall back', async () => {
  const none = new LibvirtReader({
    virsh: '/nonexistent/virsh',
    uri: `qemu:///system?socket=${path.join(work, 'nothing')}`,
    runDir: work,
  });
  await assert.rejects(
    none.read(AbortSignal.timeout(5000)),
    (e) => isSourceAbsentError(e) && /libvirt is not running/.test(e.message),
  );
  await none.close();

  fake.script = (c, s) => {
    if (c.proc === 1) s.replyError(c, 38, 7, 'authentication unavailable: no polkit agent');
    else handshake(c, s);
  };
  const virsh = await makeFake(work, 'virsh');
  await answerOverview(virsh, [
    {
      name: 'via-virsh',
      uuid: '00000000-0000-4000-8000-0000000000ff',
      id: null,
      state: 5,
      reason: 1,
      xml: xmlOf({ name: 'via-virsh', uuid: '00000000-0000-4000-8000-0000000000ff' }),
    },
  ]);
  const r = reader({ virsh: virsh.bin });
  try {
    const s = await r.read(AbortSignal.timeout(5000));
    assert.deepEqual(s.problems, []);
    assert.deepEqual(
      s.domains.map((d) => [d.name, d.state, d.reason]),
      [['via-virsh', 'shutoff', 'shutdown']],
    );
    assert.equal(s.transport?.name, 'virsh');
    assert.equal(s.transport?.reason, 'handshake_failed');
    assert.match(s.transport?.detail ?? '', /no polkit agent/);
    assert.equal(r.hearsLifecycle(), false, 'virsh hears no events');
  } finally {
    await r.close();
  }
  const strict = reader({ transport: 'rpc' });
  await assert.rejects(strict.read(AbortSignal.timeout(5000)), /no polkit agent/);
  await strict.close();
  const remote = new LibvirtReader({ virsh: 'virsh', uri: 'qemu+ssh://hv2/system', runDir: work, transport: 'rpc' });
  await assert.rejects(remote.read(AbortSignal.timeout(5000)), /not reachable over a local socket \(remote_uri\)/);
});
