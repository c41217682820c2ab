import type { AnomalyEvent } from '../anomaly-event';
import type { DiskBuffer } from '../store/disk-buffer';
import type { Storage } from '../store/storage';
import { backoffDelay, type BackoffOptions } from './backoff';
import type { EventSink } from './event-sink';
import type { Outcome, SinkName } from './metrics';

export interface FanoutOptions {
  storage: Pick<Storage, 'insertAnomalies'>;
  /** Where events wait, in order, while storage is down (bounded: see docs/config.md). */
  buffer: DiskBuffer<AnomalyEvent[]>;
  sinks: EventSink[];
  /** Counts `logsieve_events_emitted_total{sink,outcome}`; pass `Metrics.eventsEmitted`. */
  count?: (sink: SinkName, outcome: Outcome, n: number) => void;
  /** Reports the buffer's size in bytes after each change; pass `Metrics.storageBuffer`. */
  buffered?: (bytes: number) => void;
  warn?: (message: string) => void;
  /** A sink still busy after this long counts as failed, so one stuck sink can't stall the pipeline. */
  sinkTimeoutMs?: number;
  /** Delays between attempts to write the buffer to storage (default 250 ms doubling to 5 s). */
  retry?: BackoffOptions;
}

export interface FanoutResult {
  /** Events not stored before (all events when they went to the disk buffer). */
  delivered: AnomalyEvent[];
  failed: SinkName[];
}

const STORAGE_RETRY: BackoffOptions = { initialMs: 250, maxMs: 5000 };

/**
 * Stores events first, then hands the ones storage had not seen to every other sink in parallel:
 * a replay after a crash is not reported twice, and a failing sink never holds up the others.
 * When storage fails the events go to a bounded disk buffer that a background loop writes to
 * storage in order, retrying with backoff; storage drops ids it already has, so a write retried
 * after a timeout is not stored twice. Buffered events still go out at once: a database outage
 * must not silence alerts.
 */
export class EventFanout {
  private draining: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private closed = false;

  constructor(private readonly opts: FanoutOptions) {
    // Events a previous process buffered and could not store before it stopped.
    if (opts.buffer.length > 0) this.drain();
    opts.buffered?.(opts.buffer.bytes);
  }

  /** Batches on disk waiting for storage. */
  get backlog(): number {
    return this.opts.buffer.length;
  }

  async emit(events: AnomalyEvent[]): Promise<FanoutResult> {
    if (events.length === 0) return { delivered: [], failed: [] };
    const fresh = await this.store(events);
    const failed: SinkName[] = [];
    if (fresh.length > 0) {
      const count = this.opts.count ?? (() => {});
      const results = await Promise.allSettled(this.opts.sinks.map((s) => this.withTimeout(s, fresh)));
      results.forEach((r, i) => {
        const sink = this.opts.sinks[i]!;
        count(sink.name, r.status === 'fulfilled' ? 'ok' : 'error', fresh.length);
        if (r.status === 'rejected') {
          failed.push(sink.name);
          this.opts.warn?.(`emit: ${sink.name} failed: ${(r.reason as Error)?.message ?? String(r.reason)}`);
        }
      });
    }
    return { delivered: fresh, failed };
  }

  /** Stops retrying after the write in flight; what is still buffered is written after a restart. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    await this.draining;
    await Promise.allSettled(this.opts.sinks.map((s) => s.close?.()));
  }

  /** Writes events to storage, or to the buffer; resolves with the events storage had not seen. */
  private async store(events: AnomalyEvent[]): Promise<AnomalyEvent[]> {
    const count = this.opts.count ?? (() => {});
    // Behind a backlog, new events queue up too: storage receives everything in order.
    if (this.opts.buffer.length === 0) {
      try {
        const { newIds } = await this.opts.storage.insertAnomalies(events);
        count('postgres', 'ok', events.length);
        const ids = new Set(newIds);
        return events.filter((e) => ids.has(e.id));
      } catch (err) {
        count('postgres', 'error', events.length);
        this.opts.warn?.(`emit: storage failed, buffering on disk: ${(err as Error).message}`);
      }
    }
    let appended = false;
    try {
      appended = await this.opts.buffer.append(events);
    } catch (err) {
      this.opts.warn?.(`emit: disk buffer failed: ${(err as Error).message}`);
    }
    if (appended) {
      count('postgres', 'buffered', events.length);
      this.opts.buffered?.(this.opts.buffer.bytes);
    } else {
      count('postgres', 'dropped', events.length);
      this.opts.warn?.(
        `emit: storage buffer full (${this.opts.buffer.bytes} bytes): ${events.length} anomaly events not stored`,
      );
    }
    this.drain();
    return events;
  }

  /** Starts the loop writing the buffer to storage unless it runs already. */
  private drain(): void {
    if (this.draining || this.closed) return;
    this.draining = this.drainLoop()
      // The buffer's folder failed under it (disk gone): the next emit starts the loop again.
      .catch((err: Error) => this.opts.warn?.(`emit: storage buffer failed: ${err.message}`))
      .finally(() => (this.draining = null));
  }

  private async drainLoop(): Promise<void> {
    const { buffer, storage } = this.opts;
    const count = this.opts.count ?? (() => {});
    let attempt = 0;
    while (!this.closed) {
      let batch: AnomalyEvent[] | undefined;
      try {
        batch = await buffer.peek();
      } catch (err) {
        // A damaged file would block everything behind it for good.
        this.opts.warn?.(`emit: dropping an unreadable storage buffer entry: ${(err as Error).message}`);
        await buffer.shift();
        continue;
      }
      if (!batch) {
        // Empty (done), or the oldest entry is still being written: look again shortly.
        if (buffer.length === 0) return;
        await this.sleep(20);
        continue;
      }
      try {
        await storage.insertAnomalies(batch);
      } catch (err) {
        if (isDataError(err)) {
          // The database refused the rows themselves: retrying can never succeed.
          this.opts.warn?.(
            `emit: storage refused ${batch.length} buffered events: ${(err as Error).message}`,
          );
          count('postgres', 'dropped', batch.length);
          await buffer.shift();
          this.opts.buffered?.(buffer.bytes);
          continue;
        }
        const delay = backoffDelay(attempt++, this.opts.retry ?? STORAGE_RETRY);
        if (attempt === 1) this.opts.warn?.(`emit: storage still down: ${(err as Error).message}`);
        await this.sleep(delay);
        continue;
      }
      attempt = 0;
      await buffer.shift();
      count('postgres', 'ok', batch.length);
      this.opts.buffered?.(buffer.bytes);
    }
  }

  /** Waits `ms`, or less when close() is called. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private withTimeout(sink: EventSink, events: AnomalyEvent[]): Promise<void> {
    const ms = this.opts.sinkTimeoutMs ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${sink.name} took longer than ${ms} ms`)), ms);
    });
    return Promise.race([sink.emit(events), timeout]).finally(() => clearTimeout(timer));
  }
}

/** SQLSTATE classes 22 (data exception) and 23 (integrity constraint): the rows, not the connection. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code);
}
