import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamWindowsJson } from '../features/window-assigner';
import type { LogRecord } from '../record';
import { LivePipeline } from './live-pipeline';

// Event time in the live pipeline stays near the receive time (limits.maxEventAge/AheadSeconds).
describe('LivePipeline event time', () => {
  let dir: string;
  const NOW = Date.parse('2025-06-01T12:00:30Z');
  const MINUTE = Date.parse('2025-06-01T12:00:00Z');
  let now = NOW;
  const clamped: [string, string][] = [];
  const late: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-live-time-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const pipeline = () =>
    new LivePipeline({
      unit: { kind: 'window', windowSeconds: 60 },
      modelsDir: dir,
      queueCapacity: 1000,
      baselineMinutes: 1000,
      baselineMinUnits: 1000,
      eventTime: { maxAgeMs: 3_600_000, maxAheadMs: 600_000 },
      observer: { timeClamped: (s, d) => clamped.push([s, d]), late: (s) => late.push(s) },
      now: () => now,
    });
  const rec = (stream: string, timeMs: number | null, body = 'user 7 logged in'): LogRecord => ({
    stream,
    line: 1,
    timeMs,
    severityNumber: timeMs === null ? 0 : 9,
    severityText: '',
    body,
    ...(timeMs === null ? { raw: body } : {}),
  });
  const windows = (p: LivePipeline) =>
    Object.fromEntries(
      Object.entries(p.takeSnapshot().streams).map(([s, v]) => [s, v!.units as StreamWindowsJson]),
    );

  it('gives records outside the limits their receive time, counted, and keeps them', async () => {
    clamped.length = 0;
    now = NOW;
    const p = pipeline();
    p.start();
    await p.accept(
      [
        rec('canary', NOW),
        rec('future', Date.parse('2100-01-01T00:00:00Z')),
        rec('past', 0),
        rec('past', NOW),
        rec('json', null, '{"time":"2100-01-01T00:00:00Z","msg":"hi"}'),
        rec('huge', null, '{"time":1e300,"msg":"hi"}'),
        rec('max', null, '{"time":"+275760-09-13T00:00:00.000Z","msg":"hi"}'),
        // Inside the limits: kept as they are.
        rec('late', NOW - 3_000_000),
        rec('ahead', NOW + 500_000),
      ],
      'rest',
    );
    await p.drained();
    expect(clamped.sort()).toEqual([
      ['future', 'future'],
      ['json', 'future'],
      ['past', 'past'],
    ]);
    const w = windows(p);
    for (const s of ['canary', 'future', 'past', 'json', 'huge', 'max']) {
      expect(
        w[s]!.open.map((u) => u.startMs),
        s,
      ).toEqual([MINUTE]);
      expect(w[s]!.maxTimeMs, s).toBe(NOW);
    }
    expect(w.past!.open[0]!.lines).toBe(2);
    expect(w.late!.maxTimeMs).toBe(NOW - 3_000_000);
    expect(w.ahead!.maxTimeMs).toBe(NOW + 500_000);
    await p.stop({ keepOpen: true });
  });

  it("the clock's tick never closes windows past the present, whatever one stream's clock says", async () => {
    now = NOW;
    const p = pipeline();
    p.start();
    // Nine minutes ahead is inside the limits; it must not close the other stream's window.
    await p.accept([rec('canary', NOW), rec('ahead', NOW + 540_000)], 'rest');
    await p.drained();
    now = NOW + 1000;
    await p.tick();
    expect(windows(p).canary).toMatchObject({ nextStart: MINUTE, open: [{ startMs: MINUTE }] });
    // Once the clock passes the window's end plus the allowed lateness, it closes.
    now = MINUTE + 60_000 + 11_000;
    await p.tick();
    await p.accept([rec('canary', now)], 'rest');
    await p.drained();
    expect(windows(p).canary).toMatchObject({ nextStart: MINUTE + 60_000 });
    await p.stop({ keepOpen: true });
  });

  it("a few lines from a fast clock leave the stream's current lines in their windows; late ones are counted", async () => {
    now = NOW;
    late.length = 0;
    const p = pipeline();
    p.start();
    // One host of 'web' runs eight minutes fast; the others log the current minute.
    await p.accept([rec('web', NOW), rec('web', NOW + 480_000), rec('web', NOW + 1000)], 'rest');
    await p.drained();
    expect(windows(p).web!.open.find((u) => u.startMs === MINUTE)!.lines).toBe(2);
    expect(late).toEqual([]);
    // A line for a window the clock has closed is late: counted per stream, in no window.
    now = MINUTE + 2 * 60_000 + 11_000;
    await p.tick();
    await p.accept([rec('web', MINUTE + 5000)], 'rest');
    await p.drained();
    expect(late).toEqual(['web']);
    expect(p.lateLines.get('web')).toBe(1);
    await p.stop({ keepOpen: true });
  });
});
