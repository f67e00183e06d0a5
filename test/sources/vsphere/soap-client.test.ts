// The SOAP client and the fast path's retrieval on recorded envelopes: paging through
// ContinueRetrievePropertiesEx, the session cookie, re-login on NotAuthenticated, logout.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { SoapClient, vcenterLabel } from '../../../src/sources/vsphere/soap-client.js';
import { retrieveFromContainer } from '../../../src/sources/vsphere/retrieve.js';
import { INVENTORY_SPECS, parseInventory } from '../../../src/sources/vsphere/parse-inventory.js';
import { isVsphereFaultError } from '../../../src/sources/vsphere/vsphere-fault-error.js';
import { envelopeOf, fixture, startRecordedServer, type Handler } from './recorded-server.js';

const NOT_AUTHENTICATED = envelopeOf(
  '<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>The session is not authenticated.</faultstring>' +
    '<detail><NotAuthenticatedFault xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'xsi:type="NotAuthenticated"><object ' +
    'type="PropertyCollector">propertyCollector</object><privilegeId>System.View</privilegeId>' +
    '</NotAuthenticatedFault></detail></soapenv:Fault>',
);

function vcenter(overrides: Partial<Record<string, Handler>> = {}): Handler {
  let logins = 0;
  return (req) => {
    const o = overrides[req.method];
    if (o) return o(req);
    switch (req.method) {
      case 'RetrieveServiceContent':
        return { body: fixture('service-content.xml') };
      case 'Login':
        logins++;
        return {
          body: envelopeOf('<LoginResponse xmlns="urn:vim25"><returnval><key>k</key></returnval></LoginResponse>'),
          cookie: `session-${logins}`,
        };
      case 'CreateContainerView':
        return { body: fixture('create-container-view.xml') };
      case 'RetrievePropertiesEx':
        return { body: fixture('retrieve-page1.xml') };
      case 'ContinueRetrievePropertiesEx':
        assert.match(req.body, /<token>2<\/token>/);
        return { body: fixture('retrieve-page2.xml') };
      case 'DestroyView':
        return { body: envelopeOf('<DestroyViewResponse xmlns="urn:vim25"></DestroyViewResponse>') };
      case 'Logout':
        return { body: envelopeOf('<LogoutResponse xmlns="urn:vim25"></LogoutResponse>') };
      default:
        throw new Error(`unexpected ${req.method}`);
    }
  };
}

