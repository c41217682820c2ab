import { FencedCheckpointError, type Storage, type TemplateKey } from '../store/storage';
import type { LivePipeline, StreamSnapshot } from './live-pipeline';
import type { TemplateCounts } from './template-counts';

/** stream_state kind of the live pipeline's per-stream snapshots. */
export const PIPELINE_STATE = 'pipeline';

export interface PipelineStateOptions {
  /**
   * True when a stored position is ahead of this replica's: another replica owns the source
   * now (this one stalled past its session), so this replica's state for it must not be stored.
   */
  stale?: (key: string, stored: unknown, next: unknown) => boolean;
  /** Template statistics: stored with the state and positions they were counted up to. */
  templates?: TemplateCounts;
  /** A checkpoint with these positions is stored (the write-ahead log drops what it covers). */
  stored?: (positions: Record<string, unknown>) => Promise<void>;
  /** Template statistics storage refused for their data (left out). */
  refused?: (templates: TemplateKey[]) => void;
}

/**
 * The live pipeline's state in storage. Snapshots are written by group commit: every caller
 * waiting for a checkpoint shares the next one, and one runs at a time. Streams are restored
 * lazily, once each, before their first record is processed here (after a restart, or when a
 * rebalance brings a Kafka partition from another replica).
 */
export class PipelineState {
  private chain: Promise<void> = Promise.resolve();
  private queued: Promise<void> | null = null;
  private readonly restored = new Map<string, Promise<void>>();

  constructor(
    private readonly pipeline: LivePipeline,
    private readonly storage: Storage,
    private readonly o: PipelineStateOptions = {},
  ) {}

  /** Resolves once a snapshot taken after this call is stored. */
  checkpoint(): Promise<void> {
    this.queued ??= this.chain.then(() => {
      this.queued = null;
      return this.write();
    });
    this.chain = this.queued.catch(() => {});
    return this.queued;
  }

  private async write(): Promise<void> {
    // Taken between two batches: the windows, templates, statistics and positions describe
    // exactly the same records, so a replay from the positions neither loses nor repeats any.
    const { snap, templates } = await this.pipeline.afterDrained(() => ({
      snap: this.pipeline.takeSnapshot(),
      templates: this.o.templates?.take() ?? [],
    }));
    if (
      Object.keys(snap.streams).length === 0 &&
      Object.keys(snap.positions).length === 0 &&
      templates.length === 0
    )
      return;
    try {
      const refused = await this.storage.saveCheckpoint(PIPELINE_STATE, snap.streams, snap.positions, {
        stale: this.o.stale,
        templates,
      });
      if (refused.length > 0) this.o.refused?.(refused);
    } catch (err) {
      this.pipeline.snapshotFailed(snap);
      this.o.templates?.putBack(templates);
      // Fenced: give the sources up (after re-marking, so their streams are not stored as gone);
      // the rest goes into the next checkpoint.
      if (err instanceof FencedCheckpointError) this.forget(this.pipeline.release(new Set(err.keys)));
      throw err;
    }
    await this.o.stored?.(snap.positions);
  }

  /** Restores the streams not seen here yet from their stored snapshots. */
  async restore(streams: Iterable<string>): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const stream of streams) {
      let p = this.restored.get(stream);
      if (!p) {
        p = this.storage.loadState(stream, PIPELINE_STATE).then((s) => {
          if (s) this.pipeline.restoreStream(stream, s.data as StreamSnapshot);
        });
        // A failed read is tried again with the stream's next records.
        p.catch(() => this.restored.delete(stream));
        this.restored.set(stream, p);
      }
      pending.push(p);
    }
    await Promise.all(pending);
  }

  /**
   * Restores every stored stream: a replica that owns all streams (no Kafka group) resumes quiet
   * streams too, whose windows would otherwise wait for a record to be restored.
   */
  async restoreAll(): Promise<void> {
    for (const s of await this.storage.listStates(PIPELINE_STATE)) {
      if (this.restored.has(s.stream)) continue;
      this.pipeline.restoreStream(s.stream, s.data as StreamSnapshot);
      this.restored.set(s.stream, Promise.resolve());
    }
  }

  /** These streams' state moved to another replica: restore it again if they come back. */
  forget(streams: string[]): void {
    for (const s of streams) this.restored.delete(s);
  }
}
