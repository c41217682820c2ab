import type { AnomalyEvent } from '../anomaly-event';
import type { DiskBuffer } from '../store/disk-buffer';
import type { BackoffOptions } from './backoff';
import { BufferDrainer } from './buffer-drainer';
import type { EventSink } from './event-sink';
import type { Outcome, SinkName } from './metrics';

export interface BufferedSinkOptions {
  warn?: (message: string) => void;
  /** Counts what the background loop sends or drops (`logsieve_events_emitted_total`). */
  count?: (sink: SinkName, outcome: Outcome, n: number) => void;
  retry?: BackoffOptions;
}

/**
 * An output (Kafka, OTLP) that keeps what it could not send: the events wait in order in a bounded
 * disk buffer, and a background loop sends them once the output answers again, also after a
 * restart. While a backlog waits, new events queue behind it, so the output receives them in order.
 * Events the output refuses as such (an HTTP 4xx, a Kafka message too large) are dropped, counted,
 * instead of blocking everything behind them.
 */
export class BufferedSink implements EventSink {
  readonly name: SinkName;
  private readonly drainer: BufferDrainer<AnomalyEvent[]>;

  constructor(
    private readonly inner: EventSink,
    private readonly buffer: DiskBuffer<AnomalyEvent[]>,
    private readonly o: BufferedSinkOptions = {},
  ) {
    this.name = inner.name;
    this.drainer = new BufferDrainer(buffer, {
      label: inner.name,
      retry: o.retry,
      warn: o.warn,
      send: async (events) => {
        try {
          await inner.emit(events);
          return 'sent';
        } catch (err) {
          if (!refused(err)) throw err;
          o.warn?.(`${inner.name} refused ${events.length} buffered events: ${(err as Error).message}`);
          return 'refused';
        }
      },
      onShift: (events, outcome) => {
        if (events) o.count?.(inner.name, outcome === 'sent' ? 'ok' : 'dropped', events.length);
      },
    });
    // What a previous process could not send.
    if (buffer.length > 0) this.drainer.start();
  }

  /** Batches on disk waiting for the output. */
  get backlog(): number {
    return this.buffer.length;
  }

  async emit(events: AnomalyEvent[]): Promise<void | 'buffered'> {
    if (this.buffer.length === 0) {
      try {
        await this.inner.emit(events);
        return;
      } catch (err) {
        if (refused(err)) throw err;
        this.o.warn?.(`${this.name} failed, buffering on disk: ${(err as Error).message}`);
      }
    }
    if (!(await this.buffer.append(events)))
      throw new Error(
        `${this.name} buffer full (${this.buffer.bytes} bytes): ${events.length} events not sent`,
      );
    this.drainer.start();
    return 'buffered';
  }

  async close(): Promise<void> {
    await this.drainer.close();
    await this.inner.close?.();
  }
}

/** The output rejected the events themselves: sending them again can never succeed. */
function refused(err: unknown): boolean {
  const e = err as { retryable?: boolean; retriable?: boolean; name?: string };
  return e?.retryable === false || (e?.name === 'KafkaJSProtocolError' && e.retriable === false);
}
