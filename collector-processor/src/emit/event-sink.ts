import type { AnomalyEvent } from '../anomaly-event';
import type { SinkName } from './metrics';

/**
 * Somewhere anomaly events go (Kafka, Alertmanager, OTLP). Rejects when the events did not get
 * there; resolves 'buffered' when they wait on disk to be sent later.
 */
export interface EventSink {
  readonly name: SinkName;
  /** Deliveries waiting while the output is down (buffered batches, queued alerts); absent: none wait. */
  readonly backlog?: number;
  emit(events: AnomalyEvent[]): Promise<void | 'buffered'>;
  close?(): Promise<void>;
  /**
   * Called once at start: sends again what may still be owed for anomalies an earlier process
   * raised (Alertmanager: alerts that may still be firing), read through `raisedSince`.
   */
  restore?(raisedSince: (ms: number) => Promise<AnomalyEvent[]>): Promise<void>;
}
