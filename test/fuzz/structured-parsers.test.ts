// Fuzzes the parsers of structured outside input: qcow2 headers (truncated, offsets past the end),
// backing chains that loop, domain and pool XML, SOAP envelopes down to the inventory, and
// Kubernetes objects with missing or wrong-typed fields. Counterexamples are kept in `examples`.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { check, dataOrMeantError } from './contract.js';
import { parseImageHeader } from '../../src/sources/pools/image-header.js';
import { parseDomainXml } from '../../src/sources/shared/parse-domain-xml.js';
import { parsePoolXml } from '../../src/sources/shared/libvirt-config.js';
import { child, parseEnvelope } from '../../src/sources/vsphere/xml.js';
import { parseRetrieveResult } from '../../src/sources/vsphere/retrieve.js';
import { parseInventory } from '../../src/sources/vsphere/parse-inventory.js';
import {
  containerTerminations,
  parseLonghornBackup,
  parseMeta,
  parsePod,
  parseVm,
  parseVmBackup,
  parseVmiFields,
  podMetricsMemory,
} from '../../src/sources/kubevirt/parse-objects.js';
import { diskChains } from '../../src/views/disk-chains.js';
import * as k from '../support/kubevirt-objects.js';
import { backedBy, disk, domain, image, libvirt, pools } from '../support/node-snapshot.js';

test('qcow2 and other image headers: random, truncated, offsets and sizes past the end', () => {
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    return b;
  };
  const u64 = (n: bigint) => {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(n);
    return b;
  };
  const qcow = fc
    .record({
      version: fc.oneof(fc.constantFrom(1, 2, 3), fc.nat()),
      offset: fc.oneof(
        fc.constantFrom(0n, 72n, 104n, 4095n, 4096n, 2n ** 63n),
        fc.bigInt({ min: 20n, max: 400n }),
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
      ),
      size: fc.oneof(fc.constantFrom(0, 1, 1023, 1024, 0xffffffff), fc.integer({ min: 1, max: 64 }), fc.nat()),
      rest: fc.uint8Array({ maxLength: 4096 }),
      cut: fc.nat({ max: 4200 }),
    })
    .map(({ version, offset, size, rest, cut }) =>
      Buffer.concat([
        Buffer.from([0x51, 0x46, 0x49, 0xfb]),
        u32(version),
        u64(offset),
        u32(size),
        Buffer.from(rest),
      ]).subarray(0, cut),
    );
  const seen = { named: 0, at: 0, errors: 0 };
  check(
    fc.oneof(
      qcow,
      fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
    ),
    (head) => {
      const got = dataOrMeantError(() => parseImageHeader(head, 'x.qcow2', head.length), head.length);
      if (got?.backingName) seen.named++;
      if (got?.backingNameAt) seen.at++;
      if (!got) seen.errors++;
      const h = (() => {
        try {
          return parseImageHeader(head, 'x.qcow2');
        } catch {
          return null;
        }
      })();
      // A name is only taken from the bytes given; one beyond them is asked for by offset, bounded by QEMU's 1023.
      if (h?.backingNameAt)
        assert.ok(h.backingNameAt.size <= 1023 && h.backingNameAt.offset + h.backingNameAt.size > head.length);
    },
  );
  // The generator reaches every branch: names inside, names past the bytes given, refusals.
  assert.ok(seen.named > 0 && seen.at > 0 && seen.errors > 0, JSON.stringify(seen));
});

test('backing chains: any graph of images, loops included, gives bounded chains', () => {
  const graph = fc.array(fc.option(fc.nat({ max: 11 }), { nil: null }), { minLength: 1, maxLength: 12 });
  check(
    graph,
    (edges) => {
      const p = (i: number) => `/var/lib/libvirt/images/i${i}.qcow2`;
      const imgs = edges.map((to, i) =>
        image(p(i), { backing: to === null ? null : backedBy(p(to)), exists: to !== 11 }),
      );
      const chains = diskChains(libvirt([domain('d', { disks: [disk(p(0))] })]), pools(imgs));
      for (const c of chains) {
        assert.ok(c.links.length <= 64, `chain of ${c.links.length}`);
        assert.equal(new Set(c.links).size, c.links.length, 'no file twice in a chain');
      }
    },
    [[0], [1, 0], [1, 2, 0], [1, 1]],
  );
});

