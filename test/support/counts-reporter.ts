// Vitest reporter that prints one plain line after a run, `N passed, N failed, N skipped`, for CI
// to read. A file that fails before its tests are collected (a missing component under CI=true, a
// syntax error) counts as one failure, so the line never reads "0 failed" for a broken run.
import type { Reporter, TestModule } from 'vitest/node';

export class CountsReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const m of modules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
        else skipped++;
      }
      // Errors outside any test (collection, beforeAll/afterAll at file level) fail the file.
      if (failedHere === 0 && (m.state() === 'failed' || m.errors().length > 0)) failedHere = 1;
      failed += failedHere;
    }
    if (unhandledErrors.length > 0) failed += unhandledErrors.length;
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