describe('vSphere SOAP client on recorded envelopes', () => {
  it('follows ContinueRetrievePropertiesEx tokens until the last page', async () => {
    const server = await startRecordedServer(vcenter());
    const client = new SoapClient({ url: new URL(server.url), username: 'user', password: 'pass' });
    try {
      const res = await retrieveFromContainer(client, INVENTORY_SPECS, AbortSignal.timeout(5000));
      assert.equal(res.pages, 2);
      assert.equal(res.objects.length, 10);
      const inv = parseInventory(res.objects);
      assert.deepEqual(inv.vms.map((v) => v.name).sort(), [
        'DC0_C0_RP0_VM0',
        'DC0_C0_RP0_VM1',
        'DC0_H0_VM0',
        'DC0_H0_VM1',
      ]);
      assert.equal(inv.hosts.length, 4);
      assert.deepEqual(inv.problems, []);
      assert.deepEqual(
        server.requests.map((r) => r.method),
        [
          'RetrieveServiceContent',
          'Login',
          'CreateContainerView',
          'RetrievePropertiesEx',
          'ContinueRetrievePropertiesEx',
          'DestroyView',
        ],
      );
      assert.ok(
        server.requests.slice(2).every((r) => r.cookie === 'vmware_soap_session="session-1"'),
        'the session cookie goes with every call',
      );
    } finally {
      await client.close();
      await server.close();
    }
    assert.equal(server.requests.at(-1)?.method, 'Logout');
  });

  it('logs in again when the session expired (NotAuthenticated), once', async () => {
    let expired = true;
    const server = await startRecordedServer(
      vcenter({
        RetrievePropertiesEx: () =>
          expired
            ? ((expired = false), { status: 500, body: NOT_AUTHENTICATED })
            : { body: fixture('retrieve-inventory.xml') },
      }),
    );
    const client = new SoapClient({ url: new URL(server.url), username: 'user', password: 'pass' });
    try {
      const res = await retrieveFromContainer(client, INVENTORY_SPECS, AbortSignal.timeout(5000));
      assert.equal(res.objects.length, 10);
      assert.equal(server.requests.filter((r) => r.method === 'Login').length, 2);
      const retried = server.requests.filter((r) => r.method === 'RetrievePropertiesEx');
      assert.deepEqual(
        retried.map((r) => r.cookie),
        ['vmware_soap_session="session-1"', 'vmware_soap_session="session-2"'],
      );
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('gives up after one re-login and reports the typed fault', async () => {
    const server = await startRecordedServer(
      vcenter({ RetrievePropertiesEx: () => ({ status: 500, body: NOT_AUTHENTICATED }) }),
    );
    const client = new SoapClient({ url: new URL(server.url), username: 'user', password: 'pass' });
    try {
      await assert.rejects(
        retrieveFromContainer(client, INVENTORY_SPECS, AbortSignal.timeout(5000)),
        (e: unknown) => isVsphereFaultError(e) && e.fault === 'NotAuthenticated' && e.privilegeId === 'System.View',
      );
      assert.equal(server.requests.filter((r) => r.method === 'Login').length, 2);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('sends a call again once when a kept-alive connection was closed under it', async () => {
    let hangUps = 0;
    const server = await startRecordedServer(
      vcenter({
        RetrievePropertiesEx: () =>
          hangUps++ === 0 ? { body: '', hangUp: true } : { body: fixture('retrieve-inventory.xml') },
      }),
    );
    const client = new SoapClient({ url: new URL(server.url), username: 'user', password: 'pass' });
    try {
      const res = await retrieveFromContainer(client, INVENTORY_SPECS, AbortSignal.timeout(5000));
      assert.equal(res.objects.length, 10);
      assert.equal(server.requests.filter((r) => r.method === 'RetrievePropertiesEx').length, 2);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('aborts a call when the signal fires', async () => {
    const server = await startRecordedServer(vcenter());
    const client = new SoapClient({ url: new URL(server.url), username: 'user', password: 'pass' });
    try {
      const controller = new AbortController();
      controller.abort(new Error('collector timeout'));
      await assert.rejects(retrieveFromContainer(client, INVENTORY_SPECS, controller.signal), /collector timeout/);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('labels a vCenter by host:port, the default port written out', () => {
    assert.equal(vcenterLabel(new URL('https://u:p@vc.example/sdk')), 'vc.example:443');
    assert.equal(vcenterLabel(new URL('http://127.0.0.1:18200/sdk')), '127.0.0.1:18200');
    assert.equal(vcenterLabel(new URL('https://[::1]:8443/sdk')), '[::1]:8443');
  });
});

describe('vsphere source login failures', () => {
  it('after InvalidLogin, waits before the next attempt instead of retrying every scrape', async () => {
    const { VcenterReader } = await import('../../../src/sources/vsphere/vsphere-source.js');
    const { silentLogger } = await import('../../../src/util/log.js');
    const invalid = envelopeOf(
      '<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>Cannot complete login due to an incorrect ' +
        'user name or password.</faultstring>' +
        '<detail><InvalidLoginFault xmlns="urn:vim25" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
        'xsi:type="InvalidLogin"></InvalidLoginFault></detail></soapenv:Fault>',
    );
    const server = await startRecordedServer(vcenter({ Login: () => ({ status: 500, body: invalid }) }));
    let now = 1000;
    const reader = new VcenterReader(
      {
        url: server.url,
        username: '',
        passwordFile: '',
        caFile: '',
        insecureSkipVerify: false,
        scanIntervalSeconds: 3600,
        scanTimeoutSeconds: 5,
        excludeDatastores: [],
        maxEvents: 1000,
        clock: () => now,
      },
      silentLogger,
    );
    try {
      await assert.rejects(
        reader.read(AbortSignal.timeout(5000), []),
        /^VsphereFaultError: InvalidLogin: Cannot complete login/,
      );
      now += 60;
      await assert.rejects(reader.read(AbortSignal.timeout(5000), []), /InvalidLogin.*next login attempt after/);
      assert.equal(server.requests.filter((r) => r.method === 'Login').length, 1);
      now += 300;
      await assert.rejects(reader.read(AbortSignal.timeout(5000), []), /InvalidLogin: Cannot complete login/);
      assert.equal(server.requests.filter((r) => r.method === 'Login').length, 2);
    } finally {
      await reader.close();
      await server.close();
    }
  });
});