const XML_NAMES = [
  'domain',
  'name',
  'uuid',
  'memory',
  'currentMemory',
  'vcpu',
  'devices',
  'disk',
  'source',
  'target',
  'backingStore',
  'driver',
  'hostdev',
  'address',
  'interface',
  'mac',
  'memoryBacking',
  'hugepages',
  'os',
  'kernel',
  'pool',
  'path',
];
const XML_ATTRS = [
  'type',
  'device',
  'file',
  'dev',
  'unit',
  'name',
  'domain',
  'bus',
  'slot',
  'function',
  'pool',
  'volume',
  'mode',
  'address',
];
const xmlText = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom('&#34;', '&#x540D;', '&amp;', '&#0;', '&#xFFFFFFFF;', '&bogus;', '1024', '0x1f', '-1', 'KiB'),
);

const element: fc.Arbitrary<string> = fc.letrec<{ el: string }>((tie) => ({
  el: fc
    .record({
      tag: fc.constantFrom(...XML_NAMES),
      attrs: fc.array(fc.tuple(fc.constantFrom(...XML_ATTRS), xmlText), { maxLength: 3 }),
      body: fc.oneof(
        { depthSize: 'small' },
        xmlText,
        fc.array(tie('el'), { maxLength: 4 }).map((cs) => cs.join('')),
      ),
    })
    .map(
      ({ tag, attrs, body }) =>
        `<${tag}${attrs.map(([a, v]) => ` ${a}='${v.replace(/'/g, '&apos;')}'`).join('')}>${body}</${tag}>`,
    ),
})).el;

const diskXml: fc.Arbitrary<string> = fc
  .record({
    type: fc.constantFrom('file', 'block', 'volume', 'network', 'x'),
    file: xmlText,
    chain: fc.array(xmlText, { maxLength: 4 }),
    extra: fc.array(element, { maxLength: 2 }),
  })
  .map(
    ({ type, file, chain, extra }) =>
      `<disk type='${type}' device='disk'><source file='${file}' dev='${file}' pool='p' volume='${file}'/>` +
      chain.map((c) => `<backingStore type='file'><source file='${c}'/>`).join('') +
      chain.map(() => '</backingStore>').join('') +
      `<target dev='vda'/>${extra.join('')}</disk>`,
  );

test('domain and pool XML: any nesting of the elements they read, with hostile text', () => {
  const domainXml = fc
    .record({
      name: xmlText,
      uuid: xmlText,
      disks: fc.array(diskXml, { maxLength: 3 }),
      extra: fc.array(element, { maxLength: 4 }),
    })
    .map(
      ({ name, uuid, disks, extra }) =>
        `<domain type='kvm'><name>${name}</name><uuid>${uuid}</uuid>${extra.join('')}` +
        `<devices>${disks.join('')}</devices></domain>`,
    );
  const poolXml = fc
    .record({
      type: fc.constantFrom('dir', 'fs', 'netfs', 'logical'),
      name: xmlText,
      path: xmlText,
      extra: fc.array(element, { maxLength: 2 }),
    })
    .map(
      ({ type, name, path, extra }) =>
        `<pool type='${type}'><name>${name}</name>${extra.join('')}<target><path>${path}</path></target></pool>`,
    );
  const doc = fc.oneof(
    domainXml,
    poolXml,
    domainXml.map((d) => d.slice(0, Math.floor(d.length * 0.7))),
    element.map((e) => `<domain type='kvm'>${e}</domain>`),
    element.map((e) => `<pool type='dir'>${e}</pool>`),
    element,
    fc.string({ maxLength: 300 }),
    element.map((e) => e.slice(0, Math.floor(e.length / 2))),
  );
  const seen = { domains: 0, withDisks: 0, pools: 0 };
  check(
    doc,
    (xml) => {
      const d = dataOrMeantError(() => parseDomainXml(xml), xml.length);
      if (d) seen.domains++;
      if (d && d.disks.length > 0) seen.withDisks++;
      if (dataOrMeantError(() => parsePoolXml(xml), xml.length)) seen.pools++;
    },
    [
      "<domain><devices><disk type='file'><source file=''/></disk></devices></domain>",
      '<domain><vcpu>1e400</vcpu></domain>',
      '<pool/>',
    ],
  );
  assert.ok(seen.domains > 0 && seen.withDisks > 0 && seen.pools > 0, JSON.stringify(seen));
});

