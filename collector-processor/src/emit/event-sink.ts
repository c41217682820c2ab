import type { AnomalyEvent } from '../anomaly-event';
import type { SinkName } from './metrics';

/** Somewhere anomaly events go (Kafka, Alertmanager, OTLP). Rejects when the events did not get there. */
export interface EventSink {
  readonly name: SinkName;
  emit(events: AnomalyEvent[]): Promise<void>;
  close?(): Promise<void>;
}
