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

describe('WindowAssigner with a clock (the live service)', () => {
  const MIN = 60_000;
  const live = () => {
    let now = T0 + 5 * MIN;
    const units: Unit[] = [];
    const a = new WindowAssigner(
      60,
      (u) => units.push(u),
      10,
      () => now,
    );
    const closed = (stream: string) => units.filter((u) => u.stream === stream).map((u) => u.startMs);
    return { a, closed, at: (t: number) => (now = t) };
  };

  it('a line from a clock running ahead opens its window without closing the current ones', () => {
    const { a, closed, at } = live();
    expect(a.add(rec('web', T0 + 4 * MIN))).toBe(true);
    // One host of the stream is eight minutes fast; the others go on logging the current minute.
    expect(a.add(rec('web', T0 + 12 * MIN))).toBe(true);
    expect(a.add(rec('web', T0 + 4 * MIN + 30_000))).toBe(true);
    expect(a.late).toBe(0);
    expect(closed('web')).toEqual([]);
    // Once the clock has passed them, both close: the current minute with its two lines.
    at(T0 + 14 * MIN);
    a.advance(T0 + 14 * MIN);
    expect(closed('web')[0]).toBe(T0 + 4 * MIN);
    expect(closed('web')).toContain(T0 + 12 * MIN);
  });

  it("follows each stream's own event time between its records: a delayed stream is not cut short", () => {
    const { a, closed, at } = live();
    // 'now' runs at the clock; 'shipper' delivers its lines five minutes late, steadily.
    a.add(rec('now', T0 + 5 * MIN - 1000));
    a.add(rec('shipper', T0));
    at(T0 + 5 * MIN + 30_000);
    a.advance(T0 + 5 * MIN + 30_000);
    // 30 s after the shipper's last line its event time is T0 + 30 s: its first window stays open.
    expect(closed('shipper')).toEqual([]);
    expect(a.add(rec('shipper', T0 + 20_000))).toBe(true);
    // The current stream's windows up to the clock (less the lateness) have closed.
    expect(closed('now')).toEqual([T0 + 4 * MIN]);
    // Quiet for good: the shipper's windows close as its own event time moves on with the clock.
    at(T0 + 7 * MIN);
    a.advance(T0 + 7 * MIN);
    expect(closed('shipper')).toEqual([T0]);
  });

  it('counts a line whose window had closed as late, and says so', () => {
    const { a } = live();
    a.add(rec('api', T0 + 2 * MIN));
    a.add(rec('api', T0 + 4 * MIN));
    expect(a.add(rec('api', T0 + 2 * MIN + 5000))).toBe(false);
    expect(a.late).toBe(1);
  });
});
