import { join } from 'node:path';
import type { Config } from '../config/config-schema';
import { kafkaSecurity } from '../config/tls-files';
import { DiskBuffer } from '../store/disk-buffer';
import type { AnomalyEvent } from '../anomaly-event';
import { AlertmanagerSink } from './alertmanager-sink';
import { BufferedSink, type BufferedSinkOptions } from './buffered-sink';
import type { EventSink } from './event-sink';
import { KafkaSink } from './kafka-sink';
import { OtlpLogSink } from './otlp-log-sink';

/**
 * The event sinks outputs.* turns on (storage is not one: EventFanout writes it first). Kafka and
 * OTLP keep what they cannot send in a disk buffer under `<dataDir>/output-buffer/` (bounded by
 * storage.bufferMaxBytes each); Alertmanager has its own queue and re-sends from storage at start.
 */
export async function openEventSinks(
  cfg: Pick<Config, 'outputs' | 'ingest' | 'dataDir' | 'storage'>,
  o: BufferedSinkOptions = {},
): Promise<EventSink[]> {
  const sinks: EventSink[] = [];
  const buffered = async (sink: EventSink) =>
    new BufferedSink(
      sink,
      await DiskBuffer.open<AnomalyEvent[]>(
        join(cfg.dataDir, 'output-buffer', sink.name),
        cfg.storage.bufferMaxBytes,
      ),
      o,
    );
  const { kafka, alertmanager, otlp } = cfg.outputs;
  if (kafka.enabled)
    sinks.push(
      await buffered(
        new KafkaSink({
          brokers: cfg.ingest.kafka.brokers,
          topic: kafka.topic,
          warn: o.warn,
          security: kafkaSecurity(cfg.ingest.kafka),
        }),
      ),
    );
  if (alertmanager.url)
    sinks.push(
      new AlertmanagerSink({
        url: alertmanager.url,
        grafanaUrl: alertmanager.grafanaUrl,
        resendMs: alertmanager.resendSeconds * 1000,
        warn: o.warn,
      }),
    );
  if (otlp.endpoint) sinks.push(await buffered(new OtlpLogSink({ endpoint: otlp.endpoint })));
  return sinks;
}
