// /proc churn on the real host: thousands of short-lived processes start and exit while the procfs
// source scans. Every collection succeeds with no problems; processes gone mid-scan are counted
// (skipped.vanished), not reported or logged one by one.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readProcfs } from '../../../src/sources/procfs/read-procfs.js';

test(
  '3000 short-lived processes during the scans: no problems, the vanished ones counted',
  { timeout: 120_000 },
  async () => {
    // 30 rounds of 100 concurrent /bin/true: each exists for about a millisecond.
    const churn = spawn('bash', ['-c', 'for r in $(seq 30); do for i in $(seq 100); do /bin/true & done; wait; done'], {
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => churn.once('exit', (code) => resolve(code)));
    let running = true;
    void exited.then(() => {
      running = false;
    });
    let collections = 0;
    let vanished = 0;
    while (running || collections < 5) {
      const s = await readProcfs('/proc');
      collections++;
      vanished += s.skipped?.vanished ?? 0;
      assert.deepEqual(s.problems, [], `collection ${collections}`);
      assert.ok(
        s.processes.some((p) => p.pid === process.pid),
        'the scan sees this process',
      );
    }
    assert.equal(await exited, 0);
    assert.ok(vanished > 0, `${collections} collections, ${vanished} entries vanished mid-scan`);
    console.log(`# churn: ${collections} collections, ${vanished} entries vanished mid-scan, 0 problems`);
  },
);
