// A detector that cannot judge says so: remote libvirt and a hidepid /proc skip the detectors that
// declare `libvirt.local` / `procfs.unrestricted`, with vmzombie_detector_up 0 and the reason in
// /findings.json and the scan report, instead of looking healthy.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { FindingsState, checkPreconditions } from '../../src/engine/findings-state.js';
import { DETECTORS } from '../../src/catalog/catalog.js';
import { defaultConfig } from '../../src/flags.js';
import { ExporterMetrics } from '../../src/outputs/metrics/exporter-metrics.js';
import { findingsJson } from '../../src/outputs/findings-json.js';
import { textReport } from '../../src/outputs/report.js';
import { parsePromText, value } from '../support/prom-text.js';
import { domain, libvirt, pools, proc, procfs, qemuOf, snapshot, sysfs } from '../support/node-snapshot.js';

const stray = proc(900, 'qemu-system-x86', ['/usr/bin/qemu-system-x86_64', '-name', 'guest=lost', '-m', '32']);
const needing = (p: string) =>
  DETECTORS.filter((d) => d.needs.includes(p as never))
    .map((d) => d.kind)
    .sort();

describe('declared preconditions', () => {
  const web = domain('web');
  // Storage API, networks and filter bindings read (none), qemu logs read (nothing shut off): every
  // libvirt fact holds.
  const read = {
    storage: { pools: [], volumes: [] },
    networks: { networks: [], leases: [] },
    nwfilterBindings: [],
    shutOff: [],
  };
  const healthy = () => ({
    libvirt: libvirt([web], [], read),
    procfs: procfs([qemuOf(500, web), stray]),
    pools: pools([]),
    sysfs: sysfs(),
  });

  it('a local libvirt and a full /proc: every node detector runs, and the stray qemu is found', () => {
    const r = new FindingsState(defaultConfig()).evaluate(snapshot(healthy()));
    assert.deepEqual(r.skipped, {});
    assert.deepEqual(
      r.findings.map((f) => f.kind),
      ['qemu_without_domain'],
    );
  });

  it('remote libvirt: each detector needing libvirt.local is skipped with the reason, and finds nothing', () => {
    const s = snapshot({
      ...healthy(),
      libvirt: libvirt([web], [], { ...read, uri: 'qemu+ssh://hv2/system', local: false }),
    });
    const r = new FindingsState(defaultConfig()).evaluate(s);
    assert.deepEqual(Object.keys(r.skipped).sort(), needing('libvirt.local'));
    assert.ok(needing('libvirt.local').includes('qemu_without_domain'));
    for (const why of Object.values(r.skipped))
      assert.match(why ?? '', /^libvirt is remote \(qemu\+ssh:\/\/hv2\/system\)/);
    assert.deepEqual(r.findings, []);
    const metrics = new ExporterMetrics(defaultConfig(), ['libvirt', 'procfs'], { processMetrics: false });
    metrics.update(s, r);
    return metrics.metrics().then((text) => {
      const samples = parsePromText(text);
      assert.equal(value(samples, 'vmzombie_detector_up', { kind: 'qemu_without_domain' }), 0);
      assert.equal(
        value(samples, 'vmzombie_detector_up', { kind: 'domain_paused' }),
        1,
        'libvirt-only detectors still judge',
      );
    });
  });

  it('hidepid /proc: the detectors needing procfs.unrestricted are skipped; findings.json and scan say why', () => {
    const s = snapshot({ ...healthy(), procfs: procfs([stray], [], { restricted: true }) });
    const r = new FindingsState(defaultConfig()).evaluate(s);
    assert.deepEqual(Object.keys(r.skipped).sort(), needing('procfs.unrestricted'));
    const json = findingsJson(s, r) as { skippedDetectors: Record<string, string> };
    assert.match(json.skippedDetectors.qemu_without_domain ?? '', /hidepid/);
    assert.match(
      textReport(s, r),
      /detector qemu_without_domain could not run: \/proc hides other users' processes \(hidepid\)/,
    );
  });

  it('a section that is down beats a fact about it: the reason names the section', () => {
    const s = snapshot(healthy());
    s.collectors.procfs = {
      state: 'timeout',
      reason: 'timed out',
      durationSeconds: 10,
      lastSuccessSeconds: null,
      stale: false,
    };
    assert.deepEqual(checkPreconditions(['libvirt', 'procfs', 'libvirt.local', 'procfs.unrestricted'], s), {
      run: false,
      reason: 'needs procfs',
      keepLast: true,
    });
  });
});
