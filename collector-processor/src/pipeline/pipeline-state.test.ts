import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '../store/open-storage';
import { FencedCheckpointError, type Storage } from '../store/storage';
import { KafkaPositions, type StoredKafkaPosition } from './kafka-positions';
import { LivePipeline, type StreamSnapshot } from './live-pipeline';
import { PIPELINE_STATE, PipelineState } from './pipeline-state';
import { minuteRecords, startMinutesAgo } from './testing/service-traffic';

// Two replicas' pipelines on one store (embedded PGlite): a replica that stalled past its Kafka
// session while its partition moved on must not overwrite the new owner's state and position.
describe('PipelineState checkpoint fencing', () => {
  let dir: string;
  let storage: Storage;
  const start = startMinutesAgo(10);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-fence-'));
    storage = await openStorage({ kind: 'pglite', dataDir: path.join(dir, 'pglite') });
  }, 60_000);

  afterAll(async () => {
    await storage?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function replica() {
    const pipeline = new LivePipeline({
      unit: { kind: 'window', windowSeconds: 60 },
      modelsDir: path.join(dir, 'models'),
      queueCapacity: 100_000,
      baselineMinutes: 1000,
      baselineMinUnits: 1000,
    });
    const ledger = new KafkaPositions({ storage, groupId: 'g', stored: async () => {} });
    const state = new PipelineState(pipeline, storage, { stale: ledger.stale });
    pipeline.start();
    /** One Kafka batch of a stream's records from a partition, ending before offset `next`. */
    const consume = async (stream: string, partition: number, next: number, records = 4) => {
      await state.restore([stream]);
      const mark = ledger.mark({ topic: 't', partition, nextOffset: String(next), messages: 1 });
      await pipeline.accept(minuteRecords(stream, start, 0).slice(0, records), 'kafka', mark);
      await pipeline.drained();
    };
    return { pipeline, state, consume };
  }

  const offset = async (p: number) => (await storage.getOffset<StoredKafkaPosition>(`kafka:g:t:${p}`))?.next;
  const lines = async (stream: string) =>
    ((await storage.loadState(stream, PIPELINE_STATE))?.data as StreamSnapshot | undefined)?.units as
      { lines: number } | undefined;

  it('refuses a stalled replica the positions another moved on, and stores the rest after', async () => {
    const a = replica();
    await a.consume('api', 0, 5);
    await a.consume('worker', 1, 3);
    await a.state.checkpoint();

    // Partition 0 moves to B, which resumes api from storage and moves it on.
    const b = replica();
    await b.consume('api', 0, 8);
    await b.state.checkpoint();
    expect(await offset(0)).toBe('8');
    expect((await lines('api'))?.lines).toBe(8);

    // A, stalled, still thinks it owns partition 0: its checkpoint is refused as a whole.
    await a.consume('api', 0, 6, 2);
    await a.consume('worker', 1, 4);
    const refused = await a.state.checkpoint().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(FencedCheckpointError);
    expect((refused as FencedCheckpointError).keys).toEqual(['kafka:g:t:0']);
    expect(await offset(0)).toBe('8');
    expect(await offset(1)).toBe('3');
    expect((await lines('api'))?.lines).toBe(8);

    // A gave partition 0 up; its next checkpoint stores partition 1 only.
    expect(a.pipeline.positionKeys()).toEqual(['kafka:g:t:1']);
    await a.state.checkpoint();
    expect(await offset(1)).toBe('4');
    expect(await offset(0)).toBe('8');
    expect((await lines('api'))?.lines).toBe(8);
    expect((await lines('worker'))?.lines).toBe(8);

    // A batch of redeliveries only (its offsets were reset) ends behind the stored position: it
    // must not move the position back, which would fence the replica's own next checkpoint.
    await a.consume('worker', 1, 2, 0);
    await a.state.checkpoint();
    expect(await offset(1)).toBe('4');
    await Promise.all([a.pipeline.stop(), b.pipeline.stop()]);
  }, 60_000);
});