const SOAP_TAGS = [
  'returnval',
  'objects',
  'obj',
  'propSet',
  'name',
  'val',
  'missingSet',
  'path',
  'fault',
  'token',
  'rootSnapshotList',
  'snapshot',
  'createTime',
  'childSnapshotList',
  'vm',
  'host',
];
const soapValue: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
  v: fc
    .record({
      tag: fc.constantFrom(...SOAP_TAGS),
      type: fc.option(
        fc.constantFrom(
          'VirtualMachine',
          'HostSystem',
          'xsd:string',
          'xsd:int',
          'ManagedObjectReference',
          'ArrayOfString',
        ),
      ),
      body: fc.oneof(
        { depthSize: 'small' },
        xmlText,
        fc.constantFrom('config.hardware.memoryMB', 'runtime.powerState', 'name', 'vm-1'),
        fc.array(tie('v'), { maxLength: 4 }).map((cs) => cs.join('')),
      ),
    })
    .map(({ tag, type, body }) => `<${tag}${type ? ` type="${type}" xsi:type="${type}"` : ''}>${body}</${tag}>`),
})).v;

const PROP_PATHS = [
  'name',
  'runtime.powerState',
  'runtime.connectionState',
  'config.hardware.memoryMB',
  'config.hardware.numCPU',
  'config.template',
  'snapshot',
  'runtime.host',
  'layoutEx',
  'datastore',
  'summary.accessible',
  'runtime.bootTime',
  'parent',
];
const objectXml = fc
  .record({
    type: fc.constantFrom('VirtualMachine', 'HostSystem', 'ClusterComputeResource', 'Datastore', 'Folder'),
    id: xmlText,
    props: fc.array(
      fc.tuple(
        fc.constantFrom(...PROP_PATHS),
        fc.oneof(xmlText, soapValue, fc.constantFrom('poweredOn', 'connected', 'true', '2026-01-01T00:00:00Z')),
      ),
      { maxLength: 8 },
    ),
    missing: fc.array(fc.constantFrom(...PROP_PATHS), { maxLength: 2 }),
  })
  .map(
    ({ type, id, props, missing }) =>
      `<objects><obj type="${type}">${id}</obj>` +
      props.map(([n, v]) => `<propSet><name>${n}</name><val xsi:type="xsd:string">${v}</val></propSet>`).join('') +
      missing
        .map((m) => `<missingSet><path>${m}</path><fault><fault xsi:type="NoPermission"/></fault></missingSet>`)
        .join('') +
      '</objects>',
  );

