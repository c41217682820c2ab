import type { Config } from '../config/config-schema';
import { kafkaSecurity } from '../config/tls-files';
import { AlertmanagerSink } from './alertmanager-sink';
import type { EventSink } from './event-sink';
import { KafkaSink } from './kafka-sink';
import { OtlpLogSink } from './otlp-log-sink';

/** The event sinks outputs.* turns on (storage is not one: EventFanout writes it first). */
export function openEventSinks(
  cfg: Pick<Config, 'outputs' | 'ingest'>,
  warn?: (message: string) => void,
): EventSink[] {
  const sinks: EventSink[] = [];
  const { kafka, alertmanager, otlp } = cfg.outputs;
  if (kafka.enabled)
    sinks.push(
      new KafkaSink({
        brokers: cfg.ingest.kafka.brokers,
        topic: kafka.topic,
        warn,
        security: kafkaSecurity(cfg.ingest.kafka),
      }),
    );
  if (alertmanager.url)
    sinks.push(
      new AlertmanagerSink({
        url: alertmanager.url,
        grafanaUrl: alertmanager.grafanaUrl,
        resendMs: alertmanager.resendSeconds * 1000,
        warn,
      }),
    );
  if (otlp.endpoint) sinks.push(new OtlpLogSink({ endpoint: otlp.endpoint }));
  return sinks;
}
