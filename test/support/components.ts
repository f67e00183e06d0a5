// Suites that need a real component (govmomi's simulator, libvirtd, promtool): outside CI a missing
// one skips the suite with the reason printed; under CI=true it fails the run, so a green CI means
// every real-component suite ran.
import { execFileSync } from 'node:child_process';

const inCi = (): boolean => process.env.CI === 'true' || process.env.CI === '1';

/**
 * Whether to skip a suite because `component` is missing (`why` non-null). Under CI it throws, which
 * fails the test file with the message before any test runs.
 */
export function skipWithout(component: string, why: string | null): boolean {
  if (why === null) return false;
  const message = `${component} is not available: ${why}`;
  if (inCi()) throw new Error(`${message} (CI=true: suites with real components must run, not skip)`);
  process.stderr.write(`skipping: ${message}\n`);
  return true;
}

/** Why the commands are not usable here (not on PATH), or null. */
export function missingCommands(...commands: string[]): string | null {
  const missing = commands.filter((c) => {
    try {
      execFileSync('sh', ['-c', 'command -v "$1"', 'sh', c], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  return missing.length === 0 ? null : `not on PATH: ${missing.join(', ')}`;
}
