// Fills a catalog entry's first diagnosis command with one finding's values, quoted for a POSIX
// shell, so a person can paste it as it is (names with spaces, quotes or `$` included).
import type { KindSpec } from './kind-spec.js';

/** Single-quotes a value for sh unless it is made only of characters no shell treats specially. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The command with `{{name}}` replaced by the finding's label (or subject); unknown names stay visible. */
export function diagnoseCommand(
  spec: Pick<KindSpec, 'diagnose'>,
  finding: { subject: string; labels: Readonly<Record<string, string>> },
): string {
  return spec.diagnose.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = name === 'subject' ? finding.subject : finding.labels[name];
    return value === undefined ? whole : shellQuote(value);
  });
}

/** The placeholders a command template uses, for checks that each is a declared label. */
export function diagnosePlaceholders(template: string): string[] {
  return [...template.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] as string);
}
