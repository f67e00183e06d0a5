// collect.ps1 is parsed by tree-sitter-powershell, so a syntax error in it fails the tests (no
// PowerShell runs here), and every command it calls is a read: Get-*, its own functions, and
// formatting cmdlets. A broken copy proves the check can fail.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import Parser from 'tree-sitter';
import PowerShell from 'tree-sitter-powershell';
import { bundledScriptPath } from '../../../src/sources/hyperv/hyperv-source.js';

const parser = new Parser();
parser.setLanguage(PowerShell);
const script = readFileSync(bundledScriptPath(), 'utf8');

/** Where the tree has ERROR or MISSING nodes, as "line:column text" (empty when the script parses). */
function syntaxErrors(source: string): string[] {
  const out: string[] = [];
  const walk = (n: Parser.SyntaxNode) => {
    if (n.type === 'ERROR' || n.isMissing)
      out.push(`${n.startPosition.row + 1}:${n.startPosition.column + 1} ${n.text}`);
    for (const c of n.children) walk(c);
  };
  const tree = parser.parse(source);
  walk(tree.rootNode);
  if (tree.rootNode.hasError && out.length === 0) out.push('(error somewhere in the tree)');
  return out;
}

function commandNames(source: string): Set<string> {
  const names = new Set<string>();
  const walk = (n: Parser.SyntaxNode) => {
    if (n.type === 'command_name') names.add(n.text);
    for (const c of n.namedChildren) walk(c);
  };
  walk(parser.parse(source).rootNode);
  return names;
}

const READ_ONLY = new Set([
  'Get-VM',
  'Get-VMSnapshot',
  'Get-VMHardDiskDrive',
  'Get-VHD',
  'Get-VMHost',
  'Get-CimInstance',
  'Get-Command',
  'Get-ComputeProcess',
  'Get-Module',
  'Get-ChildItem',
  'Import-Module',
  'New-Object',
  'ForEach-Object',
  'Where-Object',
  'Split-Path',
  'Out-String',
  'ConvertFrom-Json',
  'ConvertTo-Json',
  'Write-Output',
]);

describe('collect.ps1', () => {
  it('parses without a syntax error', () => {
    expect(syntaxErrors(script)).toEqual([]);
  });

  it('a broken copy does not (an unclosed block, a stray parenthesis)', () => {
    expect(syntaxErrors(script.replace('function Read-Workers {', 'function Read-Workers {{'))).not.toEqual([]);
    expect(syntaxErrors(script.replace("$Marker = '---vmzombie-hyperv-json---'", "$Marker = ('x'"))).not.toEqual([]);
  });

  it('calls only reading cmdlets and its own functions', () => {
    const own = new Set([...script.matchAll(/^function ([\w-]+)/gm)].map((m) => m[1] as string));
    const foreign = [...commandNames(script)].filter((n) => !own.has(n) && !READ_ONLY.has(n));
    expect(foreign).toEqual([]);
    expect(commandNames('Stop-Process -Id 4')).toEqual(new Set(['Stop-Process']));
    // The one external program: hcsdiag, only to list.
    expect([...script.matchAll(/& (\$[\w.]+)( '\w+')?/g)].map((m) => `${m[1]}${m[2] ?? ''}`)).toEqual([
      '$Read',
      "$hcsdiag.Source 'list'",
    ]);
  });

  it('writes enums as names, dates as UTC ISO 8601, and lists through -InputObject', () => {
    for (const field of ['State', 'AutomaticStartAction', 'SnapshotType', 'VhdType', 'VhdFormat'])
      expect(script).toMatch(new RegExp(`${field}\\s+= ConvertTo-Name`));
    expect(script).toContain(".ToUniversalTime().ToString('o')");
    expect(script).toContain('ConvertTo-Json -InputObject $document -Depth 6');
    const code = script.replace(/^\s*#.*$/gm, '');
    expect(code).not.toMatch(/StatusDescriptions|\.Status\b|Caption/);
  });
});
