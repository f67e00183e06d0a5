// Test runner setup: unit tests (everything outside test/e2e/) run files in parallel; end-to-end
// suites share one libvirtd, fixed ports and the machine's CPUs, so they run one file at a time, after
// the unit tests, with timeouts sized for real daemons and QEMU under TCG.
import { defineConfig } from 'vitest/config';
import { CountsReporter } from './test/support/counts-reporter.js';

export default defineConfig({
  test: {
    // The counts line last: CI reads `N passed, N failed, N skipped` from the output.
    reporters: ['default', new CountsReporter()],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          fileParallelism: false,
          maxWorkers: 1,
          testTimeout: 300_000,
          hookTimeout: 600_000,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
