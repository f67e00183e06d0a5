// The Hyper-V parser against real captured outputs (test/fixtures/hyperv/samples, each file's first
// line names its public source) and against the script's document in the shapes Windows PowerShell
// 5.1 and PowerShell 7 print (test/fixtures/hyperv/derive-shapes.mjs derives them from the samples).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  parseDrives,
  parseHcsdiagList,
  parseVms,
  parseWorkers,
  workerVmId,
} from '../../../src/sources/hyperv/parse-inventory.js';
import {
  HypervAbsent,
  MARKER,
  parseFilesOutput,
  parseInventoryOutput,
  splitOutput,
} from '../../../src/sources/hyperv/script-output.js';
import { asList, normalizeGuid, parseDate } from '../../../src/sources/hyperv/values.js';
import { HypervSectionSchema } from '../../../src/snapshot/hyperv.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/hyperv');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');
/** A captured sample without its first line (the source it was taken from). */
const sample = (name: string) => fixture(`samples/${name}`).replace(/^[^\n]*\n/, '');

describe('real captured samples', () => {
  it('reads the hard disk drives of a PowerShell 5.1 ConvertTo-Json (vagrant), the all-zero checkpoint as none', () => {
    const controller = JSON.parse(sample('vagrant_get-vmscsicontroller_ps51.json')) as { Drives: unknown };
    const problems: string[] = [];
    const drives = parseDrives(controller.Drives, problems);
    expect(problems).toEqual([]);
    expect(drives[0]).toEqual({
      vmId: '6f225311-b793-49cf-98a3-0a32108e49bb',
      checkpointId: null,
      path:
        'C:\\Users\\vagrant\\project\\.vagrant\\machines\\default\\hyperv\\' +
        'Virtual Hard Disks\\ubuntu-18.04-amd64.vhdx',
    });
    expect(drives).toHaveLength(2);
  });

  it('takes the VM GUID, upper-case second token, from a real vmwp.exe command line', () => {
    const line = sample('vmwp_commandline_example.txt').trim();
    expect(workerVmId(line)).toBe('c17e3a9d-62d6-4af3-bf98-54371869fa54');
    expect(workerVmId(null)).toBeNull();
    expect(workerVmId('"C:\\Windows\\System32\\vmwp.exe"')).toBeNull();
  });

  it('lists the WSL2 VM of a real hcsdiag list, and nothing from the Get-VM table pasted after it', () => {
    expect(parseHcsdiagList(sample('wsl4561_hcsdiag_list_vs_get-vm.txt'))).toEqual([
      { id: 'eed44daf-4f7e-4cf5-82fd-f9c8ebf8db82', owner: 'WSL', type: 'VM' },
    ]);
  });

  it("compares a WMI VM name (upper-case, glpi's French host) with Get-VM's lower-case Id", () => {
    const wmi = /Name=([0-9A-F-]{36})/.exec(sample('glpi_2008_msvm_computersystem_wmi.txt'))?.[1] ?? '';
    expect(wmi).toBe('6A257FA0-FA76-4BF4-A3FB-67AEE79316BD');
    expect(normalizeGuid(wmi)).toBe(normalizeGuid('6a257fa0-fa76-4bf4-a3fb-67aee79316bd'));
  });

  it("reads a raw dump's State number only where its meaning never changed (CLIXML: I32 3 = Off)", () => {
    const xml = sample('devolutions_get-vm_select_clixml.xml');
    const number = Number(/<ToString>Off<\/ToString>\s*<I32>(\d+)<\/I32>/.exec(xml)?.[1]);
    const id = /<G N="VMId">([^<]+)<\/G>/.exec(xml)?.[1];
    const problems: string[] = [];
    const [vm] = parseVms(
      [{ VMId: id, VMName: 'IT-HELP-DVLS', State: number, Status: 'Operating normally' }],
      problems,
    );
    expect(vm?.state).toBe('Off');
    // RunningCritical moved from 32783 to 32785 between Windows versions: a number up there is never guessed.
    const [late] = parseVms([{ Id: id, Name: 'x', State: 32783 }], problems);
    expect(late?.state).toBe('Unknown(32783)');
    expect(problems).toEqual([]);
  });

  it('never reads the localised Status: the same VM in French and English parses the same', () => {
    const vm = { Id: 'ec17fbba-428a-41b0-9d38-1ca689aeb919', Name: 'Server25', State: 'Running' };
    const problems: string[] = [];
    expect(parseVms([{ ...vm, Status: 'Fonctionnement normal' }], problems)).toEqual(
      parseVms([{ ...vm, Status: 'Operating normally' }], problems),
    );
  });
});

