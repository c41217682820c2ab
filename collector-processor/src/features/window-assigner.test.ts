import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../record';
import type { Unit } from './unit';
import { MAX_EMPTY_RUN, WindowAssigner } from './window-assigner';

const rec = (stream: string, timeMs: number): LogRecord => ({
  stream,
  line: 1,
  timeMs,
  severityNumber: 9,
  severityText: 'INFO',
  body: 'x',
  templateId: 't1',
});

const T0 = Date.parse('2025-06-01T12:00:00Z');
const Y2100 = Date.parse('2100-01-01T00:00:00Z');

describe('WindowAssigner across a jump of event time', () => {
  it('a jump to 2100 closes the open windows and a bounded run of empty ones, fast', () => {
    const units: Unit[] = [];
    const a = new WindowAssigner(60, (u) => units.push(u));
    a.add(rec('api', T0));
    a.add(rec('api', T0 + 90_000));
    const t = performance.now();
    a.add(rec('api', Y2100));
    a.advance(Y2100 + 3_600_000);
    expect(performance.now() - t).toBeLessThan(500);
    // The two windows with lines, the first MAX_EMPTY_RUN empty ones after them, then the gap is
    // skipped up to the 2100 window (which has a line) and a bounded run after it.
    const withLines = units.filter((u) => u.lines > 0);
    expect(withLines.map((u) => u.startMs)).toEqual([T0, T0 + 60_000, Y2100]);
    expect(units.length).toBeLessThanOrEqual(3 + 2 * MAX_EMPTY_RUN);
    expect(units.filter((u) => u.startMs > T0 + 60_000 && u.startMs < Y2100)).toHaveLength(MAX_EMPTY_RUN);
    // Windows are still emitted in order, once each.
    const starts = units.map((u) => u.startMs);
    expect([...starts].sort((x, y) => x - y)).toEqual(starts);
    expect(new Set(starts).size).toBe(starts.length);
  });

  it('a watermark jump over every stream touches the streams, not the windows between', () => {
    const units: Unit[] = [];
    const a = new WindowAssigner(1, (u) => units.push(u));
    for (let s = 0; s < 200; s++) a.add(rec(`s${s}`, T0));
    const t = performance.now();
    a.advance(8.64e15);
    expect(performance.now() - t).toBeLessThan(2000);
    expect(units.length).toBeLessThanOrEqual(200 * (1 + MAX_EMPTY_RUN));
    expect(units.filter((u) => u.lines > 0)).toHaveLength(200);
  });

  it('a quiet stream still emits one empty window per window as time goes on', () => {
    const units: Unit[] = [];
    const a = new WindowAssigner(60, (u) => units.push(u));
    a.add(rec('api', T0));
    // The live clock advances the watermark a second at a time: every empty window is emitted.
    for (let s = 1; s <= 3 * 3600; s++) a.advance(T0 + s * 1000);
    expect(units).toHaveLength(3 * 60);
    expect(units.slice(1).every((u) => u.lines === 0)).toBe(true);
  });

  it('flush of streams from different years emits each stream once, not the years between', () => {
    const units: Unit[] = [];
    const a = new WindowAssigner(60, (u) => units.push(u));
    a.add(rec('old', Date.parse('1971-01-01T00:00:00Z')));
    a.add(rec('new', T0));
    a.flush();
    expect(
      units
        .filter((u) => u.lines > 0)
        .map((u) => u.stream)
        .sort(),
    ).toEqual(['new', 'old']);
    expect(units.length).toBeLessThanOrEqual(2 + MAX_EMPTY_RUN + 1);
  });
});
