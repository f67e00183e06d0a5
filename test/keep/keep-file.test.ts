// The keep file: entries become markers; a malformed entry or file is reported with its reason and
// acknowledges nothing; the file is read again when it changes; globs match subjects whole.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { KeepFile, parseKeepFile, parseUntil } from '../../src/keep/keep-file.js';
import { markerMatches, type KeepMarker } from '../../src/keep/keep-marker.js';

const GOOD = `keep:
  - subject: /var/lib/libvirt/images/golden-*.qcow2
    kind: orphan_image
    reason: golden image the templates clone from
    who: alice
  - subject: domain forensics (0000)
    reason: kept for the incident review
    who: bob@example.com
    until: 2027-03-31
`;

describe('keep file', () => {
  it('reads entries with kind, reason, who and an optional until (a date means the end of that day, UTC)', () => {
    const set = parseKeepFile(GOOD, 'keep.yaml');
    assert.deepEqual(set.problems, []);
    assert.equal(set.markers.length, 2);
    assert.deepEqual(set.markers[0], {
      subject: '/var/lib/libvirt/images/golden-*.qcow2',
      kind: 'orphan_image',
      reason: 'golden image the templates clone from',
      who: 'alice',
      until: null,
      origin: 'keep.yaml entry 1',
    });
    assert.equal(set.markers[1]!.until, Date.parse('2027-03-31T23:59:59Z') / 1000);
    assert.equal(parseUntil('2027-01-02T03:04:05Z'), Date.parse('2027-01-02T03:04:05Z') / 1000);
  });

  it('reports each malformed entry with why and keeps the good ones; never a marker from a bad entry', () => {
    const text = `keep:
  - subject: /a
    reason: r
  - subject: /b
    reason: r
    who: w
    until: next tuesday
  - subject: /c
    reason: r
    who: w
    colour: blue
  - subject: /d
    reason: ok
    who: w
`;
    const set = parseKeepFile(text, 'k.yaml');
    assert.deepEqual(
      set.markers.map((m) => m.subject),
      ['/d'],
    );
    assert.equal(set.problems.length, 3);
    assert.match(set.problems[0]!, /^k\.yaml entry 1: who: /);
    assert.match(set.problems[1]!, /^k\.yaml entry 2: until: "next tuesday" is not a date/);
    assert.match(set.problems[2]!, /^k\.yaml entry 3: .*colour/);
    assert.match(parseKeepFile('keep: [unclosed', 'k.yaml').problems[0]!, /^k\.yaml: not YAML/);
    assert.match(parseKeepFile('- a\n- b\n', 'k.yaml').problems[0]!, /top-level "keep:" list/);
    assert.deepEqual(parseKeepFile('', 'k.yaml'), { markers: [], problems: [] });
  });

  it('globs match the whole subject; a marker without a kind matches any kind', () => {
    const m = (subject: string, kind: string | null = null): KeepMarker => ({
      subject,
      kind,
      reason: 'r',
      who: 'w',
      until: null,
      origin: 'o',
    });
    assert.ok(markerMatches(m('/img/golden-*.qcow2'), 'orphan_image', '/img/golden-web.qcow2'));
    assert.ok(!markerMatches(m('/img/golden-*.qcow2'), 'orphan_image', '/img/golden-web.qcow2.bak'));
    assert.ok(!markerMatches(m('/img/golden-*.qcow2', 'orphan_image'), 'snapshot_chain_deep', '/img/golden-a.qcow2'));
    assert.ok(markerMatches(m('domain a (1)'), 'domain_paused', 'domain a (1)'));
    assert.ok(!markerMatches(m('domain a.(1)'), 'domain_paused', 'domain aX(1)'), 'regex characters are literal');
    assert.ok(markerMatches(m('vm-10?-disk'), 'orphan_volume', 'vm-101-disk'));
  });

  it('is read again when it changes, and an unreadable file acknowledges nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vmz-keep-'));
    try {
      const file = path.join(dir, 'keep.yaml');
      await writeFile(file, GOOD);
      const keep = new KeepFile(file);
      assert.equal((await keep.load()).markers.length, 2);
      await writeFile(file, 'keep:\n  - subject: /x\n    reason: r\n    who: w\n');
      // Same second on a coarse filesystem: a different size still says it changed.
      assert.deepEqual(
        (await keep.load()).markers.map((m) => m.subject),
        ['/x'],
      );
      await utimes(file, new Date(), new Date(Date.now() + 5000));
      assert.equal((await keep.load()).markers.length, 1);
      await rm(file);
      const gone = await keep.load();
      assert.deepEqual(gone.markers, []);
      assert.match(gone.problems[0]!, /keep\.yaml: .*ENOENT|no such file/i);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
