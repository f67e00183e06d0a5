// Fills a catalog entry's first diagnosis command with one finding's values, quoted for the shell it
// is pasted into (POSIX sh; PowerShell for Hyper-V), so a person can paste it as it is (names with
// spaces, quotes or `$` included).
import type { KindSpec } from './kind-spec.js';

/** Single-quotes a value for sh unless it is made only of characters no shell treats specially. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Single-quotes a value for PowerShell unless it is plain: inside '…' nothing expands and a quote is
 * written twice (sh's '\'' is not PowerShell).
 */
export function powershellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:\\-]+$/.test(value)) return value;
  return `'${value.replace(/['\u2018\u2019\u201a\u201b]/g, (q) => q + q)}'`;
}

/** The shell a kind's first command is pasted into: PowerShell on Hyper-V hosts, sh everywhere else. */
const QUOTE_BY_SCOPE: Readonly<Record<string, (value: string) => string>> = { hyperv: powershellQuote };

/** The command with `{{name}}` replaced by the finding's label (or subject); unknown names stay visible. */
export function diagnoseCommand(
  spec: Pick<KindSpec, 'diagnose'> & { scope?: string },
  finding: { subject: string; labels: Readonly<Record<string, string>> },
): string {
  const quote = (spec.scope !== undefined ? QUOTE_BY_SCOPE[spec.scope] : undefined) ?? shellQuote;
  return spec.diagnose.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = name === 'subject' ? finding.subject : finding.labels[name];
    return value === undefined ? whole : quote(value);
  });
}

/** The placeholders a command template uses, for checks that each is a declared label. */
export function diagnosePlaceholders(template: string): string[] {
  return [...template.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] as string);
}
