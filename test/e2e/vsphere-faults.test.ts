// The vsphere collector under bad answers: wrong password, a fault envelope, a truncated response,
// a missing Datastore.Browse privilege, a simulator killed during a collection, a server that
// accepts and never answers, a session ended mid-collection, TLS trust. Each marks only vsphere
// down (or only the file scan), with the reason; procfs keeps reporting.
import { afterAll, beforeAll, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { startSimulator, simulatorUnavailable, cleanupSimulatorBuild, type Simulator } from '../vsphere/simulator.js';
import { startExporter, eventually, type ExporterProcess, type Sample } from '../vsphere/exporter-process.js';
import { startFaultProxy, soapFault, type FaultProxy } from '../vsphere/fault-proxy.js';
import { VsphereAdmin } from '../vsphere/admin.js';
import { child, children, text } from '../../src/sources/vsphere/xml.js';
import { parsePromText } from '../support/prom-text.js';
import { skipWithout } from '../support/components.js';

const unavailable = skipWithout("govmomi's vSphere simulator", await simulatorUnavailable());
const COMMON = [
  '--no-collector.libvirt',
  '--collector.procfs',
  '--collector.min-interval=0s',
  '--collector.timeout=8s',
];

interface Status {
  state: string;
  reason: string | null;
}
async function vsphereStatus(e: ExporterProcess): Promise<{ vsphere: Status; procfs: Status }> {
  const json = JSON.parse(await e.get('/findings.json')) as { collectors: Record<string, Status> };
  return { vsphere: json.collectors.vsphere as Status, procfs: json.collectors.procfs as Status };
}
const value = (m: Sample[], name: string, labels: Record<string, string>) =>
  m.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe.skipIf(unavailable)('vsphere collector faults', { timeout: 240_000 }, () => {
  let sim: Simulator;
  let proxy: FaultProxy;
  const running: ExporterProcess[] = [];
  const exporter = async (flags: string[]) => {
    const e = await startExporter([...COMMON, ...flags]);
    running.push(e);
    return e;
  };

  beforeAll(async () => {
    sim = await startSimulator({ user: 'reader', pass: 's3cret' });
    proxy = await startFaultProxy(sim.url);
  });
  afterAll(async () => {
    for (const e of running) await e.stop();
    await proxy?.close();
    await sim?.stop();
    await cleanupSimulatorBuild();
  });

  it('requests per collection: one view and one RetrievePropertiesEx; the file scan once per interval', async () => {
    const e = await exporter([`--vsphere.url=${proxy.url}`, '--vsphere.datastore-scan-interval=1h']);
    await eventually(
      async () =>
        value(await e.metrics(), 'vmzombie_vsphere_vm_layouts_age_seconds', {}) !== undefined ? true : undefined,
      20_000,
      'the file scan',
    );
    const before = proxy.calls.length;
    for (let i = 0; i < 3; i++) await e.metrics();
    const calls = proxy.calls.slice(before);
    const count = (m: string) => calls.filter((c) => c === m).length;
    assert.deepEqual(
      {
        views: count('CreateContainerView'),
        retrieves: count('RetrievePropertiesEx'),
        destroys: count('DestroyView'),
        searches: count('SearchDatastoreSubFolders_Task'),
        logins: count('Login'),
      },
      { views: 3, retrieves: 3, destroys: 3, searches: 0, logins: 0 },
      calls.join(' '),
    );
  });

  it('wrong password: vsphere down with InvalidLogin, procfs up', async () => {
    const e = await exporter([`--vsphere.url=${sim.url.replace('s3cret', 'wrong')}`]);
    const m = await e.metrics();
    assert.equal(value(m, 'vmzombie_collector_up', { collector: 'vsphere' }), 0);
    assert.equal(value(m, 'vmzombie_collector_state', { collector: 'vsphere', state: 'error' }), 1);
    assert.equal(value(m, 'vmzombie_collector_up', { collector: 'procfs' }), 1);
    const st = await vsphereStatus(e);
    assert.match(st.vsphere.reason ?? '', /InvalidLogin/);
    assert.doesNotMatch(st.vsphere.reason ?? '', /wrong/, 'the password never shows up');
  });

  it('a fault envelope, then a truncated response: down with the reason; recovers when answers are good', async () => {
    const e = await exporter([`--vsphere.url=${proxy.url}`]);
    assert.equal(value(await e.metrics(), 'vmzombie_collector_up', { collector: 'vsphere' }), 1);
    try {
      proxy.override = (method) =>
        method === 'RetrievePropertiesEx'
          ? {
              status: 500,
              body: soapFault(
                '<SystemErrorFault xsi:type="SystemError"><reason>disk full</reason></SystemErrorFault>',
                'A general system error occurred: disk full',
              ),
            }
          : null;
      let m = await e.metrics();
      assert.equal(value(m, 'vmzombie_collector_up', { collector: 'vsphere' }), 0);
      assert.equal(value(m, 'vmzombie_collector_up', { collector: 'procfs' }), 1);
      let st = await vsphereStatus(e);
      assert.match(
        st.vsphere.reason ?? '',
        /^127\.0\.0\.1:\d+: SystemError: A general system error occurred: disk full$/,
      );

      proxy.override = (method) =>
        method === 'RetrievePropertiesEx'
          ? {
              status: 200,
              body:
                '<?xml version="1.0"?><soapenv:Envelope ' +
                'xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>' +
                '<RetrievePropertiesExResponse><returnval><objects><obj type="Virtual',
            }
          : null;
      m = await e.metrics();
      assert.equal(value(m, 'vmzombie_collector_up', { collector: 'vsphere' }), 0);
      st = await vsphereStatus(e);
      assert.match(st.vsphere.reason ?? '', /malformed SOAP response|not a SOAP envelope/);
      assert.equal(st.procfs.state, 'ok');
    } finally {
      proxy.override = () => null;
    }
    assert.equal(value(await e.metrics(), 'vmzombie_collector_up', { collector: 'vsphere' }), 1);
  });

  it('no Datastore.Browse: only the file scan is down, with the privilege named', async () => {
    proxy.override = (method) =>
      method === 'SearchDatastoreSubFolders_Task'
        ? {
            status: 500,
            body: soapFault(
              '<NoPermissionFault xsi:type="NoPermission"><object ' +
                'type="Datastore">datastore-1</object><privilegeId>Datastore.Browse</privilegeId></NoPermissionFault>',
              'Permission to perform this operation was denied.',
            ),
          }
        : null;
    try {
      const e = await exporter([`--vsphere.url=${proxy.url}`]);
      const m = await eventually(
        async () => {
          const s = await e.metrics();
          return value(s, 'vmzombie_vsphere_vm_layouts_age_seconds', {}) !== undefined ? s : undefined;
        },
        20_000,
        'the file scan',
      );
      assert.equal(value(m, 'vmzombie_collector_up', { collector: 'vsphere' }), 1);
      assert.equal(value(m, 'vmzombie_vsphere_datastore_scan_up', { datastore: 'LocalDS_0' }), 0);
      assert.equal(value(m, 'vmzombie_vsphere_datastore_scan_age_seconds', { datastore: 'LocalDS_0' }), undefined);
      const page = await e.get('/');
      assert.match(page, /file scan of datastore LocalDS_0 failed: NoPermission \(needs privilege Datastore\.Browse\)/);
    } finally {
      proxy.override = () => null;
    }
  });

  it('layoutEx unreadable: the file scan reports why, the fast path stays up', async () => {
    proxy.override = (method, body) =>
      method === 'RetrievePropertiesEx' && body.includes('layoutEx.file')
        ? {
            status: 500,
            body: soapFault(
              '<NoPermissionFault xsi:type="NoPermission"><object ' +
                'type="Folder">group-d1</object><privilegeId>System.Read</privilegeId></NoPermissionFault>',
              'Permission to perform this operation was denied.',
            ),
          }
        : null;
    try {
      const e = await exporter([`--vsphere.url=${proxy.url}`]);
      const page = await eventually(
        async () => {
          const p = await e.get('/');
          return p.includes('reading VM layouts failed') ? p : undefined;
        },
        20_000,
        'the file scan',
      );
      assert.match(page, /reading VM layouts failed: NoPermission \(needs privilege System\.Read\)/);
      const m = await e.metrics();
      assert.equal(value(m, 'vmzombie_collector_up', { collector: 'vsphere' }), 1);
      assert.equal(value(m, 'vmzombie_vsphere_vm_layouts_age_seconds', {}), undefined);
      assert.equal(
        m.filter((s) => s.name === 'vmzombie_finding_age_seconds' && s.labels.kind?.startsWith('vsphere_')).length,
        0,
      );
    } finally {
      proxy.override = () => null;
    }
  });

  it('TLS: trusted through --vsphere.ca-file, refused without it', async () => {
    const tls = await startSimulator({ tls: true });
    try {
      const trusted = await exporter([`--vsphere.url=${tls.url}`, `--vsphere.ca-file=${tls.certFile}`]);
      assert.equal(value(await trusted.metrics(), 'vmzombie_collector_up', { collector: 'vsphere' }), 1);
      const refused = await exporter([`--vsphere.url=${tls.url}`]);
      assert.equal(value(await refused.metrics(), 'vmzombie_collector_up', { collector: 'vsphere' }), 0);
      assert.match((await vsphereStatus(refused)).vsphere.reason ?? '', /certificate/i);
      const skipped = await exporter([`--vsphere.url=${tls.url}`, '--vsphere.insecure-skip-verify']);
      assert.equal(value(await skipped.metrics(), 'vmzombie_collector_up', { collector: 'vsphere' }), 1);
    } finally {
      await tls.stop();
    }
  });

  it('a server that never answers: the scrape keeps its budget, vsphere times out, the request drops', async () => {
    const e = await exporter([`--vsphere.url=${proxy.url}`]);
    assert.equal(value(await e.metrics(), 'vmzombie_collector_up', { collector: 'vsphere' }), 1);
    proxy.override = (method) => (method === 'RetrievePropertiesEx' ? 'hang' : null);
    try {
      const started = Date.now();
      const res = await fetch(`http://127.0.0.1:${e.port}/metrics`, {
        headers: { 'X-Prometheus-Scrape-Timeout-Seconds': '3' },
      });
      const m = parsePromText(await res.text());
      const took = Date.now() - started;
      assert.ok(took >= 2400 && took < 3000, `answered in ${took} ms`);
      assert.equal(value(m, 'vmzombie_collector_state', { collector: 'vsphere', state: 'timeout' }), 1);
      assert.equal(value(m, 'vmzombie_collector_up', { collector: 'procfs' }), 1);
      assert.ok(m.filter((s) => s.name === 'vmzombie_vsphere_vm_info').length > 0, 'last good inventory kept');
      assert.equal(proxy.hanging(), 1);
      // At --collector.timeout (8 s) the collection is cancelled and its request closed.
      await eventually(
        async () => ((await vsphereStatus(e)).vsphere.reason === 'timed out after 8s' ? true : undefined),
        10_000,
        'the timeout',
      );
      await eventually(async () => (proxy.hanging() === 0 ? true : undefined), 2000, 'the hung request closed');
    } finally {
      proxy.override = () => null;
    }
    assert.equal(value(await e.metrics(), 'vmzombie_collector_up', { collector: 'vsphere' }), 1);
  });

  it('a session ended mid-collection: one new login, a new view, the same collection succeeds', async () => {
    const admin = new VsphereAdmin(sim.url);
    try {
      const e = await exporter([`--vsphere.url=${proxy.url}`]);
      assert.equal(value(await e.metrics(), 'vmzombie_collector_up', { collector: 'vsphere' }), 1);
      const sessionManager = { type: 'SessionManager', value: 'SessionManager' };
      const mine = text(child(await admin.property(sessionManager, 'currentSession'), 'key'));
      let armed = true;
      proxy.beforeForward = async (method) => {
        if (!armed || method !== 'RetrievePropertiesEx') return;
        armed = false;
        // Between the view and the retrieve: every session but the admin's is ended on the server.
        const keys = children(await admin.property(sessionManager, 'sessionList'), 'UserSession')
          .map((s) => text(child(s, 'key')))
          .filter((k) => k !== mine);
        assert.ok(keys.length > 0, 'the exporter has a session');
        await admin.client.call(
          'TerminateSession',
          sessionManager,
          keys.map((k) => `<sessionId>${k}</sessionId>`).join(''),
          AbortSignal.timeout(5000),
        );
      };
      const before = proxy.calls.length;
      const m = await e.metrics();
      const calls = proxy.calls.slice(before);
      assert.equal(armed, false);
      assert.equal(value(m, 'vmzombie_collector_up', { collector: 'vsphere' }), 1, `${calls.join(' ')}: ${e.logs()}`);
      assert.equal(calls.filter((c) => c === 'Login').length, 1, calls.join(' '));
      // The old view went with the session: the retry makes a new one.
      assert.equal(calls.filter((c) => c === 'CreateContainerView').length, 2, calls.join(' '));
      assert.equal(calls.filter((c) => c === 'RetrievePropertiesEx').length, 2, calls.join(' '));
    } finally {
      proxy.beforeForward = async () => {};
      await admin.close();
    }
  });

  it('the simulator killed during a collection: the scrape still answers, vsphere down, procfs up', async () => {
    const big = await startSimulator({ vms: 400 });
    const admin = new VsphereAdmin(big.url);
    const dirs = await Promise.all(
      (await admin.names('Datastore')).map(async (d) => text(await admin.property(d.ref, 'info.url'))),
    );
    await admin.close();
    try {
      const e = await exporter([`--vsphere.url=${big.url}`]);
      assert.equal(value(await e.metrics(), 'vmzombie_collector_up', { collector: 'vsphere' }), 1);
      const started = Date.now();
      const scrape = e.metrics();
      await new Promise((r) => setTimeout(r, 20));
      big.process.kill('SIGKILL');
      const m = await scrape;
      const after = await e.metrics();
      assert.ok(Date.now() - started < 10_000, 'bounded by the collector timeout');
      // The scrape in flight either finished before the kill or failed with it; the next one is down.
      assert.ok([0, 1].includes(value(m, 'vmzombie_collector_up', { collector: 'vsphere' }) ?? -1));
      assert.equal(value(after, 'vmzombie_collector_up', { collector: 'vsphere' }), 0);
      assert.equal(value(after, 'vmzombie_collector_up', { collector: 'procfs' }), 1);
      assert.match((await vsphereStatus(e)).vsphere.reason ?? '', /ECONNREFUSED|socket hang up|ECONNRESET|closed/);
      // The last good data is kept, marked stale.
      assert.equal(after.filter((s) => s.name === 'vmzombie_vsphere_vm_info').length, 800); // 400 per compute resource
    } finally {
      await big.stop();
      // SIGKILL leaves the simulator's datastore directories behind.
      for (const d of dirs) if (d.startsWith('/tmp/govcsim-')) await rm(d, { recursive: true, force: true });
    }
  });
});
