// Parsers of the slow path's extra reads on answers in the shape vSphere's WSDL (vim25) gives them:
// RetrieveVStorageObject, ReadNextEvents and layoutEx.disk with the base disk first, as a real host
// orders the chain (the simulator orders it from the running point down).
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { parseEnvelope, child } from '../../../src/sources/vsphere/xml.js';
import { newestPerVm, parseEvents, parseVStorageObject } from '../../../src/sources/vsphere/fcd-events.js';
import { parseRetrieveResult } from '../../../src/sources/vsphere/retrieve.js';
import { parseLayouts } from '../../../src/sources/vsphere/file-scan.js';

const env = (body: string) =>
  parseEnvelope(
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>' +
      body +
      '</soapenv:Body></soapenv:Envelope>',
  );

describe('RetrieveVStorageObject', () => {
  it('reads id, name, capacity, creation time and backing file of an FCD', () => {
    const body = env(
      '<RetrieveVStorageObjectResponse xmlns="urn:vim25"><returnval><config xsi:type="VStorageObjectConfigInfo">' +
        '<id><id>5b3b4b7a-9c1e-4a53-8a43-3b6a3f3d7c11</id></id>' +
        '<name>pvc-0f2d0d6c-1b7e-4c39-9a55-6a1f2f0d2b7e</name><createTime>2026-01-15T09:12:44.123456Z</createTime>' +
        '<keepAfterDeleteVm>true</keepAfterDeleteVm>' +
        '<backing xsi:type="BaseConfigInfoDiskFileBackingInfo"><datastore type="Datastore">datastore-61</datastore>' +
        '<filePath>[vsanDatastore] fcd/1d5a5d2c9e0e4d2f8a3b4c5d6e7f8a9b.vmdk</filePath>' +
        '<provisioningType>thin</provisioningType></backing>' +
        '<capacityInMB>10240</capacityInMB><consumptionType>disk</consumptionType></config></returnval>' +
        '</RetrieveVStorageObjectResponse>',
    );
    const rv = child(child(body, 'RetrieveVStorageObjectResponse'), 'returnval');
    assert.deepEqual(parseVStorageObject(rv, 'vsanDatastore'), {
      id: '5b3b4b7a-9c1e-4a53-8a43-3b6a3f3d7c11',
      name: 'pvc-0f2d0d6c-1b7e-4c39-9a55-6a1f2f0d2b7e',
      datastore: 'vsanDatastore',
      filePath: '[vsanDatastore] fcd/1d5a5d2c9e0e4d2f8a3b4c5d6e7f8a9b.vmdk',
      capacityBytes: 10240 * 1024 * 1024,
      createTime: Date.parse('2026-01-15T09:12:44.123Z') / 1000,
    });
  });

  it('drops an answer without an id rather than inventing one', () => {
    const body = env('<R xmlns="urn:vim25"><returnval><config><name>x</name></config></returnval></R>');
    assert.equal(parseVStorageObject(child(child(body, 'R'), 'returnval'), 'ds'), null);
  });
});

describe('ReadNextEvents', () => {
  const event = (type: string, key: number, time: string, user: string, name: string, moid: string) =>
    `<returnval xsi:type="${type}"><key>${key}</key><chainId>${key}</chainId><createdTime>${time}</createdTime>` +
    `<userName>${user}</userName><datacenter><name>DC0</name><datacenter type="Datacenter">datacenter-2</datacenter>` +
    `</datacenter><vm><name>${name}</name><vm type="VirtualMachine">${moid}</vm></vm>` +
    `<fullFormattedMessage>Removed ${name} on esx1 from DC0</fullFormattedMessage></returnval>`;

  it('reads type, time, user and VM, and keeps the newest per VM and type', () => {
    const body = env(
      '<ReadNextEventsResponse xmlns="urn:vim25">' +
        event('VmPoweredOffEvent', 101, '2026-03-01T10:00:00Z', 'VSPHERE.LOCAL\\alice', 'db-7', 'vm-88') +
        event('VmPoweredOffEvent', 140, '2026-04-01T10:00:00Z', 'VSPHERE.LOCAL\\carol', 'db-7', 'vm-88') +
        event('VmRemovedEvent', 150, '2026-04-02T08:30:00Z', 'VSPHERE.LOCAL\\bob', 'old-app', 'vm-91') +
        '<returnval xsi:type="VmRemovedEvent"><key>151</key><userName>x</userName></returnval>' +
        '</ReadNextEventsResponse>',
    );
    const events = parseEvents(child(body, 'ReadNextEventsResponse'));
    assert.equal(events.length, 3, 'the event without a time or VM is dropped');
    assert.deepEqual(
      newestPerVm(events).map((e) => [e.type, e.vm, e.vmMoid, e.user, new Date(e.time * 1000).toISOString()]),
      [
        ['VmPoweredOffEvent', 'db-7', 'vm-88', 'VSPHERE.LOCAL\\carol', '2026-04-01T10:00:00.000Z'],
        ['VmRemovedEvent', 'old-app', 'vm-91', 'VSPHERE.LOCAL\\bob', '2026-04-02T08:30:00.000Z'],
      ],
    );
  });
});

describe('layoutEx.disk', () => {
  it('gives each disk chain as descriptor names, base first as a real host orders it', () => {
    const body = env(
      '<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="VirtualMachine">vm-5</obj>' +
        '<propSet><name>layoutEx.file</name><val xsi:type="ArrayOfVirtualMachineFileLayoutExFileInfo">' +
        [
          'vm.vmdk:diskDescriptor',
          'vm-flat.vmdk:diskExtent',
          'vm-000001.vmdk:diskDescriptor',
          'vm-000001-sesparse.vmdk:diskExtent',
        ]
          .map((f, i) => {
            const [name, type] = f.split(':');
            return (
              `<VirtualMachineFileLayoutExFileInfo><key>${i}</key><name>[ds] vm/${name}</name>` +
              `<type>${type}</type><size>${(i + 1) * 100}</size></VirtualMachineFileLayoutExFileInfo>`
            );
          })
          .join('') +
        '</val></propSet><propSet><name>layoutEx.disk</name>' +
        '<val xsi:type="ArrayOfVirtualMachineFileLayoutExDiskLayout">' +
        '<VirtualMachineFileLayoutExDiskLayout><key>2000</key>' +
        '<chain><fileKey>0</fileKey><fileKey>1</fileKey></chain>' +
        '<chain><fileKey>2</fileKey><fileKey>3</fileKey></chain>' +
        '</VirtualMachineFileLayoutExDiskLayout></val></propSet></objects></returnval></RetrievePropertiesExResponse>',
    );
    const { objects } = parseRetrieveResult(child(child(body, 'RetrievePropertiesExResponse'), 'returnval'));
    assert.deepEqual(parseLayouts(objects)[0]?.diskChains, [['[ds] vm/vm.vmdk', '[ds] vm/vm-000001.vmdk']]);
  });
});
