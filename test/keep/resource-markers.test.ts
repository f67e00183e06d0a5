// Keep markers on the resource itself: a libvirt domain's <metadata> element, read by the domain XML
// parser and applied with the keep file's rules (reason and who required; until a date; a mistake is
// reported with why and acknowledges nothing; an expired marker lets the finding page again).
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { parseDomainXml, KEEP_NS } from '../../src/sources/shared/parse-domain-xml.js';
import { parseKeepValue, resourceMarker } from '../../src/keep/resource-marker.js';
import { replay } from '../../src/engine/engine.js';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import { findingsJson } from '../../src/outputs/findings-json.js';
import { landingPage } from '../../src/outputs/pages.js';
import { textReport } from '../../src/outputs/report.js';
import { findingView } from '../../src/outputs/finding-view.js';
import { ExporterMetrics } from '../../src/outputs/metrics/exporter-metrics.js';
import { parsePromText, value } from '../support/prom-text.js';
import { KEEP_ATTRIBUTE, keepFieldKeys, parseInventory } from '../../src/sources/vsphere/parse-inventory.js';
import type { ObjectContent } from '../../src/sources/vsphere/retrieve.js';
import type { XmlNode } from '../../src/sources/vsphere/xml.js';
import { NOW, domain, libvirt, procfs, qemuOf, snapshot } from '../support/node-snapshot.js';

const config = parseArgs(
  ['--detect.paused-grace=0s'],
  SOURCES.map((s) => s.name),
).config;

const xml = (metadata: string) => `<domain type='kvm'><name>web1</name>
<uuid>5F1C0000-0000-4000-8000-000000000001</uuid><memory unit='MiB'>64</memory><vcpu>1</vcpu>
<metadata>${metadata}</metadata><devices/></domain>`;

describe('keep marker in a libvirt domain <metadata>', () => {
  it('reads reason, by and until from the element in its namespace, whatever the prefix', () => {
    const d = parseDomainXml(
      xml(`<vz:keep xmlns:vz="${KEEP_NS}" reason="forensics for INC-4711" by="bob" until="2027-03-31"/>`),
    );
    assert.deepEqual(d.keep, { reason: 'forensics for INC-4711', who: 'bob', until: '2027-03-31', unknown: [] });
    assert.equal(parseDomainXml(xml(`<other xmlns="urn:x" reason="r"/>`)).keep, undefined);
  });

  it('keeps what it does not know, so the marker is reported as malformed', () => {
    const d = parseDomainXml(xml(`<vz:keep xmlns:vz="${KEEP_NS}" reason="r" by="b" untill="2027-01-01"/>`));
    assert.deepEqual(d.keep?.unknown, ['untill']);
    const r = resourceMarker({ keep: d.keep!, origin: '<metadata> of domain web1' }, 'web1');
    assert.ok('problem' in r);
    assert.match(r.problem, /<metadata> of domain web1: unknown "untill"; it acknowledges nothing/);
  });

  it('the single-value syntax: reason; by=…; until=…', () => {
    assert.deepEqual(parseKeepValue('cold spare for DR; by=alice; until=2027-06-30'), {
      reason: 'cold spare for DR',
      who: 'alice',
      until: '2027-06-30',
      unknown: [],
    });
    assert.deepEqual(parseKeepValue('cold spare; owner=x').unknown, ['owner']);
    const noWho = resourceMarker({ keep: parseKeepValue('cold spare'), origin: 'o' }, 's');
    assert.ok('problem' in noWho && /no who/.test(noWho.problem));
    const badDate = resourceMarker({ keep: parseKeepValue('r; by=a; until=soon'), origin: 'o' }, 's');
    assert.ok('problem' in badDate && /until "soon" is not a date/.test(badDate.problem));
  });

  it('acknowledges the domain findings while live; expired pages again; malformed hides nothing', () => {
    const keep = (reason: string | null, who: string | null, until: string | null, unknown: string[] = []) => ({
      reason,
      who,
      until,
      unknown,
    });
    const kept = domain('kept', {
      state: 'paused',
      reason: 'user',
      pid: 501,
      keep: keep('forensics', 'bob', '2099-01-01'),
    });
    const lapsed = domain('lapsed', {
      state: 'paused',
      reason: 'user',
      pid: 502,
      keep: keep('old', 'bob', '2020-01-01'),
    });
    const broken = domain('broken', { state: 'paused', reason: 'user', pid: 503, keep: keep('r', null, null) });
    const plain = domain('plain', { state: 'paused', reason: 'user', pid: 504 });
    const doms = [kept, lapsed, broken, plain];
    const snap = snapshot({ libvirt: libvirt(doms), procfs: procfs(doms.map((d) => qemuOf(d.pid!, d))) });
    const { detection } = replay(config, snap);
    const paused = detection.findings.filter((f) => f.kind === 'domain_paused');
    const ack = Object.fromEntries(paused.map((f) => [f.labels.domain, f.acknowledged ?? null]));
    assert.deepEqual(ack.kept, {
      reason: 'forensics',
      who: 'bob',
      until: Date.parse('2099-01-01T23:59:59Z') / 1000,
      origin: `<metadata> of domain kept (${kept.uuid})`,
    });
    assert.equal(ack.lapsed, null);
    assert.equal(ack.broken, null);
    assert.equal(ack.plain, null);
    const keepReport = detection.keep!;
    assert.deepEqual(
      keepReport.expired.map((m) => m.origin),
      [`<metadata> of domain lapsed (${lapsed.uuid})`],
    );
    assert.deepEqual(keepReport.stale, [], 'a resource marker is never stale');
    assert.deepEqual(keepReport.problems, [
      `<metadata> of domain broken (${broken.uuid}): no who (by); it acknowledges nothing`,
    ]);
    const json = findingsJson(snap, detection) as { findings: Array<{ subject: string; acknowledged: unknown }> };
    assert.equal(json.findings.filter((f) => f.acknowledged).length, 1);
    const page = landingPage(snap, detection, NOW);
    assert.match(page, /no who \(by\); it acknowledges nothing/);
    assert.match(page, /Expired/);
    assert.match(
      textReport(snap, detection),
      /keep marker ignored: <metadata> of domain broken \(.*\): no who \(by\); it acknowledges nothing/,
    );
  });

  it("a domain's owner from nova metadata is in the evidence and the owner label of its finding series", async () => {
    const owned = domain('instance-0000002a', {
      state: 'paused',
      reason: 'user',
      pid: 510,
      owner: { system: 'nova', project: 'a1b2c3', name: 'web-7' },
    });
    const snap = snapshot({ libvirt: libvirt([owned]), procfs: procfs([qemuOf(510, owned)]) });
    const { detection } = replay(config, snap);
    const f = detection.findings.find((x) => x.kind === 'domain_paused')!;
    assert.deepEqual(f.owner, { label: 'nova:a1b2c3', detail: 'nova, project a1b2c3, name web-7' });
    const metrics = new ExporterMetrics(config, ['libvirt', 'procfs'], { processMetrics: false });
    metrics.update(snap, detection);
    const m = parsePromText(await metrics.metrics());
    assert.equal(value(m, 'vmzombie_finding_age_seconds', { kind: 'domain_paused', owner: 'nova:a1b2c3' }), 0);
    const view = findingView(f, NOW);
    assert.deepEqual(
      (view.evidence.find((e) => e.key === 'owner')?.value as { text?: string } | undefined)?.text,
      'nova, project a1b2c3, name web-7',
    );
  });
});

