// Pure parsing of vSphere answers: envelopes with any namespace prefixes, faults, the fast path's
// inventory (recorded from the simulator), layoutEx and datastore search results.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { parseEnvelope, child, text, moRef, xsiType } from '../../../src/sources/vsphere/xml.js';
import { isVsphereFaultError } from '../../../src/sources/vsphere/vsphere-fault-error.js';
import { parseRetrieveResult } from '../../../src/sources/vsphere/retrieve.js';
import { parseDateTime, parseInventory } from '../../../src/sources/vsphere/parse-inventory.js';
import { parseLayouts, parseSearchResults, scanDatastores } from '../../../src/sources/vsphere/file-scan.js';
import type { SoapClient } from '../../../src/sources/vsphere/soap-client.js';
import { parseDatastorePath } from '../../../src/util/datastore-path.js';
import { fixture } from './recorded-server.js';

const inventory = () =>
  parseRetrieveResult(
    child(child(parseEnvelope(fixture('retrieve-inventory.xml')), 'RetrievePropertiesExResponse'), 'returnval'),
  ).objects;

describe('vSphere envelopes', () => {
  it('reads values whatever the prefixes, keeping a reference type apart from xsi:type', () => {
    const body = parseEnvelope(
      '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" ' +
        'xmlns:xs="http://www.w3.org/2001/XMLSchema-instance">' +
        '<S:Body><v:R xmlns:v="urn:vim25"><v:val xs:type="ManagedObjectReference" ' +
        'type="HostSystem">host-21</v:val><v:s xs:type="xsd:string">a &amp; b</v:s></v:R></S:Body></S:Envelope>',
    );
    const r = child(body, 'R');
    assert.deepEqual(moRef(child(r, 'val')), { type: 'HostSystem', value: 'host-21' });
    assert.equal(xsiType(child(r, 'val')), 'ManagedObjectReference');
    assert.equal(text(child(r, 's')), 'a & b');
  });

  it('turns soapenv:Fault into a typed error with the privilege asked for', () => {
    const xml =
      '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><soapenv:Fault>' +
      '<faultcode>ServerFaultCode</faultcode><faultstring>Permission to perform this operation was ' +
      'denied.</faultstring><detail>' +
      '<NoPermissionFault xmlns="urn:vim25" xsi:type="NoPermission"><object ' +
      'type="Datastore">datastore-61</object><privilegeId>Datastore.Browse</privilegeId></NoPermissionFault>' +
      '</detail></soapenv:Fault></soapenv:Body></soapenv:Envelope>';
    assert.throws(
      () => parseEnvelope(xml),
      (e: unknown) =>
        isVsphereFaultError(e) &&
        e.fault === 'NoPermission' &&
        e.privilegeId === 'Datastore.Browse' &&
        e.message ===
          'NoPermission (needs privilege Datastore.Browse): Permission to perform this operation was denied.',
    );
  });

  it('rejects a truncated answer and a body that is not SOAP with a clear error', () => {
    const full = fixture('retrieve-inventory.xml');
    assert.throws(() => parseEnvelope(full.slice(0, full.length / 2)), /malformed SOAP response|not a SOAP envelope/);
    assert.throws(() => parseEnvelope('<html><body>502 Bad Gateway</body></html>'), /not a SOAP envelope/);
  });
});

