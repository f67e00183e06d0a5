// Golden outputs: each snapshot captured from a real end-to-end scenario (libvirtd + QEMU, the KubeVirt
// list/watch replay, govmomi's simulator) is replayed through detection and every output, and compared
// with the committed files beside it. A renamed metric, a changed label or a reworded finding fails
// here. After an intended change: `UPDATE_GOLDEN=1 npx vitest run test/golden` and review the diff.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from '../../src/flags.js';
import { SOURCES } from '../../src/families/index.js';
import { parseSnapshot } from '../../src/families/index.js';
import { replay } from '../../src/engine/engine.js';
import { ExporterMetrics } from '../../src/outputs/metrics/exporter-metrics.js';
import { findingsJson } from '../../src/outputs/findings-json.js';
import { textReport } from '../../src/outputs/report.js';
import { SNAPSHOT_FIXTURES } from '../support/capture.js';

const GOLDEN = path.join(SNAPSHOT_FIXTURES, '../golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const SCENARIOS = readdirSync(SNAPSHOT_FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''))
  .sort();

/** Exposition with the lines whose order is not meaningful sorted, and the build's own version left out. */
function normalizedMetrics(text: string): string {
  const lines = text.split('\n').filter((l) => l !== '' && !l.startsWith('vmzombie_build_info'));
  const help = lines.filter((l) => l.startsWith('#')).sort();
  const samples = lines.filter((l) => !l.startsWith('#')).sort();
  return [...help, ...samples].join('\n') + '\n';
}

async function outputs(name: string): Promise<Record<string, string>> {
  const { args, snapshot: raw } = JSON.parse(readFileSync(path.join(SNAPSHOT_FIXTURES, `${name}.json`), 'utf8')) as {
    args: string[];
    snapshot: unknown;
  };
  const { config } = parseArgs(
    ['scan', ...args],
    SOURCES.map((s) => s.name),
  );
  const snapshot = parseSnapshot(raw);
  const { detection } = replay(config, snapshot);
  const metrics = new ExporterMetrics(config, Object.keys(snapshot.collectors), { processMetrics: false });
  metrics.update(snapshot, detection);
  return {
    'scan.txt': textReport(snapshot, detection),
    'findings.json': `${JSON.stringify(findingsJson(snapshot, detection), null, 2)}\n`,
    'metrics.prom': normalizedMetrics(await metrics.metrics()),
  };
}

describe('golden outputs of captured snapshots', () => {
  it('has the three real scenarios', () => {
    assert.deepEqual(SCENARIOS, ['kubevirt-freeze-loop', 'libvirt-host', 'vsphere-simulator']);
  });

  for (const name of SCENARIOS) {
    it(`${name}: scan text, findings JSON and /metrics match the golden files`, async () => {
      const dir = path.join(GOLDEN, name);
      for (const [file, actual] of Object.entries(await outputs(name))) {
        const golden = path.join(dir, file);
        if (UPDATE) {
          mkdirSync(dir, { recursive: true });
          writeFileSync(golden, actual);
          continue;
        }
        assert.ok(existsSync(golden), `${golden} missing: run UPDATE_GOLDEN=1 npx vitest run test/golden`);
        assert.equal(actual, readFileSync(golden, 'utf8'), `${name}/${file} differs from its golden file`);
      }
    });

    it(`${name}: a finding in the golden findings is in the metrics, under its declared labels`, async () => {
      const out = await outputs(name);
      const json = JSON.parse(out['findings.json'] as string) as {
        findings: Array<{ kind: string; subject: string; pending: boolean }>;
      };
      assert.ok(json.findings.length > 0, 'the scenario has findings');
      for (const f of json.findings.filter((x) => !x.pending)) {
        assert.ok(
          out['metrics.prom']
            ?.split('\n')
            .some((l) => l.startsWith('vmzombie_finding_age_seconds{') && l.includes(`kind="${f.kind}"`)),
          `${f.kind} ${f.subject} has its series`,
        );
      }
    });
  }
});
