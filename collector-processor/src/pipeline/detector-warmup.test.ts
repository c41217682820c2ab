import { beforeAll, describe, expect, it } from 'vitest';
import { rand } from '../score/rules/testing/units';
import type { UnitResult } from './detector';
import { trainAndDetect } from './testing/windowed-run';

const T0 = Date.UTC(2024, 4, 1);

/**
 * One minute of an api's lines; after the deploy every minute also logs a new INFO line. `restart`:
 * the minute the process stops and starts again.
 */
function minute(i: number, r: () => number, deployed: boolean, restart = false): string[] {
  const t = (s: number) => new Date(T0 + i * 60_000 + s * 1000).toISOString();
  const lines: string[] = [];
  for (let k = 0; k < 20 + Math.floor(r() * 10); k++)
    lines.push(
      `${t(k)} INFO request handled route=/api/items status=200 duration_ms=${10 + Math.floor(r() * 30)}`,
    );
  if (r() < 0.5) lines.push(`${t(40)} INFO cache refreshed entries=${Math.floor(r() * 900)}`);
  if (deployed)
    lines.push(`${t(50)} INFO feature flags loaded from config service revision=${Math.floor(r() * 99)}`);
  if (restart)
    lines.push(
      `${t(54)} INFO shutting down: received SIGTERM`,
      `${t(56)} INFO server started port=8080 version=2.4.0`,
    );
  return lines;
}

describe('models after a deploy brings a new INFO line', () => {
  let results: UnitResult[] = [];
  beforeAll(async () => {
    const r = rand(3);
    const trainLines: string[] = [];
    for (let i = 0; i < 300; i++) trainLines.push(...minute(i, r, false));
    const testLines: string[] = [];
    for (let i = 300; i < 340; i++) testLines.push(...minute(i, r, i >= 310, i === 305));
    results = await trainAndDetect('logsieve-warmup-', trainLines, testLines);
  }, 120_000);

  it('stop scoring the new line once it has warmed up, as the novelty rule does', () => {
    expect(results).toHaveLength(40);
    // Minutes 310.. carry the new line: the first ones may page, none after the warm-up.
    const after = results.slice(10 + 3);
    const modelsHigh = after.filter((res) => Math.max(...Object.values(res.models)) >= 75);
    // A member's own noise may reach 75 in a window or two; left in, the new line holds all at 100.
    expect(modelsHigh.length).toBeLessThanOrEqual(3);
    expect(after.filter((res) => res.anomaly)).toEqual([]);
  });

  it('take the lines of a restart (shutting down, server started) as routine from the first window', () => {
    const restart = results[5]!;
    expect(Math.max(...Object.values(restart.models))).toBeLessThan(75);
    expect(restart.rules.novelty).toBe(0);
  });
});
