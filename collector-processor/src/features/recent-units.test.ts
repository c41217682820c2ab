import { describe, expect, it } from 'vitest';
import { unit } from '../score/rules/testing/units';
import { RecentUnits, recentFromTimeline, recentWindows } from './recent-units';

const RECENT_WINDOWS = recentWindows(60_000);

const win = (stream: string, i: number, errs: number, rt?: string) =>
  unit(stream, i, [
    { id: 'ok' },
    ...Array.from({ length: errs }, () => ({ id: 'err' })),
    ...(rt ? [{ id: 'req', params: [rt] }] : []),
  ]);

describe('RecentUnits', () => {
  it("merges a window with its stream's windows before it, within the span", () => {
    const recent = new RecentUnits();
    for (let i = 0; i < 20; i++) {
      recent.push(win('api', i, i % 4 === 0 ? 1 : 0));
      recent.push(win('other', i, 5));
    }
    const { span: m, latest } = recent.with(win('api', 20, 1))!;
    // Windows 11-19 and 20 itself: errors in 12 and 16 and 20.
    expect(m.lines).toBe(RECENT_WINDOWS + 3);
    expect(m.counts.get('err')).toBe(3);
    expect(m.startMs).toBe(win('api', 11, 0).startMs);
    // The latest windows: 18, 19 and 20 itself.
    expect(latest.lines).toBe(3 + 1);
    expect(latest.startMs).toBe(win('api', 18, 0).startMs);
    // A window after a gap longer than the span stands alone.
    const late = win('api', 40, 0);
    expect(recent.with(late)!.span.lines).toBe(1);
    expect(recent.with(unit('api', 21, [{ id: 'ok' }], 'session'))).toBeNull();
    // Ten minutes of one-minute windows; five-minute windows pool enough on their own.
    expect(RECENT_WINDOWS).toBe(10);
    expect(recentWindows(300_000)).toBe(0);
    const long = win('api', 30, 0);
    long.endMs = long.startMs + 300_000;
    expect(recent.with(long)).toBeNull();
  });

  it('pools a numeric slot the latest windows have, from two windows or more', () => {
    const recent = new RecentUnits();
    recent.push(win('api', 0, 0, '100'));
    recent.push(win('api', 1, 0, '300'));
    recent.push(win('api', 2, 0));
    const m = recent.with(win('api', 3, 0, '200'))!.span;
    expect(m.numeric.get('req#0')!.n).toBe(3);
    // No value now, but one in the latest windows (window 1): an endpoint called now and then is
    // judged while its spell goes on.
    expect(recent.with(win('api', 3, 0))!.span.numeric.get('req#0')!.n).toBe(2);
    // The latest windows keep the window's own values, for the rules to see a spell still going on.
    expect(recent.with(win('api', 3, 0, '200'))!.latest.numeric.get('req#0')!.n).toBe(2);
    // Its last value older than the latest windows: the endpoint went quiet, nothing is judged.
    recent.push(win('api', 3, 0));
    expect(recent.with(win('api', 4, 0))!.span.numeric.has('req#0')).toBe(false);
    // One window's values alone are that window's own numeric rule's.
    const once = new RecentUnits();
    once.push(win('api', 0, 0));
    expect(once.with(win('api', 1, 0, '200'))!.span.numeric.has('req#0')).toBe(false);
    // Nothing earlier to pool: the window's own numeric rule judges it.
    expect(new RecentUnits().with(win('api', 3, 0, '200'))!.span.numeric.has('req#0')).toBe(false);
  });

  it('keeps the streams scored most recently, within its bound', () => {
    const recent = new RecentUnits(2);
    for (const [s, i] of [
      ['a', 0],
      ['b', 0],
      ['a', 1],
      ['c', 0],
    ] as const)
      recent.push(win(s, i, 1));
    // Two lines a window: a keeps both of its windows, c its one, b was dropped.
    expect(recent.with(win('a', 2, 0))!.span.lines).toBe(2 * 2 + 1);
    expect(recent.with(win('c', 1, 0))!.span.lines).toBe(2 + 1);
    expect(recent.with(win('b', 1, 0))!.span.lines).toBe(1);
  });

  it('builds the same merge from a training timeline, without the units read as incidents', () => {
    const timeline = Array.from({ length: 30 }, (_, i) => win('api', i, i >= 15 && i < 18 ? 4 : 0));
    const incident = new Set(timeline.slice(15, 18));
    const of = recentFromTimeline(timeline, (u) => incident.has(u));
    const m = of(timeline[20]!)!.span;
    expect(m.counts.get('err') ?? 0).toBe(0);
    expect(m.lines).toBe(RECENT_WINDOWS - 3);
    const live = new RecentUnits();
    for (const u of timeline.slice(0, 20)) if (!incident.has(u)) live.push(u);
    expect(live.with(timeline[20]!)!.span).toEqual(m);
  });
});
