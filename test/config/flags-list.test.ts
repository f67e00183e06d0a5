// Repeatable (list) flags: --vsphere.url once per vCenter, defaults replaced by the first use.
import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { parseArgs, flagsHelp } from '../../src/flags.js';
import { enabledSources } from '../../src/engine/engine.js';

describe('list flags', () => {
  it('collects every --vsphere.url, in order, in both spellings', () => {
    const { config } = parseArgs(['--vsphere.url=https://vc1/sdk', '--vsphere.url', 'https://vc2/sdk'], []);
    assert.deepEqual(config['vsphere.url'], ['https://vc1/sdk', 'https://vc2/sdk']);
    assert.deepEqual(parseArgs([], [])['config']['vsphere.url'], []);
  });

  it('turns the vsphere collector on only when a URL is given', () => {
    const names = (argv: string[]) =>
      enabledSources(parseArgs(argv, ['libvirt', 'procfs', 'vsphere']).config).map((s) => s.name);
    assert.ok(!names([]).includes('vsphere'));
    assert.ok(names(['--vsphere.url=https://vc1/sdk']).includes('vsphere'));
    assert.ok(!names(['--vsphere.url=https://vc1/sdk', '--no-collector.vsphere']).includes('vsphere'));
  });

  it('says in --help that the flag repeats', () => {
    assert.match(flagsHelp([]), /--vsphere\.url=<list>\n\s+vCenter or ESXi SDK URL.*\(repeatable\) Default: \(none\)/);
  });
});