describe("the script's document as 5.1 and 7 print it", () => {
  const ps7 = parseInventoryOutput(fixture('inventory-ps7.txt'));
  const ps51 = parseInventoryOutput(fixture('inventory-ps51.txt'));

  it('parses both into the same records (5.1: BOM, warning first, /Date(ms)/, enum numbers, wrapped lists)', () => {
    if (ps7 instanceof HypervAbsent || ps51 instanceof HypervAbsent) throw new Error('absent');
    const { problems: p51, host: h51, ...rest51 } = ps51;
    const { problems: p7, host: h7, ...rest7 } = ps7;
    expect(rest51).toEqual(rest7);
    expect({ ...h51, powershellVersion: '' }).toEqual({ ...h7, powershellVersion: '' });
    expect(p7).toEqual([]);
    expect(p51).toEqual([
      "PowerShell printed: WARNING: The names of some imported commands from the module 'Hyper-V' include " +
        'unapproved verbs.',
    ]);
  });

  it('normalises GUIDs, names, dates and the chain', () => {
    if (ps7 instanceof HypervAbsent) throw new Error('absent');
    expect(ps7.vms.map((v) => [v.name, v.state, v.automaticStartAction])).toEqual([
      ['Server25', 'Running', 'StartIfRunning'],
      ['GNS3 VM', 'Off', 'Nothing'],
      ['project_default_1744059721263_2993', 'Running', 'StartIfRunning'],
    ]);
    expect(ps7.checkpoints[1]).toMatchObject({ creationTime: 1759837007, parentId: ps7.checkpoints[0]?.id });
    expect(ps7.workers.map((w) => w.vmId)).toEqual([
      'ec17fbba-428a-41b0-9d38-1ca689aeb919',
      '6f225311-b793-49cf-98a3-0a32108e49bb',
      'eed44daf-4f7e-4cf5-82fd-f9c8ebf8db82',
      'c17e3a9d-62d6-4af3-bf98-54371869fa54',
    ]);
    expect(ps7.computeSystems).toEqual([{ id: 'eed44daf-4f7e-4cf5-82fd-f9c8ebf8db82', owner: 'WSL', type: 'VM' }]);
    expect(ps7.host).toEqual({
      name: 'WIN-LBC2PSOUUG1',
      bootTime: 1760940000,
      elevated: true,
      computeSystemsListed: true,
      powershellVersion: '7.4.6',
    });
    expect(ps7.vhds.filter((v) => v.vhdType === 'Differencing')).toHaveLength(2);
    const section = { ...ps7, files: { scannedAt: null, error: null, dirs: [] } };
    expect(HypervSectionSchema.parse(section)).toEqual(section);
  });

  it('reads the files document of both, a one-object list included, each file once', () => {
    const f7 = parseFilesOutput(fixture('files-ps7.txt'));
    const f51 = parseFilesOutput(fixture('files-ps51.txt'));
    expect(f51).toEqual(f7);
    if (f7 instanceof HypervAbsent) throw new Error('absent');
    expect(f7.dirs.map((d) => d.files.length)).toEqual([4, 0, 0]);
    expect(f7.dirs[2]?.error).toMatch(/denied/);
  });
});

describe('bad output', () => {
  it('says an empty pipeline printed nothing', () => {
    expect(() => splitOutput('')).toThrow(/printed nothing/);
    expect(() => splitOutput('\r\n  \r\n')).toThrow(/printed nothing/);
  });
  it('says what came instead of the marker, and quotes bad JSON', () => {
    expect(() => splitOutput('Get-VM : You do not have the required permission')).toThrow(/no marker.*permission/);
    expect(() => splitOutput(`${MARKER}\n{"Format":1,`)).toThrow(/bad JSON/);
    expect(() => splitOutput(`${MARKER}\n[1]`)).toThrow(/not one object/);
  });
  it('reports the Hyper-V module missing as absent, and a script failure as its message', () => {
    const absent = parseInventoryOutput(`${MARKER}\n{"Format":1,"Part":"inventory","Absent":"no module"}`);
    expect(absent).toBeInstanceOf(HypervAbsent);
    expect(() => parseInventoryOutput(`${MARKER}\n{"Format":1,"Part":"inventory","Error":"Get-VM: denied"}`)).toThrow(
      /script failed: Get-VM: denied/,
    );
    expect(() => parseInventoryOutput(`${MARKER}\n{"Format":2}`)).toThrow(/not a document/);
  });
  it('keeps the good records when one is bad, and names the bad one', () => {
    const problems: string[] = [];
    const vms = parseVms(
      [
        { Id: 'nope', Name: 'a', State: 'Off' },
        { Id: normalizeGuid('{AB000000-0000-0000-0000-000000000001}'), Name: 'b', State: 'Off' },
      ],
      problems,
    );
    expect(vms.map((v) => v.name)).toEqual(['b']);
    expect(problems[0]).toMatch(/^vms\[0\]: Id: not a GUID/);
    expect(parseWorkers({ ProcessId: 1, CommandLine: null }, problems)[0]).toMatchObject({ vmId: null });
  });
  it('reads dates of both shapes and refuses none silently', () => {
    expect(parseDate('/Date(1574202819000)/')).toBe(1574202819);
    expect(parseDate('2019-11-19T22:33:39.1234567Z')).toBe(1574202819.123);
    expect(parseDate('11/19/2019 22:33:39')).not.toBeNaN();
    expect(parseDate('')).toBeNull();
    expect(asList({ value: [1], Count: 1 })).toEqual([1]);
    expect(asList({ Id: 'x' })).toEqual([{ Id: 'x' }]);
  });
});