describe('vSphere inventory: the keep attribute and the owner', () => {
  const ref = (type: string, value: string) => ({ '@type': type, '#text': value });
  const obj = (type: string, value: string, props: Record<string, unknown>): ObjectContent => ({
    ref: { type, value },
    props: new Map(Object.entries(props) as Array<[string, XmlNode]>),
    missing: [],
  });
  const fields = {
    CustomFieldDef: [
      { key: '101', name: KEEP_ATTRIBUTE, managedObjectType: 'VirtualMachine' },
      { key: '102', name: KEEP_ATTRIBUTE, managedObjectType: 'HostSystem' },
      { key: '103', name: 'notes', managedObjectType: '' },
    ],
  } as unknown as XmlNode;

  it('reads the last vmzombie.keep value, the folder below the VM folder and the pool below the root pool', () => {
    const keys = keepFieldKeys(fields);
    assert.deepEqual([...keys], ['101']);
    const inv = parseInventory(
      [
        obj('Folder', 'group-v3', { name: 'vm', parent: ref('Datacenter', 'datacenter-2') }),
        obj('Folder', 'group-v10', { name: 'finance', parent: ref('Folder', 'group-v3') }),
        obj('ResourcePool', 'resgroup-8', { name: 'Resources', parent: ref('ClusterComputeResource', 'domain-c7') }),
        obj('ResourcePool', 'resgroup-20', { name: 'Batch', parent: ref('ResourcePool', 'resgroup-8') }),
        obj('VirtualMachine', 'vm-1', {
          name: 'db1',
          'runtime.powerState': 'poweredOff',
          'runtime.connectionState': 'connected',
          parent: ref('Folder', 'group-v10'),
          resourcePool: ref('ResourcePool', 'resgroup-20'),
          customValue: {
            CustomFieldValue: [
              { key: '101', value: 'old; by=x' },
              { key: '103', value: 'not a marker' },
              { key: '101', value: 'cold spare; by=alice; until=2027-06-30' },
            ],
          },
        }),
        obj('VirtualMachine', 'vm-2', {
          name: 'top',
          'runtime.powerState': 'poweredOn',
          'runtime.connectionState': 'connected',
          parent: ref('Folder', 'group-v3'),
          resourcePool: ref('ResourcePool', 'resgroup-8'),
        }),
      ],
      keys,
    );
    assert.deepEqual(inv.problems, []);
    const [db1, top] = inv.vms;
    assert.deepEqual(db1?.keep, { reason: 'cold spare', who: 'alice', until: '2027-06-30', unknown: [] });
    assert.equal(db1?.folder, 'finance');
    assert.equal(db1?.resourcePool, 'Batch');
    assert.equal(top?.keep, undefined);
    assert.equal(top?.folder, undefined, 'the datacenter VM folder itself is no team');
    assert.equal(top?.resourcePool, undefined, 'the root pool is no team');
  });
});
