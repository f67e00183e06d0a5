// Prometheus-style durations: parsing to seconds, formatting back, and the error text.
import { test } from 'vitest';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../src/config/duration.js';

test('parseDuration: units, compounds, fractions and bare seconds', () => {
  const cases: Array<[string, number]> = [
    ['0s', 0],
    ['90s', 90],
    ['5m', 300],
    ['1h30m', 5400],
    ['72h', 259200],
    ['500ms', 0.5],
    ['1m30s', 90],
    ['1d', 86400],
    ['2w', 1209600],
    ['1h0m5s', 3605],
    ['1.5h', 5400],
    ['250ms', 0.25],
    ['1s500ms', 1.5],
    ['30', 30],
    ['2.5', 2.5],
    [' 10s ', 10],
  ];
  for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds, text);
});

test('parseDuration refuses anything else with a message that shows the input and examples', () => {
  for (const text of ['', ' ', '5x', 'm', '10 s', '-5s', '5m3', '1h 30m', 'abc', '5s!', '1e3s', 's5']) {
    assert.throws(
      () => parseDuration(text),
      (e: unknown) => {
        assert.equal((e as Error).message, `invalid duration "${text}" (use e.g. 30s, 5m, 1h30m, 72h)`);
        return true;
      },
      JSON.stringify(text),
    );
  }
});

test('formatDuration: largest units first, sub-second in ms, zero', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [1, '1s'],
    [59, '59s'],
    [60, '1m'],
    [90, '1m30s'],
    [3600, '1h'],
    [5400, '1h30m'],
    [86400, '1d'],
    [90061, '1d1h1m1s'],
    [259200, '3d'],
    [0.5, '500ms'],
    [0.001, '1ms'],
    [59.6, '1m'],
  ];
  for (const [seconds, text] of cases) assert.equal(formatDuration(seconds), text, String(seconds));
});

test('formatDuration output parses back to the same seconds', () => {
  for (const seconds of [0, 1, 45, 60, 61, 3599, 3600, 86399, 86400, 604800, 1234567]) {
    assert.equal(parseDuration(formatDuration(seconds)), seconds, String(seconds));
  }
});
