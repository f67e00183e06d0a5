// Which URIs go over the RPC socket and where that socket is; the virsh parsers of the incremental
// overview on output captured from virsh 9.0; state and reason numbers in virsh's words.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { rpcEndpoint } from '../../../../src/sources/libvirt/rpc/endpoint.js';
import { parseDomStats, parseIdNameList } from '../../../../src/sources/libvirt/parse-virsh.js';
import { reasonWord, stateName } from '../../../../src/sources/libvirt/state-reasons.js';

test('socket discovery: modular virtqemud first, then libvirtd; ?socket= wins; other URIs stay with virsh', () => {
  const modular = (p: string) => p === '/run/libvirt/virtqemud-sock-ro';
  const none = () => false;
  assert.deepEqual(rpcEndpoint('qemu:///system', '/run/libvirt', modular), {
    socketPath: '/run/libvirt/virtqemud-sock-ro',
    name: 'qemu:///system',
  });
  assert.deepEqual(rpcEndpoint('qemu:///system', '/run/libvirt', none), {
    socketPath: '/run/libvirt/libvirt-sock-ro',
    name: 'qemu:///system',
  });
  assert.deepEqual(rpcEndpoint('qemu+unix:///system?socket=/x/sock', '/run/libvirt', modular), {
    socketPath: '/x/sock',
    name: 'qemu:///system',
  });
  assert.deepEqual(rpcEndpoint('test+unix:///srv/node.xml?socket=/x/ro', '/run/libvirt', none), {
    socketPath: '/x/ro',
    name: 'test:///srv/node.xml',
  });
  assert.equal(rpcEndpoint('test:///default', '/run/libvirt', none), 'in_process_driver');
  assert.equal(rpcEndpoint('qemu:///session', '/run/libvirt', none), 'session_uri');
  assert.equal(rpcEndpoint('qemu+ssh://root@hv2/system', '/run/libvirt', none), 'remote_uri');
  assert.equal(rpcEndpoint('qemu+tls://hv2/system', '/run/libvirt', none), 'remote_uri');
  assert.equal(rpcEndpoint('xen:///system', '/run/libvirt', none), 'unsupported_uri');
  assert.equal(rpcEndpoint('not a uri', '/run/libvirt', none), 'unsupported_uri');
});

test('virsh overview parsers on captured output: names with spaces, quotes, $ and non-ASCII; inactive ids', () => {
  const list =
    '6695eb01-f6a4-8304-79aa-97f2502e193f 1 test\ne62db025-211d-40fc-9911-c0160cc447d3 -   sp ace \'q\' "d" $x ü\n';
  assert.deepEqual(parseIdNameList(list), {
    domains: [
      { uuid: '6695eb01-f6a4-8304-79aa-97f2502e193f', id: 1, name: 'test' },
      { uuid: 'e62db025-211d-40fc-9911-c0160cc447d3', id: null, name: '  sp ace \'q\' "d" $x ü' },
    ],
    garbage: [],
  });
  assert.deepEqual(parseIdNameList('error-ish line\n').garbage, ['error-ish line']);
  const stats =
    "Domain: '  sp ace 'q' \"d\" $x ü'\n  state.state=5\n  state.reason=0\n\nDomain: 'test'\n  state.state=1\n  " +
    "state.reason=0\n\nDomain: 'half'\n  state.state=1\n";
  assert.deepEqual(
    [...parseDomStats(stats)],
    [
      ['  sp ace \'q\' "d" $x ü', { state: 5, reason: 0 }],
      ['test', { state: 1, reason: 0 }],
    ],
  );
});

test('state and reason numbers read as virsh words them; unknown numbers are "unknown"', () => {
  assert.deepEqual([stateName(5), reasonWord('shutoff', 2)], ['shutoff', 'destroyed']);
  assert.equal(reasonWord('paused', 5), 'I/O error');
  assert.equal(reasonWord('shutoff', 8), 'daemon');
  assert.equal(reasonWord('running', 99), 'unknown');
  assert.equal(stateName(42), 'nostate');
});
