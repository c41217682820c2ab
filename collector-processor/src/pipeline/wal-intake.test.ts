import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../store/open-storage';
import type { Storage } from '../store/storage';
import { WriteAheadLog } from '../store/write-ahead-log';
import { LivePipeline } from './live-pipeline';
import { PipelineState } from './pipeline-state';
import { TemplateCounts } from './template-counts';
import { minuteRecords, startMinutesAgo } from './testing/service-traffic';
import { WalIntake } from './wal-intake';

// The service's wiring of the write-ahead log, in-process on embedded PGlite: a "process" that is
// dropped without stopping (as kill -9 leaves it) and one started after it on the same data.
describe('WalIntake', () => {
  let dir: string;
  let storage: Storage;
  const start = startMinutesAgo(30);
  const pipelines: LivePipeline[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-wal-intake-'));
    storage = await openStorage({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(pipelines.map((p) => p.stop()));
    await storage?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** What `logsieve serve` wires at start, replay included; resolves with the records replayed. */
  async function startProcess() {
    const templates = new TemplateCounts();
    const pipeline = new LivePipeline({
      unit: { kind: 'window', windowSeconds: 60 },
      modelsDir: path.join(dir, 'models'),
      queueCapacity: 1000,
      baselineMinutes: 10_000,
      baselineMinUnits: 10_000,
      observer: { mined: (r) => templates.add(r) },
    });
    pipelines.push(pipeline);
    const wal = await WriteAheadLog.open(path.join(dir, 'wal'), {
      fsync: 'interval',
      fsyncIntervalMs: 1000,
      maxBytes: 1 << 30,
      segmentBytes: 4096,
    });
    const intake = new WalIntake(wal, pipeline);
    const state = new PipelineState(pipeline, storage, { templates, stored: (p) => intake.checkpointed(p) });
    pipeline.start();
    await state.restoreAll();
    const replayed = await intake.replay(storage, (s) => state.restore(s));
    return { pipeline, wal, intake, state, replayed };
  }

  const counted = async () => (await storage.listStreams()).reduce((n, s) => n + s.records, 0);

  it('replays exactly what was acknowledged after the last checkpoint', async () => {
    const first = await startProcess();
    expect(first.replayed).toBe(0);
    let acknowledged = 0;
    let minute = 0;
    const send = async () => {
      const records = minuteRecords(minute % 2 ? 'worker' : 'api', start, minute++);
      await first.intake.accept(records, 'otlp_http');
      acknowledged += records.length;
    };
    // Checkpoints run while batches are accepted and processed: each stores one consistent cut.
    const checkpoints: Promise<void>[] = [];
    for (let i = 0; i < 12; i++) {
      await send();
      if (i % 4 === 1) checkpoints.push(first.state.checkpoint());
    }
    await Promise.all(checkpoints);
    const storedBeforeCrash = await counted();
    expect(storedBeforeCrash).toBeGreaterThan(0);
    await Promise.all([send(), send(), send()]);
    // Killed here: no stop, no checkpoint; some of what it acknowledged is only in the log.
    expect(await counted()).toBeLessThan(acknowledged);

    const second = await startProcess();
    expect(second.replayed).toBe(acknowledged - storedBeforeCrash);
    await second.state.checkpoint();
    expect(await counted()).toBe(acknowledged);
    // The checkpoint covers every entry: the log is emptied.
    expect(second.wal.bytes).toBe(0);

    // Started again: nothing is replayed twice, whether or not it was stopped cleanly.
    const third = await startProcess();
    expect(third.replayed).toBe(0);
    await third.state.checkpoint();
    expect(await counted()).toBe(acknowledged);
  }, 60_000);
});
