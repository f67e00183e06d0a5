// Keep markers as Kubernetes annotations (vmzombie.io/keep, -by, -until), served by the list/watch test
// server and read through @kubernetes/client-node's watch caches: an annotated object's finding is
// acknowledged, a VM's annotation covers its VMI, an expired one pages again, a malformed one is reported
// and hides nothing, an edit arrives through the watch; every finding carries its namespace as owner.
import { afterEach, describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { KubeApiServer } from '../../support/kube-api-server.js';
import { testKubeReader } from '../../support/kube-reader.js';
import * as k from '../../support/kubevirt-objects.js';
import { waitFor } from '../../support/wait.js';
import type { KubeReader } from '../../../src/sources/kubevirt/kube-reader.js';
import { keepAnnotations } from '../../../src/sources/kubevirt/parse-objects.js';
import { replay } from '../../../src/engine/engine.js';
import { parseArgs } from '../../../src/flags.js';
import { SOURCES } from '../../../src/families/index.js';
import { SNAPSHOT_SCHEMA_VERSION, type Snapshot } from '../../../src/snapshot/snapshot.js';
import type { KubeSection } from '../../../src/snapshot/kube.js';

type Obj = Parameters<KubeApiServer['create']>[1];
const config = parseArgs(
  ['--detect.deletion-grace=0s'],
  SOURCES.map((s) => s.name),
).config;
const now = Math.floor(Date.now() / 1000);
const deleting = { deletionTimestamp: now - 7200, finalizers: ['kubernetes.io/pvc-protection'] };

const annotated = <T extends { metadata: Record<string, unknown> }>(o: T, annotations: Record<string, string>): Obj =>
  ({ ...o, metadata: { ...o.metadata, annotations } }) as unknown as Obj;

const snap = (section: KubeSection): Snapshot => ({
  schemaVersion: SNAPSHOT_SCHEMA_VERSION,
  hostname: 'cluster-agent',
  takenAt: now,
  collectors: { kubevirt: { state: 'ok', reason: null, durationSeconds: 0, lastSuccessSeconds: now, stale: false } },
  kubevirt: section,
});

describe('keep annotations', () => {
  let api: KubeApiServer | null = null;
  let r: KubeReader | null = null;
  afterEach(async () => {
    await r?.close();
    r = null;
    await api?.stop();
    api = null;
  });

  it('parses vmzombie.io/keep, -by and -until; any other vmzombie.io/keep-… makes it malformed', () => {
    assert.equal(keepAnnotations({ 'app.kubernetes.io/name': 'x' }), null);
    assert.deepEqual(
      keepAnnotations({
        'vmzombie.io/keep': 'restore point',
        'vmzombie.io/keep-by': 'carol',
        'vmzombie.io/keep-until': '2027-01-31',
      }),
      { reason: 'restore point', who: 'carol', until: '2027-01-31', unknown: [] },
    );
    assert.deepEqual(keepAnnotations({ 'vmzombie.io/keep': 'r', 'vmzombie.io/keep-owner': 'x' })?.unknown, [
      'vmzombie.io/keep-owner',
    ]);
  });

  it('acknowledges annotated objects through the watch caches; expired pages, malformed hides nothing', async () => {
    const server = new KubeApiServer();
    api = server;
    await server.start();
    const keep = (reason: string, by: string | null, until: string | null) => ({
      'vmzombie.io/keep': reason,
      ...(by ? { 'vmzombie.io/keep-by': by } : {}),
      ...(until ? { 'vmzombie.io/keep-until': until } : {}),
    });
    server.create(
      'pvcs',
      annotated(k.pvc('team-a', 'restore-point', deleting), keep('kept for a restore', 'carol', '2099-01-01')),
    );
    server.create('pvcs', annotated(k.pvc('team-a', 'lapsed', deleting), keep('was kept', 'carol', '2020-01-01')));
    server.create('pvcs', annotated(k.pvc('team-b', 'unsigned', deleting), keep('nobody signed', null, null)));
    server.create('pvcs', k.pvc('team-b', 'plain', deleting) as unknown as Obj);
    // The annotation on the VM covers its VMI stuck in deletion.
    server.create('vms', annotated(k.vm('team-a', 'forensics', 'Stopped'), keep('incident INC-4711', 'dave', null)));
    server.create('vmis', k.vmi('team-a', 'forensics', { deleting }) as unknown as Obj);
    r = testKubeReader(server, 0.2);

    const judge = async () => {
      const section = await (r as KubeReader).read(AbortSignal.timeout(5000));
      const { detection } = replay(config, snap(section));
      const stuck = detection.findings.filter((f) => f.kind === 'kubevirt_stuck_deletion');
      return { detection, stuck, acked: Object.fromEntries(stuck.map((f) => [f.subject, f.acknowledged ?? null])) };
    };
    const first = await judge();
    const reasons = Object.fromEntries(Object.entries(first.acked).map(([s, a]) => [s, a?.reason ?? null]));
    assert.deepEqual(reasons, {
      'persistentvolumeclaims team-a/restore-point': 'kept for a restore',
      'persistentvolumeclaims team-a/lapsed': null,
      'persistentvolumeclaims team-b/unsigned': null,
      'persistentvolumeclaims team-b/plain': null,
      'virtualmachineinstances.kubevirt.io team-a/forensics': 'incident INC-4711',
    });
    assert.equal(
      first.acked['virtualmachineinstances.kubevirt.io team-a/forensics']?.origin,
      'annotation vmzombie.io/keep on virtualmachines.kubevirt.io team-a/forensics',
    );
    assert.deepEqual(
      first.detection.keep!.expired.map((m) => m.origin),
      ['annotation vmzombie.io/keep on persistentvolumeclaims team-a/lapsed'],
    );
    assert.deepEqual(first.detection.keep!.problems, [
      'annotation vmzombie.io/keep on persistentvolumeclaims team-b/unsigned: no who (by); it acknowledges nothing',
    ]);
    // The owner: the namespace (a bounded label for routing), the owning VM in the details.
    const vmi = first.stuck.find((f) => f.subject.endsWith('team-a/forensics'))!;
    assert.deepEqual(vmi.owner, { label: 'kubevirt:team-a', detail: 'namespace team-a, VirtualMachine forensics' });
    assert.equal(first.stuck.find((f) => f.subject.endsWith('team-b/plain'))!.owner?.label, 'kubevirt:team-b');

    // Signing the marker arrives through the watch; the next collection acknowledges it.
    server.modify('pvcs', 'team-b', 'unsigned', (o) => {
      (o.metadata as unknown as { annotations: Record<string, string> }).annotations['vmzombie.io/keep-by'] = 'erin';
    });
    const next = await waitFor('the signed annotation through the watch', async () => {
      const j = await judge();
      return j.acked['persistentvolumeclaims team-b/unsigned'] ? j : null;
    });
    assert.equal(next.acked['persistentvolumeclaims team-b/unsigned']?.who, 'erin');
    assert.deepEqual(next.detection.keep!.problems, []);
  });
});
