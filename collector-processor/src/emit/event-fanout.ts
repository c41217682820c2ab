import type { AnomalyEvent } from '../anomaly-event';
import type { DiskBuffer } from '../store/disk-buffer';
import type { Storage } from '../store/storage';
import type { BackoffOptions } from './backoff';
import { BufferDrainer } from './buffer-drainer';
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
  private readonly drainer: BufferDrainer<AnomalyEvent[]>;

  constructor(private readonly opts: FanoutOptions) {
    const count = opts.count ?? (() => {});
    this.drainer = new BufferDrainer(opts.buffer, {
      label: 'storage',
      retry: opts.retry ?? STORAGE_RETRY,
      warn: opts.warn,
      send: async (batch) => {
        try {
          await opts.storage.insertAnomalies(batch);
          return 'sent';
        } catch (err) {
          if (!isDataError(err)) throw err;
          // The database refused the rows themselves: retrying can never succeed.
          opts.warn?.(`emit: storage refused ${batch.length} buffered events: ${(err as Error).message}`);
          return 'refused';
        }
      },
      onShift: (batch, outcome) => {
        if (batch) count('postgres', outcome === 'sent' ? 'ok' : 'dropped', batch.length);
        opts.buffered?.(opts.buffer.bytes);
      },
    });
    // Events a previous process buffered and could not store before it stopped.
    if (opts.buffer.length > 0) this.drainer.start();
    opts.buffered?.(opts.buffer.bytes);
  }

  /** Batches on disk waiting for storage. */
  get backlog(): number {
    return this.opts.buffer.length;
  }

  /** What waits for each output, storage included (logsieve_events_backlog). */
  backlogs(): [SinkName, number][] {
    return [
      ['postgres', this.backlog],
      ...this.opts.sinks.map((s): [SinkName, number] => [s.name, s.backlog ?? 0]),
    ];
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
        count(sink.name, r.status === 'rejected' ? 'error' : (r.value ?? 'ok'), fresh.length);
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
    await this.drainer.close();
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
    this.drainer.start();
    return events;
  }

  private withTimeout(sink: EventSink, events: AnomalyEvent[]): Promise<void | 'buffered'> {
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
