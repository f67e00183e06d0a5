import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { Prefetch, WARM_UP_SECONDS } from '../../src/engine/prefetch.js';

/** A clock and timer the test moves by hand: due timers fire as time passes. */
function manualTime() {
  let now = 1000;
  let timers: Array<{ at: number; fn: () => void }> = [];
  return {
    clock: () => now,
    timer: (seconds: number, fn: () => void) => {
      const t = { at: now + seconds, fn };
      timers.push(t);
      return () => {
        timers = timers.filter((x) => x !== t);
      };
    },
    async advance(seconds: number) {
      const until = now + seconds;
      for (;;) {
        const due = timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
        await new Promise((r) => setImmediate(r));
      }
      now = until;
    },
    pending: () => timers.length,
  };
}

describe('prefetch', () => {
  it('after one interval, refreshes shortly before the next scrape is due, once per interval', async () => {
    const t = manualTime();
    const refreshes: number[] = [];
    const p = new Prefetch(
      async () => {
        refreshes.push(t.clock());
      },
      { minIntervalSeconds: 5, clock: t.clock, timer: t.timer },
    );
    p.scraped(); // 1000: no interval known
    assert.equal(t.pending(), 0);
    await t.advance(15);
    p.scraped(); // 1015: 15 s expected again
    await t.advance(15);
    assert.deepEqual(refreshes, [1029.5], 'half a second ahead of the scrape due at 1030');
    p.scraped(); // 1030
    await t.advance(15);
    assert.deepEqual(refreshes, [1029.5, 1044.5]);
  });

  it('warm-up: keeps a result fresh from the first scrape until the second, then prefetches as usual', async () => {
    const t = manualTime();
    const refreshes: Array<[number, number]> = [];
    const p = new Prefetch(async (ahead) => void refreshes.push([t.clock(), ahead]), {
      minIntervalSeconds: 5,
      clock: t.clock,
      timer: t.timer,
      warmUp: true,
    });
    p.scraped(); // 1000: interval unknown
    await t.advance(15);
    // Every 4.5 s (min-interval less a 0.5 s lead), each fresh until the step after it.
    assert.deepEqual(refreshes, [
      [1004.5, 5],
      [1009, 5],
      [1013.5, 5],
    ]);
    p.scraped(); // 1015: the interval is known, the warm-up ends
    await t.advance(15);
    assert.deepEqual(refreshes.slice(3), [[1029.5, 0.5]]);
    assert.equal(t.pending(), 0);
  });

  it('warm-up: ends by itself when no second scrape comes, and on close', async () => {
    const t = manualTime();
    let refreshed = 0;
    const p = new Prefetch(async () => void refreshed++, {
      minIntervalSeconds: 5,
      clock: t.clock,
      timer: t.timer,
      warmUp: true,
    });
    p.scraped();
    await t.advance(600);
    assert.equal(refreshed, Math.floor(WARM_UP_SECONDS / 4.5), 'one every 4.5 s for the first two minutes only');
    assert.equal(t.pending(), 0);
    const q = new Prefetch(async () => void refreshed++, {
      minIntervalSeconds: 5,
      clock: t.clock,
      timer: t.timer,
      warmUp: true,
    });
    q.scraped();
    q.close();
    assert.equal(t.pending(), 0);
  });

  it('a scraper that changes its interval is prefetched again once two intervals agree', async () => {
    const t = manualTime();
    const refreshes: number[] = [];
    const p = new Prefetch(async () => void refreshes.push(t.clock()), {
      minIntervalSeconds: 5,
      clock: t.clock,
      timer: t.timer,
    });
    p.scraped(); // 1000
    await t.advance(15);
    p.scraped(); // 1015: expects 1030
    await t.advance(20);
    assert.deepEqual(refreshes, [1029.5], 'one wasted refresh: the guess was wrong');
    p.scraped(); // 1035: 20 s after 15 s, not steady
    await t.advance(20);
    assert.deepEqual(refreshes, [1029.5]);
    p.scraped(); // 1055: 20 s twice
    await t.advance(20);
    assert.deepEqual(refreshes, [1029.5, 1074.5]);
  });

  it('does nothing for a scraper that is not steady, faster than min-interval, or with min-interval 0', async () => {
    for (const [min, intervals] of [
      [5, [15, 9, 15]],
      [5, [3, 3, 3]],
      [0, [15, 15, 15]],
    ] as const) {
      const t = manualTime();
      let refreshed = 0;
      const p = new Prefetch(async () => void refreshed++, { minIntervalSeconds: min, clock: t.clock, timer: t.timer });
      p.scraped();
      for (const i of intervals) {
        await t.advance(i);
        p.scraped();
      }
      await t.advance(60);
      assert.equal(refreshed, 0, `min ${min}, intervals ${intervals.join(',')}`);
    }
  });

  it('starts earlier after a slow refresh, at most half of min-interval ahead', async () => {
    const t = manualTime();
    const refreshes: number[] = [];
    let takes = 1.25;
    const p = new Prefetch(
      async () => {
        refreshes.push(t.clock());
        await new Promise((resolve) => t.timer(takes, () => resolve(undefined)));
      },
      { minIntervalSeconds: 10, clock: t.clock, timer: t.timer },
    );
    const scrapeAt = async (at: number) => {
      await t.advance(at - t.clock());
      p.scraped();
    };
    for (const at of [1000, 1030]) await scrapeAt(at);
    await scrapeAt(1060); // its refresh (1.25 s) is still running: the next is planned half a second ahead too
    await scrapeAt(1090);
    assert.deepEqual(refreshes, [1059.5, 1089.5], 'the first two, half a second ahead');
    await scrapeAt(1120);
    assert.equal(p.leadSeconds(), 2 * 1.25 + 0.5);
    takes = 4;
    await scrapeAt(1150);
    await scrapeAt(1180);
    assert.equal(p.leadSeconds(), 5, 'a 4 s refresh: half of min-interval, not 8.5 s');
    await scrapeAt(1210);
    assert.deepEqual(refreshes, [1059.5, 1089.5, 1117, 1147, 1177, 1205]);
  });

  it('a failing refresh is swallowed (the scrape collects and reports it); close cancels the next', async () => {
    const t = manualTime();
    let calls = 0;
    const p = new Prefetch(
      async () => {
        calls++;
        throw new Error('collection failed');
      },
      { minIntervalSeconds: 5, clock: t.clock, timer: t.timer },
    );
    for (let i = 0; i < 3; i++) {
      p.scraped();
      await t.advance(15);
    }
    assert.equal(calls, 2);
    p.scraped();
    p.close();
    await t.advance(30);
    assert.equal(calls, 2);
    assert.equal(t.pending(), 0);
  });
});
