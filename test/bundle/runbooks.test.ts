// The runbooks: one per alert and one alert per runbook, the four headings in order, markdownlint
// clean, Meaning states the alert's `for`, a kind's runbook starts from the catalog's diagnosis
// command, and every placeholder in a command block is one of the alert's labels or explained.
import { describe, it, vi } from 'vitest';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { buildAlerts } from '../../src/bundle/alerts.js';
import { DEFAULT_CONFIG } from '../../src/bundle/config.js';
import { CATALOG } from '../../src/catalog/catalog.js';

// markdownlint-cli2 and other real programs run over every page.
// Their wall time grows with the machine's load: a 2-core machine shared at a load of 12 per core
// stretches it past the 30 s default. The timeout only catches a hang.
vi.setConfig({ testTimeout: 120_000 });

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIR = path.join(ROOT, 'docs/runbooks');
const alerts = buildAlerts(DEFAULT_CONFIG);

async function runbook(name: string): Promise<string> {
  return readFile(path.join(DIR, `${name}.md`), 'utf8');
}

/** Fenced code blocks, and the text outside them. */
function split(md: string): { code: string[]; prose: string } {
  const code: string[] = [];
  const prose = md.replace(/^ *```(\w*)\n([\s\S]*?)^ *```$/gm, (_, _lang: string, body: string) => {
    code.push(body);
    return '';
  });
  return { code, prose };
}

describe('runbooks', () => {
  it('every alert has a runbook and every runbook an alert', async () => {
    const files = (await readdir(DIR))
      .filter((n) => n.endsWith('.md'))
      .map((n) => n.slice(0, -3))
      .sort();
    assert.deepEqual(files, alerts.map((a) => a.name).sort());
  });

  it('H1 is the alert name, then Meaning, Impact, Diagnosis, Mitigation in that order', async () => {
    for (const a of alerts) {
      const headings = (await runbook(a.name)).split('\n').filter((l) => /^#{1,2} /.test(l));
      assert.deepEqual(headings, [`# ${a.name}`, '## Meaning', '## Impact', '## Diagnosis', '## Mitigation'], a.name);
    }
  });

  it('Meaning states the for of the alert, and ends with how the alert clears', async () => {
    for (const a of alerts) {
      const md = await runbook(a.name);
      const meaning = md.slice(md.indexOf('## Meaning'), md.indexOf('## Impact'));
      assert.ok(meaning.includes(`\`${a.for}\``), `${a.name}: Meaning should say \`${a.for}\``);
      assert.match(md.trimEnd().split('\n\n').at(-1) ?? '', /clears/, `${a.name} ends with how the alert clears`);
    }
  });

  it('Impact opens with the severity for critical and info alerts, and only for them', async () => {
    for (const a of alerts) {
      const md = await runbook(a.name);
      const impact = md.slice(md.indexOf('## Impact') + '## Impact'.length).trimStart();
      const opener = { critical: 'Critical:', info: 'Info:', warning: null }[a.severity];
      if (opener) assert.ok(impact.startsWith(opener), `${a.name}: Impact should open with ${opener}`);
      else assert.ok(!/^(Critical|Info):/.test(impact), `${a.name} is a warning`);
    }
  });

  it("a kind's Diagnosis contains the catalog's first read-only command", async () => {
    for (const a of alerts.filter((x) => x.kind)) {
      const md = await runbook(a.name);
      const diagnosis = md.slice(md.indexOf('## Diagnosis'), md.indexOf('## Mitigation'));
      const command = CATALOG[a.kind!].diagnose.replace(/\{\{(\w+)\}\}/g, '<$1>');
      assert.ok(
        split(diagnosis).code.some((c) =>
          c
            .split('\n')
            .map((l) => l.trim())
            .includes(command),
        ),
        `${a.name}: ${command}`,
      );
    }
  });

  it('every placeholder in a command block is a label of the alert or explained in the text', async () => {
    for (const a of alerts) {
      const { code, prose } = split(await runbook(a.name));
      assert.ok(code.length >= 2, `${a.name} has commands`);
      for (const block of code) {
        for (const m of block.matchAll(/<([a-z][\w-]*)>/g)) {
          const name = m[1] as string;
          assert.ok(
            a.resultLabels.includes(name) || prose.includes(`\`<${name}>\``),
            `${a.name}: <${name}> is neither a label nor explained`,
          );
        }
        assert.ok(!/\{\{|\bTODO\b|\.\.\.\s*$/m.test(block), `${a.name}: leftover template in ${block}`);
      }
    }
  });

  it('code blocks are bash', async () => {
    for (const a of alerts) {
      for (const m of (await runbook(a.name)).matchAll(/^ *```(\w*)$/gm))
        if (m[1] !== '') assert.equal(m[1], a.name.startsWith('VMZombieHyperv') ? 'powershell' : 'bash', a.name);
    }
  });

  it('markdownlint-cli2 finds nothing', async () => {
    const r = await execa('npx', ['markdownlint-cli2', 'docs/runbooks/*.md'], { cwd: ROOT, reject: false });
    assert.equal(r.exitCode, 0, r.stdout + r.stderr);
  });
});
