import { Kafka, logLevel, Partitioners, type KafkaConfig, type Producer } from 'kafkajs';
import type { AnomalyEvent } from '../anomaly-event';
import type { EventSink } from './event-sink';

export interface KafkaSinkOptions {
  brokers: string[];
  /** outputs.kafka.topic */
  topic?: string;
  clientId?: string;
  /** Retries of one send or connect before emit rejects (kafkajs default 5). */
  retries?: number;
  warn?: (message: string) => void;
  /** ingest.kafka.tls / sasl (config/tls-files.ts kafkaSecurity). */
  security?: Pick<KafkaConfig, 'ssl' | 'sasl'>;
}

/**
 * Anomaly events as JSON on a Kafka topic, keyed by stream so one stream's events stay in order
 * on one partition (one request in flight keeps retries from reordering them). Every message
 * carries the event id in a header, so consumers can drop the duplicates a retry or a replay
 * after a crash may produce. (kafkajs' idempotent producer is not used: it needs a controller
 * broker, which librdkafka's mock cluster used in tests does not report.)
 */
export class KafkaSink implements EventSink {
  readonly name = 'kafka' as const;
  readonly topic: string;
  private readonly producer: Producer;
  private connecting: Promise<void> | null = null;

  constructor(opts: KafkaSinkOptions) {
    this.topic = opts.topic ?? 'logsieve.anomalies';
    const warn = opts.warn;
    const kafka = new Kafka({
      clientId: opts.clientId ?? 'logsieve',
      brokers: opts.brokers,
      ...opts.security,
      logLevel: logLevel.WARN,
      retry: { retries: opts.retries ?? 5 },
      logCreator: () => (entry) => warn?.(`kafka: ${entry.log.message}`),
    });
    this.producer = kafka.producer({
      maxInFlightRequests: 1,
      // Java-compatible murmur2 key hashing: other clients place a stream's events the same way.
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: true,
    });
  }

  async emit(events: AnomalyEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.connect();
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: events.map((e) => ({
        key: e.stream,
        value: JSON.stringify(e),
        headers: { 'logsieve-anomaly-id': e.id, 'content-type': 'application/json' },
      })),
    });
  }

  async close(): Promise<void> {
    if (this.connecting) await this.producer.disconnect();
    this.connecting = null;
  }

  private connect(): Promise<void> {
    // A failed connect is forgotten so the next emit tries again.
    this.connecting ??= this.producer.connect().catch((err: unknown) => {
      this.connecting = null;
      throw err;
    });
    return this.connecting;
  }
}