describe('vSphere fast path inventory (recorded from the simulator)', () => {
  it('parses VMs with their snapshot trees, hosts with autostart, the cluster and the datastore', () => {
    const inv = parseInventory(inventory());
    assert.deepEqual(inv.problems, []);
    const vm0 = inv.vms.find((v) => v.name === 'DC0_H0_VM0');
    assert.deepEqual(
      vm0 && {
        ...vm0,
        snapshots: vm0.snapshots.map(({ createTime, ...s }) => ({ ...s, hasTime: createTime !== null })),
      },
      {
        moid: 'vm-57',
        name: 'DC0_H0_VM0',
        instanceUuid: vm0?.instanceUuid,
        template: false,
        vmPathName: '[LocalDS_0] DC0_H0_VM0/DC0_H0_VM0.vmx',
        powerState: 'poweredOn',
        connectionState: 'connected',
        host: 'host-21',
        consolidationNeeded: null,
        managedBy: null,
        numCpu: 1,
        memoryBytes: 32 * 1024 * 1024,
        snapshots: [
          { moid: 'snapshot-69', name: 'before-upgrade', depth: 1, parent: null, hasTime: true },
          { moid: 'snapshot-71', name: 'after-upgrade', depth: 2, parent: 0, hasTime: true },
        ],
      },
    );
    assert.match(vm0?.instanceUuid ?? '', /^[0-9a-f-]{36}$/);
    const h0 = inv.hosts.find((h) => h.name === 'DC0_H0');
    assert.deepEqual(h0?.autoStart, {
      enabled: true,
      defaultStartDelay: 0,
      powerInfo: [{ vm: 'vm-60', startAction: 'powerOn', startDelay: 120, startOrder: 1 }],
    });
    assert.deepEqual(h0?.parent, { type: 'ComputeResource', value: 'computeresource-23' });
    assert.equal(inv.hosts.filter((h) => h.parent?.type === 'ClusterComputeResource').length, 3);
    assert.deepEqual(
      inv.clusters.map((c) => ({ name: c.name, ha: c.haEnabled })),
      [{ name: 'DC0_C0', ha: false }],
    );
    assert.deepEqual(
      inv.datastores.map((d) => ({
        name: d.name,
        accessible: d.accessible,
        type: d.type,
        browser: d.browser !== null,
      })),
      [{ name: 'LocalDS_0', accessible: true, type: 'OTHER', browser: true }],
    );
  });

  it('counts an object missing required properties as a problem instead of failing', () => {
    const objects = parseRetrieveResult(
      child(
        child(
          parseEnvelope(
            '<Envelope><Body><R><returnval><objects><obj type="VirtualMachine">vm-9</obj>' +
              '<propSet><name>name</name><val>ghost</val></propSet><missingSet><path>runtime.powerState</path><fault>' +
              '<fault xsi:type="NoPermission" xmlns:xsi="x"/></fault></missingSet>' +
              '</objects></returnval></R></Body></Envelope>',
          ),
          'R',
        ),
        'returnval',
      ),
    ).objects;
    const inv = parseInventory(objects);
    assert.deepEqual(inv.vms, []);
    assert.deepEqual(inv.problems, [
      'VirtualMachine vm-9: runtime.powerState not readable (NoPermission)',
      'VirtualMachine vm-9: no runtime.powerState in the answer; skipped',
    ]);
  });

  it('reads xsd:dateTime with micro- or nanoseconds', () => {
    assert.equal(parseDateTime('2026-11-23T09:25:20.49646798Z'), Date.parse('2026-11-23T09:25:20.496Z') / 1000);
    assert.equal(parseDateTime(''), null);
    assert.equal(parseDateTime('yesterday'), null);
  });
});

