import type { AnomalyEvent } from '../anomaly-event';
import type { Storage } from '../store/storage';
import type { EventSink } from './event-sink';
import type { Outcome, SinkName } from './metrics';

export interface FanoutOptions {
  storage: Pick<Storage, 'insertAnomalies'>;
  sinks: EventSink[];
  /** Counts `logsieve_events_emitted_total{sink,outcome}`; pass `Metrics.eventsEmitted`. */
  count?: (sink: SinkName, outcome: Outcome, n: number) => void;
  warn?: (message: string) => void;
  /** A sink still busy after this long counts as failed, so one stuck sink can't stall the pipeline. */
  sinkTimeoutMs?: number;
}

export interface FanoutResult {
  /** Events not stored before (all events when storage failed). */
  delivered: AnomalyEvent[];
  failed: SinkName[];
}

export class StorageFailedError extends Error {
  constructor(cause: unknown) {
    super(`storing anomaly events failed: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
}

/**
 * Stores events first, then hands the ones storage had not seen to every other sink in parallel:
 * a replay after a crash is not reported twice, and a failing sink never holds up the others.
 * When storage fails the events still go out (a database outage must not silence alerts), and
 * `emit` rejects with StorageFailedError afterwards so the caller does not commit its offsets.
 */
export class EventFanout {
  constructor(private readonly opts: FanoutOptions) {}

  async emit(events: AnomalyEvent[]): Promise<FanoutResult> {
    if (events.length === 0) return { delivered: [], failed: [] };
    const count = this.opts.count ?? (() => {});
    let fresh = events;
    let storageError: unknown = null;
    try {
      const { newIds } = await this.opts.storage.insertAnomalies(events);
      const ids = new Set(newIds);
      fresh = events.filter((e) => ids.has(e.id));
      count('postgres', 'ok', events.length);
    } catch (err) {
      storageError = err;
      count('postgres', 'error', events.length);
      this.opts.warn?.(`emit: storage failed: ${(err as Error).message}`);
    }
    const failed: SinkName[] = storageError ? ['postgres'] : [];
    if (fresh.length > 0) {
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
    if (storageError) throw new StorageFailedError(storageError);
    return { delivered: fresh, failed };
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.opts.sinks.map((s) => s.close?.()));
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
