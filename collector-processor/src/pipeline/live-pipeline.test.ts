import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../anomaly-event';
import { waitFor } from '../emit/testing/daemon';
import { openStorage } from '../store/open-storage';
import type { Storage } from '../store/storage';
import { LivePipeline, type LivePipelineOptions } from './live-pipeline';
import {
  decodeLines,
  errorBurst,
  minuteRecords,
  startMinutesAgo,
  trainTrafficModel,
} from './testing/service-traffic';

// The live pipeline's own contracts: one anomaly per stream and window, and the state and source
// positions it hands to storage.
describe('LivePipeline', () => {
  let dir: string;
  let storage: Storage;
  const start = startMinutesAgo(120);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-live-'));
    await trainTrafficModel(path.join(dir, 'a'), ['api', 'worker'], start, 30, 1);
    await trainTrafficModel(path.join(dir, 'b'), ['api', 'worker'], start, 30, 2);
    storage = await openStorage({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
  }, 60_000);

  /** A pipeline on one-minute windows that reports to `observer`. */
  const pipelineWith = (observer: LivePipelineOptions['observer']) =>
    new LivePipeline({
      unit: { kind: 'window', windowSeconds: 60 },
      modelsDir: path.join(dir, 'models'),
      queueCapacity: 100_000,
      baselineMinutes: 30,
      baselineMinUnits: 10,
      observer,
    });

  afterAll(async () => {
    await storage?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  // Records of a closed window arriving after a model activation (delayed or replayed logs) score
  // the window again under the new model: that must not become a second anomaly for it.
  it('lists one anomaly per stream and window when a new model scores the window again', async () => {
    const events: AnomalyEvent[] = [];
    const pipeline = pipelineWith({
      anomalies: async (e) => {
        events.push(...e);
        await storage.insertAnomalies(e);
      },
    });
    const va = await pipeline.activate(path.join(dir, 'a'));
    pipeline.start();
    const burstMinute = 40;
    const feed = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const burst = i === burstMinute ? decodeLines('api', errorBurst(start, i)) : [];
        await pipeline.accept(
          [...minuteRecords('api', start, i), ...burst, ...minuteRecords('worker', start, i)],
          'rest',
        );
      }
      await pipeline.drained();
      // Scores the closed windows now rather than in batches (the service ticks every second).
      await pipeline.tick();
    };
    const burstEvents = () =>
      events.filter((e) => e.sampleLines.some((l) => l.includes('refused connection')));
    await feed(35, 43);
    await waitFor(async () => (burstEvents().length ? true : undefined), 30_000, 'the burst anomaly');

    const vb = await pipeline.activate(path.join(dir, 'b'));
    expect(vb).not.toBe(va);
    // The burst minute arrives again (a replay), then later minutes close its window.
    await feed(burstMinute, 43);
    await waitFor(
      async () => (burstEvents().some((e) => e.modelVersion === vb) ? true : undefined),
      30_000,
      'the burst window scored by the new model',
    );
    await pipeline.stop();

    const listed = await storage.listAnomalies({ stream: 'api', limit: 100, offset: 0 });
    const windows = listed.items.map((e) => e.unit);
    expect(windows.length).toBeGreaterThan(0);
    expect(new Set(windows).size).toBe(windows.length);
    expect(listed.total).toBe(windows.length);
  }, 120_000);

  it('snapshots the streams and source positions it holds, and forgets them on release', async () => {
    const collecting = () =>
      new LivePipeline({
        unit: { kind: 'window', windowSeconds: 60 },
        modelsDir: path.join(dir, 'models'),
        queueCapacity: 100_000,
        baselineMinutes: 1000,
        baselineMinUnits: 1000,
      });
    const p = collecting();
    p.start();
    await p.accept(minuteRecords('api', start, 0), 'kafka', { key: 'kafka:g:t:0', value: { next: '1' } });
    await p.accept(minuteRecords('worker', start, 0), 'kafka', { key: 'kafka:g:t:1', value: { next: '7' } });
    await p.drained();
    const snap = p.takeSnapshot();
    expect(snap.positions).toEqual({ 'kafka:g:t:0': { next: '1' }, 'kafka:g:t:1': { next: '7' } });
    expect(Object.keys(snap.streams).sort()).toEqual(['api', 'worker']);
    // Nothing changed since: the next snapshot carries positions only.
    expect(Object.keys(p.takeSnapshot().streams)).toEqual([]);

    // Another pipeline resumes a stream from its snapshot: same open window, same line count.
    const q = collecting();
    expect(q.restoreStream('api', snap.streams.api!)).toBe(true);
    q.start();
    await q.accept(minuteRecords('api', start, 0).slice(0, 2), 'rest');
    await q.drained();
    const units = (s: typeof snap) => (s.streams.api!.units as { open: { lines: number }[] }).open;
    expect(units(q.takeSnapshot())[0]!.lines).toBe(units(snap)[0]!.lines + 2);

    expect(p.release(new Set(['kafka:g:t:1']))).toEqual(['worker']);
    expect(p.positionKeys()).toEqual(['kafka:g:t:0']);
    await p.stop();
    await q.stop();
  });

  // Units are counted under a model's templates; a new model cannot continue them (docs/config.md).
  it('counts the lines of the open units a model activation discards', async () => {
    const dropped: [string, string, number][] = [];
    const p = pipelineWith({ dropped: (s, reason, n) => dropped.push([s, reason, n]) });
    await p.activate(path.join(dir, 'a'));
    p.start();
    const minute = minuteRecords('api', start, 50);
    await p.accept(minute.slice(0, 5), 'rest');
    await p.drained();
    await p.activate(path.join(dir, 'b'));
    expect(dropped).toEqual([['api', 'model_change', 5]]);
    await p.accept(minute.slice(5), 'rest');
    await p.drained();
    const open = (p.takeSnapshot().streams.api!.units as { open: { lines: number }[] }).open;
    expect(open.map((u) => u.lines)).toEqual([minute.length - 5]);
    await p.stop({ keepOpen: true });
  });

  // The service's clock ticks while it stops: the windows a tick is scoring when stop() comes must
  // be scored, not lost with the scorer that stop() closes.
  it('scores every closed window when stop() comes during a scoring pass', async () => {
    let scored = 0;
    const p = pipelineWith({ unitScored: () => scored++ });
    await p.activate(path.join(dir, 'a'));
    p.start();
    for (let i = 60; i < 80; i++)
      await p.accept([...minuteRecords('api', start, i), ...minuteRecords('worker', start, i)], 'rest');
    await p.drained();
    const tick = p.tick();
    await p.stop({ keepOpen: true });
    await tick;
    // 19 closed minutes of two streams; the last minute is still open.
    expect(scored).toBe(38);
  });
});