describe('vSphere file scan answers', () => {
  it('normalises datastore paths of both spellings', () => {
    assert.deepEqual(parseDatastorePath('[LocalDS_0]/vm1'), { datastore: 'LocalDS_0', path: 'vm1' });
    assert.deepEqual(parseDatastorePath('[LocalDS_0] vm1/'), { datastore: 'LocalDS_0', path: 'vm1' });
    assert.deepEqual(parseDatastorePath('[ds 2] a b/c.vmdk'), { datastore: 'ds 2', path: 'a b/c.vmdk' });
    assert.deepEqual(parseDatastorePath('[LocalDS_0]'), { datastore: 'LocalDS_0', path: '' });
    assert.equal(parseDatastorePath('/vmfs/volumes/x'), null);
  });

  it('lists files of a search result, skipping folders', () => {
    const result = child(
      parseEnvelope(
        '<Envelope xmlns:xsi="i"><Body><R><val xsi:type="ArrayOfHostDatastoreBrowserSearchResults">' +
          '<HostDatastoreBrowserSearchResults><datastore ' +
          'type="Datastore">datastore-61</datastore><folderPath>[LocalDS_0] vm1/</folderPath>' +
          '<file xsi:type="VmConfigFileInfo"><path>vm1.vmx</path><fileSize>2048</fileSize>' +
          '<modification>2026-01-01T00:00:00Z</modification></file>' +
          '<file xsi:type="FolderFileInfo"><path>sub</path></file><file ' +
          'xsi:type="FileInfo"><path>disk1-flat.vmdk</path></file></HostDatastoreBrowserSearchResults>' +
          '<HostDatastoreBrowserSearchResults><folderPath>[LocalDS_0]</folderPath><file ' +
          'xsi:type="VmDiskFileInfo"><path>top.vmdk</path><fileSize>10</fileSize></file>' +
          '</HostDatastoreBrowserSearchResults>' +
          '</val></R></Body></Envelope>',
      ),
      'R',
    );
    assert.deepEqual(parseSearchResults(child(result, 'val')), [
      { path: 'vm1/vm1.vmx', sizeBytes: 2048, modified: Date.parse('2026-01-01T00:00:00Z') / 1000 },
      { path: 'vm1/disk1-flat.vmdk', sizeBytes: null, modified: null },
      { path: 'top.vmdk', sizeBytes: 10, modified: null },
    ]);
  });

  it("maps each snapshot to its own files from layoutEx (data, memory, the chain's top unit)", () => {
    const objects = parseRetrieveResult(
      child(
        child(
          parseEnvelope(
            '<Envelope><Body><R><returnval><objects><obj type="VirtualMachine">vm-1</obj>' +
              '<propSet><name>layoutEx.file</name><val><VirtualMachineFileLayoutExFileInfo><key>0</key><name>[ds] ' +
              'vm/vm.vmx</name><type>config</type><size>100</size></VirtualMachineFileLayoutExFileInfo>' +
              '<VirtualMachineFileLayoutExFileInfo><key>1</key><name>[ds] ' +
              'vm/vm.vmdk</name><type>diskDescriptor</type><size>1</size></VirtualMachineFileLayoutExFileInfo>' +
              '<VirtualMachineFileLayoutExFileInfo><key>2</key><name>[ds] ' +
              'vm/vm-000001.vmdk</name><type>diskDescriptor</type><size>2</size></VirtualMachineFileLayoutExFileInfo>' +
              '<VirtualMachineFileLayoutExFileInfo><key>3</key><name>[ds] ' +
              'vm/vm-000001-delta.vmdk</name><type>diskExtent</type><size>5000</size>' +
              '</VirtualMachineFileLayoutExFileInfo>' +
              '<VirtualMachineFileLayoutExFileInfo><key>4</key><name>[ds] ' +
              'vm/vm-Snapshot1.vmsn</name><type>snapshotData</type><size>30</size>' +
              '</VirtualMachineFileLayoutExFileInfo></val></propSet>' +
              '<propSet><name>layoutEx.snapshot</name><val><VirtualMachineFileLayoutExSnapshotLayout><key ' +
              'type="VirtualMachineSnapshot">snapshot-5</key><dataKey>4</dataKey><memoryKey>-1</memoryKey>' +
              '<disk><key>2000</key><chain><fileKey>1</fileKey></chain><chain><fileKey>2</fileKey>' +
              '<fileKey>3</fileKey></chain></disk></VirtualMachineFileLayoutExSnapshotLayout></val></propSet>' +
              '</objects></returnval></R></Body></Envelope>',
          ),
          'R',
        ),
        'returnval',
      ),
    ).objects;
    const [layout] = parseLayouts(objects);
    assert.equal(layout?.files.length, 5);
    assert.deepEqual(layout?.snapshotFiles, {
      'snapshot-5': ['[ds] vm/vm-Snapshot1.vmsn', '[ds] vm/vm-000001.vmdk', '[ds] vm/vm-000001-delta.vmdk'],
    });
  });

  it('does not list vSAN or vVols datastores, nor excluded ones; an inaccessible one is reported as such', async () => {
    const noCalls = new Proxy(
      {},
      {
        get: () => {
          throw new Error('no call expected');
        },
      },
    ) as SoapClient;
    const out = await scanDatastores(
      noCalls,
      [
        { name: 'vsanDatastore', type: 'vsan', accessible: true, browser: 'b1' },
        { name: 'vvol1', type: 'VVOL', accessible: true, browser: 'b2' },
        { name: 'shared', type: 'NFS', accessible: true, browser: 'b3' },
        { name: 'lost', type: 'VMFS', accessible: false, browser: 'b4' },
      ],
      [],
      new Set(['shared']),
      () => 1,
      AbortSignal.timeout(1000),
    );
    assert.deepEqual(out, [{ datastore: 'lost', scannedAt: null, error: 'datastore not accessible', files: [] }]);
  });
});
