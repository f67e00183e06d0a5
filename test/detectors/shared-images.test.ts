// Images on shared storage: never a local orphan_image; per image "in use here" or "unused here",
// keyed by store and path inside it; a host that cannot judge withholds its "unused" answers; the
// per-image series are capped with "in use" kept first.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { orphanImage } from '../../src/detectors/orphan-image.js';
import { sharedImages } from '../../src/views/shared-images.js';
import { sharedStorageMetrics } from '../../src/outputs/metrics/shared-storage-metrics.js';
import { defaultConfig } from '../../src/flags.js';
import { FindingsState } from '../../src/engine/findings-state.js';
import { textReport } from '../../src/outputs/report.js';
import { findingsPage, parseFindingsQuery } from '../../src/outputs/findings-page.js';
import { findingsJson } from '../../src/outputs/findings-json.js';
import type { PoolsSection } from '../../src/snapshot/pools.js';
import type { DetectionResult } from '../../src/detectors/finding.js';
import { parsePromText, value } from '../support/prom-text.js';
import { backedBy, ctx, disk, domain, fd, image, libvirt, NOW, procfs, snapshot } from '../support/node-snapshot.js';

const L = '/var/lib/libvirt/images';
const S = '/mnt/vms';
const STORE = 'nfs1.example:/export/vms';

function sharedPools(images: PoolsSection['images']): PoolsSection {
  const storage = { shared: true, reason: 'filesystem nfs4', fstype: 'nfs4', store: STORE, pathInStore: '/pool' };
  return {
    pools: [
      { name: 'default', path: L, origin: 'libvirt', readable: true },
      { name: 'nfs', path: S, origin: 'libvirt', readable: true, storage },
    ],
    images,
    // A persistent domain's disk outside every pool directory is read too (the pools source follows them).
    external: [image(`${S}/sub/x.qcow2`, { pool: null })],
    problems: [],
    sharedMounts: [{ mountPoint: S, store: STORE, pathInStore: '/pool', reason: 'filesystem nfs4' }],
  };
}

const localStray = image(`${L}/stray.qcow2`);
const old = image(`${S}/old.qcow2`, { pool: 'nfs' });
const base = image(`${S}/base.qcow2`, { pool: 'nfs' });
const live = image(`${S}/live.qcow2`, { pool: 'nfs', backing: backedBy(`${S}/base.qcow2`) });
const held = image(`${S}/held.qcow2`, { pool: 'nfs' });
const young = image(`${S}/young.qcow2`, { pool: 'nfs', mtimeSeconds: NOW - 60 });
const iso = image(`${S}/install.iso`, { pool: 'nfs', format: 'iso' });

function host(over: { restricted?: boolean; local?: boolean } = {}) {
  const vm = domain('vm', { state: 'shutoff', reason: 'shutdown', disks: [disk(`${S}/live.qcow2`)] });
  const elsewhere = domain('other', { state: 'shutoff', reason: 'shutdown', disks: [disk(`${S}/sub/x.qcow2`)] });
  return snapshot({
    libvirt: libvirt([vm, elsewhere], [], { local: over.local ?? true }),
    procfs: procfs([], [fd(900, 5, `${S}/held.qcow2`, { inode: held.inode, devMajor: 8, devMinor: 1 })], {
      restricted: over.restricted ?? false,
    }),
    pools: sharedPools([localStray, old, base, live, held, young, iso]),
  });
}

describe('shared storage images', () => {
  it('orphan_image reports the local stray only: a shared image may be the disk of a domain on another host', () => {
    const found = orphanImage.detect(host(), ctx());
    assert.deepEqual(
      found.map((f) => f.subject),
      [`${L}/stray.qcow2`],
    );
  });

  it('each shared image is in use here (chains, disks outside pools, open files) or unused here, by store path', () => {
    const view = sharedImages(host(), NOW, 3600)!;
    assert.deepEqual(
      view.images.map((i) => [i.store, i.image, i.state]),
      [
        [STORE, '/pool/base.qcow2', 'in_use'],
        [STORE, '/pool/held.qcow2', 'in_use'],
        [STORE, '/pool/live.qcow2', 'in_use'],
        [STORE, '/pool/old.qcow2', 'unused'],
        [STORE, '/pool/sub/x.qcow2', 'in_use'],
      ],
    );
    assert.deepEqual(view.stores, [{ store: STORE, mountPoints: [S], reason: 'filesystem nfs4', notJudged: null }]);
  });

  it('a host that cannot judge (hidepid, remote libvirt) says what it uses and withholds "unused"', () => {
    for (const over of [{ restricted: true }, { local: false }]) {
      const view = sharedImages(host(over), NOW, 3600)!;
      assert.ok(view.stores[0]?.notJudged, JSON.stringify(over));
      assert.ok(!view.images.some((i) => i.state === 'unused'), JSON.stringify(over));
    }
  });

  it('no view at all on a host without shared storage', () => {
    const s = host();
    assert.equal(sharedImages({ ...s, pools: { ...s.pools!, sharedMounts: [] } }, NOW, 3600), null);
  });

  it('series are capped with "in use" first; cutting an "in use" one marks the store not judged', async () => {
    const view = sharedImages(host(), NOW, 3600)!;
    const detection = {
      findings: [],
      skipped: {},
      errors: {},
      inapplicable: [],
      sharedImages: view,
    } as DetectionResult;
    const scrapeWith = async (max: number) => {
      const registry = new Registry();
      const m = sharedStorageMetrics(registry, { ...defaultConfig(), 'pool.max-shared-image-series': max });
      m.update(host(), detection);
      return parsePromText(await registry.metrics());
    };
    const four = await scrapeWith(4);
    assert.equal(
      value(four, 'vmzombie_shared_image', { store: STORE, image: '/pool/sub/x.qcow2', state: 'in_use' }),
      1,
    );
    assert.equal(
      value(four, 'vmzombie_shared_image', { store: STORE, image: '/pool/old.qcow2', state: 'unused' }),
      undefined,
    );
    assert.equal(value(four, 'vmzombie_shared_images_dropped_total', {}), 1);
    assert.equal(value(four, 'vmzombie_shared_storage_judged', { store: STORE }), 1);
    const three = await scrapeWith(3);
    assert.equal(value(three, 'vmzombie_shared_storage_judged', { store: STORE }), 0);
    const all = await scrapeWith(1000);
    assert.equal(value(all, 'vmzombie_shared_image', { store: STORE, image: '/pool/old.qcow2', state: 'unused' }), 1);
    assert.equal(value(all, 'vmzombie_shared_images_dropped_total', {}), 0);
  });

  it('scan, the findings page and JSON say one host alone cannot judge a shared candidate, and list it', () => {
    const s = host();
    const detection = new FindingsState({ ...defaultConfig(), 'detect.grace': 0 }).evaluate(s);
    assert.ok(detection.findings.every((f) => f.subject !== `${S}/old.qcow2`));
    const text = textReport(s, detection);
    assert.match(text, /one host alone cannot judge these/);
    assert.match(text, new RegExp(`candidate ${S}/old.qcow2 \\(store path /pool/old.qcow2`));
    assert.ok(!text.includes(`candidate ${S}/live.qcow2`));
    const pageHtml = findingsPage(s, detection, parseFindingsQuery({}));
    assert.match(pageHtml, /one host alone cannot judge these/);
    assert.ok(pageHtml.includes(`<code>${S}/old.qcow2</code>`));
    const json = findingsJson(s, detection) as { sharedStorage?: { images: unknown[] } };
    assert.equal(json.sharedStorage?.images.length, 5);
  });
});
