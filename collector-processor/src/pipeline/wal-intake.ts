import { setTimeout as sleep } from 'node:timers/promises';
import { OverloadedError } from '../ingest/overloaded-error';
import type { IngestSource } from '../ingest/record-sink';
import type { LogRecord } from '../record';
import type { Storage } from '../store/storage';
import type { WriteAheadLog } from '../store/write-ahead-log';
import type { LivePipeline } from './live-pipeline';

/** One WAL entry: a batch as a push source handed it over. */
interface LoggedBatch {
  source: IngestSource;
  records: LogRecord[];
}

/**
 * The push sources' way into the pipeline when ingest.wal is on: a batch is queued and written to
 * the write-ahead log before it is acknowledged. Its entry number travels with it as a position
 * (like a Kafka offset) into the checkpoint that stores the state it made, so at start exactly
 * the entries after the stored position are replayed (nothing acknowledged is lost, nothing
 * stored is counted twice), and entries up to it are deleted.
 */
export class WalIntake {
  /** Position key of this log in the stored checkpoint (the offsets table). */
  readonly key: string;

  constructor(
    private readonly wal: WriteAheadLog,
    private readonly pipeline: LivePipeline,
  ) {
    this.key = `wal:${wal.id}`;
  }

  /** Queues the batch and resolves once its entry is written (fsync'd per ingest.wal.fsync). */
  async accept(records: LogRecord[], source: IngestSource): Promise<{ accepted: number; rejected: number }> {
    const refusal = this.wal.refusal();
    if (refusal) throw new OverloadedError(refusal, 5, true);
    // A batch the queue refuses is never logged (nor encoded: refusals stay cheap under overload);
    // one it takes gets the number of the append below, made in the same turn, so no other
    // append comes in between and the pipeline has not yet decoded and mined the records in place.
    this.pipeline.offer(records, source, { key: this.key, value: this.wal.nextSeq });
    const payload = Buffer.from(JSON.stringify({ source, records } satisfies LoggedBatch));
    // Not logged (a disk error): refused, though queued; a client that sends it again may have
    // it counted twice, which beats acknowledging what a crash would lose.
    await this.wal.append(payload).catch((err: Error) => {
      throw new OverloadedError(`write-ahead log: ${err.message}`, 5, true);
    });
    return { accepted: records.length, rejected: 0 };
  }

  /**
   * Queues the entries after the stored position again (before the listeners open), waiting for
   * room in the queue; `restore` brings each batch's streams' stored state first. Resolves with
   * the records replayed.
   */
  async replay(storage: Storage, restore: (streams: Set<string>) => Promise<void>): Promise<number> {
    const stored = (await storage.getOffset<number>(this.key)) ?? 0;
    let n = 0;
    for await (const { seq, payload } of this.wal.replay(stored)) {
      const { source, records } = JSON.parse(payload.toString('utf8')) as LoggedBatch;
      await restore(new Set(records.map((r) => r.stream)));
      for (;;) {
        try {
          this.pipeline.offer(records, source, { key: this.key, value: seq });
          break;
        } catch (err) {
          if (!(err instanceof OverloadedError)) throw err;
          // Full, or restarting after a failure: wait for room (and let its timers run).
          await this.pipeline.drained();
          await sleep(20);
        }
      }
      n += records.length;
    }
    return n;
  }

  /** A checkpoint with these positions is stored: the entries it covers are not needed again. */
  async checkpointed(positions: Record<string, unknown>): Promise<void> {
    const seq = positions[this.key];
    if (typeof seq === 'number') await this.wal.truncate(seq);
  }
}