test('SOAP envelopes down to the inventory', () => {
  const response = (inner: string) =>
    `<soapenv:Envelope xmlns:soapenv="s" xmlns:xsi="x"><soapenv:Body><RetrievePropertiesExResponse>${inner}` +
    '</RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>';
  const envelope = fc.oneof(
    fc
      .array(objectXml, { maxLength: 5 })
      .map((os) => response(`<returnval>${os.join('')}<token>t</token></returnval>`)),
    soapValue.map(
      (v) =>
        `<soapenv:Envelope xmlns:soapenv="s" xmlns:xsi="x"><soapenv:Body><RetrievePropertiesExResponse>${v}` +
        '</RetrievePropertiesExResponse></soapenv:Body></soapenv:Envelope>',
    ),
    soapValue.map(
      (v) => `<Envelope><Body><Fault><faultstring>${v}</faultstring><detail>${v}</detail></Fault></Body></Envelope>`,
    ),
    fc.string({ maxLength: 300 }),
  );
  const seen = { objects: 0 };
  check(
    envelope,
    (xml) => {
      const got = dataOrMeantError(() => {
        const body = parseEnvelope(xml);
        const ret = child(child(body, 'RetrievePropertiesExResponse'), 'returnval');
        const { objects, token } = parseRetrieveResult(ret);
        return { inventory: parseInventory(objects), token, objects: objects.length };
      }, xml.length);
      if (got && got.objects > 0) seen.objects++;
    },
    ['<Envelope><Body><Fault/></Body></Envelope>', '<Envelope><Body>text</Body></Envelope>'],
  );
  assert.ok(seen.objects > 0, 'some envelopes carry objects to the inventory');
});

/** Replaces or deletes fields anywhere in a valid object with values of any type. */
function mutated(base: unknown): fc.Arbitrary<unknown> {
  const paths: string[][] = [];
  const walk = (v: unknown, at: string[]) => {
    paths.push(at);
    if (v && typeof v === 'object') for (const [key, c] of Object.entries(v)) walk(c, [...at, key]);
  };
  walk(base, []);
  const edit = fc.tuple(fc.constantFrom(...paths), fc.oneof(fc.anything(), fc.constant(undefined)));
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let o = structuredClone(base) as Record<string, unknown>;
    for (const [path, value] of edits) {
      if (path.length === 0) {
        o = value as Record<string, unknown>;
        continue;
      }
      let at: unknown = o;
      for (const key of path.slice(0, -1))
        at = at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
      if (at && typeof at === 'object') (at as Record<string, unknown>)[path[path.length - 1] as string] = value;
    }
    return o;
  });
}

test('Kubernetes objects with missing or wrong-typed fields', () => {
  const objects = [
    k.vm('ns', 'vm1', 'Running', { deletionTimestamp: 1795420000, finalizers: ['a'] }),
    k.vmi('ns', 'vm1', { phase: 'Running', node: 'n1', frozen: true }),
    k.launcherPod('ns', 'virt-launcher-vm1', 'uid', 'vm1'),
    k.handlerPod('ns', 'virt-handler-x', 'n1', 3, { finishedAt: 1795420000, containerID: 'c1' }),
    k.podMetrics('ns', 'virt-handler-x', '1500Mi'),
    k.vmBackup('ns', 'b', 'vm1', { error: { time: 1795420000, message: 'x' } }),
    k.longhornBackup('ns', 'lb', 'vol', 'Error', 'boom'),
  ] as unknown[];
  let parsed = 0;
  check(
    fc.oneof(fc.anything(), ...objects.map(mutated)),
    (o) => {
      const size = JSON.stringify(o)?.length ?? 16;
      for (const parse of [
        parseMeta,
        (x: unknown) => parseVm(x, null),
        parseVmiFields,
        parsePod,
        containerTerminations,
        (x: unknown) => podMetricsMemory(x, 'compute'),
        parseVmBackup,
        parseLonghornBackup,
      ]) {
        if (dataOrMeantError(() => parse(o), size) !== undefined && parse === parseMeta) parsed++;
      }
    },
    [
      null,
      { metadata: { name: 'x', labels: null, finalizers: 'a' } },
      { metadata: { name: 'x' }, status: { containerStatuses: {} } },
    ],
  );
  assert.ok(parsed > 0, 'some mutated objects still parse');
});
