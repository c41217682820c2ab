import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../anomaly-event';
import { waitFor } from '../emit/testing/daemon';
import { openStorage } from '../store/open-storage';
import type { Storage } from '../store/storage';
import { LivePipeline } from './live-pipeline';
import {
  decodeLines,
  errorBurst,
  minuteRecords,
  startMinutesAgo,
  trainTrafficModel,
} from './testing/service-traffic';

// A window scored again under another model (records of an already-closed window arriving after a
// model activation: delayed or replayed logs) must not become a second anomaly for that window.
describe('LivePipeline anomalies', () => {
  let dir: string;
  let storage: Storage;
  const start = startMinutesAgo(120);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-live-'));
    await trainTrafficModel(path.join(dir, 'a'), ['api', 'worker'], start, 30, 1);
    await trainTrafficModel(path.join(dir, 'b'), ['api', 'worker'], start, 30, 2);
    storage = await openStorage({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
  }, 60_000);

  afterAll(async () => {
    await storage?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists one anomaly per stream and window when a new model scores the window again', async () => {
    const events: AnomalyEvent[] = [];
    const pipeline = new LivePipeline({
      unit: { kind: 'window', windowSeconds: 60 },
      modelsDir: path.join(dir, 'models'),
      queueCapacity: 100_000,
      baselineMinutes: 30,
      baselineMinUnits: 10,
      observer: {
        anomalies: async (e) => {
          events.push(...e);
          await storage.insertAnomalies(e);
        },
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
});
