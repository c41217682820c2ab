import { beforeAll, describe, expect, it } from 'vitest';
import { rand } from '../score/rules/testing/units';
import type { UnitResult } from './detector';
import { trainAndDetect } from './testing/windowed-run';

const T0 = Date.UTC(2024, 4, 1);
const SLOW_FROM = 1_500;
const SLOW_TO = 1_530;

/** Normal draw (Box-Muller). */
const normal = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

const request = (ts: string, route: string, ms: number) =>
  JSON.stringify({ ts, level: 'info', msg: 'request handled', route, status: 200, duration_ms: ms });

/**
 * A quiet api (JSON lines): one or two order lookups a minute, none in a quarter of the minutes (about 50 ms,
 * log-normal), a few other requests. `slow`: the lookups take three times as long, one or two slow
 * values a window where there are any.
 */
function minute(i: number, r: () => number, slow: boolean): string[] {
  const t = (s: number) => new Date(T0 + i * 60_000 + s * 1000).toISOString();
  const lines: string[] = [];
  const lookups = r() < 0.25 ? 0 : 1 + Math.floor(r() * 2);
  for (let k = 0; k < lookups; k++) {
    const ms = Math.round(50 * Math.exp(0.35 * normal(r)) * (slow ? 3 : 1));
    lines.push(request(t(k * 20), '/api/orders/{id}', ms));
  }
  for (let k = 0; k < 3 + Math.floor(r() * 3); k++)
    lines.push(request(t(5 + k * 9), '/api/products/{id}', Math.round(30 * Math.exp(0.35 * normal(r)))));
  return lines;
}

describe('a latency shift too thin for one window', () => {
  let results: UnitResult[] = [];
  const withoutLookup = new Set<number>();
  beforeAll(async () => {
    const r = rand(5);
    const trainLines: string[] = [];
    for (let i = 0; i < 1_440; i++) trainLines.push(...minute(i, r, false));
    const testLines: string[] = [];
    for (let i = 1_440; i < 1_560; i++) {
      const lines = minute(i, r, i >= SLOW_FROM && i < SLOW_TO);
      if (!lines.some((l) => l.includes('/api/orders/'))) withoutLookup.add(i);
      testLines.push(...lines);
    }
    results = await trainAndDetect('logsieve-recent-', trainLines, testLines);
  }, 120_000);

  it('is flagged through the recent windows within a few windows and while it lasts, and names the endpoint', () => {
    const minuteOf = (u: UnitResult) => (Date.parse(u.start) - T0) / 60_000;
    const flagged = results.filter((u) => u.anomaly).map(minuteOf);
    const during = flagged.filter((m) => m >= SLOW_FROM && m < SLOW_TO);
    expect(Math.min(...during)).toBeLessThan(SLOW_FROM + 4);
    expect(during.length).toBeGreaterThanOrEqual(20);
    // Minutes without a lookup while the spell goes on are flagged too: the latest windows hold slow values.
    const quiet = [...withoutLookup].filter((m) => m >= SLOW_FROM + 3 && m < SLOW_TO);
    expect(quiet.length).toBeGreaterThan(3);
    expect(quiet.filter((m) => during.includes(m)).length).toBeGreaterThanOrEqual(quiet.length - 1);
    // Before it, nothing; after it, a few windows at most: those whose latest three still hold slow
    // values, or a normal value that looks slow among them (one or two values a window tell little),
    // though the slow values stay among the recent ten for ten windows.
    expect(flagged.filter((m) => m < SLOW_FROM)).toEqual([]);
    expect(flagged.filter((m) => m >= SLOW_TO).length).toBeLessThanOrEqual(5);
    const late = results.find((u) => minuteOf(u) === SLOW_FROM + 15)!;
    expect(late.explanation.summary).toMatch(
      /^over the last 10 min: mean of duration_ms of \/api\/orders\/\{id\} for "request handled" \d+ ms \(normally 5\d ms\)/,
    );
  });
});
