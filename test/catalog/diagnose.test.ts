// The first diagnosis command of every kind: only declared placeholders, and values quoted so the
// filled command runs in sh with the subject's odd characters intact.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { CATALOG, FINDING_KINDS } from '../../src/catalog/catalog.js';
import { diagnoseCommand, diagnosePlaceholders, powershellQuote, shellQuote } from '../../src/catalog/diagnose.js';

describe('diagnose commands', () => {
  for (const kind of FINDING_KINDS) {
    it(`${kind}: placeholders are its labels or the subject`, () => {
      const spec = CATALOG[kind];
      const allowed = new Set<string>([...spec.labels, 'subject']);
      for (const name of diagnosePlaceholders(spec.diagnose)) assert.ok(allowed.has(name), `${kind}: {{${name}}}`);
    });
  }

  it('fills labels shell-quoted, so sh sees each value as one word', () => {
    const odd = `it's "web" $HOME; rm -rf / ünï`;
    const cmd = diagnoseCommand({ diagnose: 'printf %s {{domain}}' }, { subject: 'x', labels: { domain: odd } });
    assert.equal(execFileSync('sh', ['-c', cmd], { encoding: 'utf8' }), odd);
  });

  it('leaves plain values unquoted and unknown placeholders visible', () => {
    assert.equal(shellQuote('/var/lib/libvirt/images/a.qcow2'), '/var/lib/libvirt/images/a.qcow2');
    assert.equal(
      diagnoseCommand({ diagnose: 'x {{nope}} {{subject}}' }, { subject: 'a b', labels: {} }),
      "x {{nope}} 'a b'",
    );
  });
});

describe('PowerShell quoting for Hyper-V commands', () => {
  it("doubles a quote inside '…' (sh's '\\'' is not PowerShell) and leaves plain values bare", () => {
    assert.equal(powershellQuote('web-01'), 'web-01');
    assert.equal(powershellQuote("O'Brien vm"), "'O''Brien vm'");
    assert.equal(powershellQuote('a $b'), "'a $b'");
    assert.equal(
      diagnoseCommand({ diagnose: 'Get-VM -Name {{vm}}', scope: 'hyperv' }, { subject: 's', labels: { vm: "it's" } }),
      "Get-VM -Name 'it''s'",
    );
    assert.equal(
      diagnoseCommand(
        { diagnose: 'virsh -r dominfo {{vm}}', scope: 'libvirt' },
        { subject: 's', labels: { vm: "it's" } },
      ),
      "virsh -r dominfo 'it'\\''s'",
    );
  });
});
