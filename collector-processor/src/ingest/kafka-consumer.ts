import {
  Kafka,
  logLevel,
  type Consumer,
  type ConsumerConfig,
  type EachBatchPayload,
  type KafkaMessage,
} from 'kafkajs';
import type { LogRecord } from '../record';
import { admitRecords } from './admit-records';
import { decodeOtlpLogsJsonBytes, decodeOtlpLogsProto } from './otlp/otlp-logs-decoder';
import { OverloadedError } from './overloaded-error';
import type { IngestHooks, RecordSink } from './record-sink';

export type KafkaEncoding = 'otlp_proto' | 'otlp_json' | 'raw';

export interface KafkaLogConsumerOptions {
  /** ingest.kafka.brokers / topic / groupId / encoding. */
  brokers: string[];
  topic: string;
  groupId: string;
  encoding: KafkaEncoding;
  /** Must resolve only once the records' results are stored: offsets are committed after it. */
  sink: RecordSink;
  maxLineBytes: number;
  hooks?: IngestHooks;
  clientId?: string;
  /** Messages per sink call within a fetched batch (offsets are committed after each). */
  maxMessagesPerSink?: number;
  /** kafkajs consumer settings (session timeout, heartbeat interval, ...); groupId is ours. */
  consumer?: Omit<ConsumerConfig, 'groupId'>;
  /** Where a group with no committed offset starts; default the earliest, so nothing is skipped. */
  fromBeginning?: boolean;
  /** After each rebalance: the partitions this member now owns (to restore their streams' state). */
  onAssignment?: (assignment: Record<string, number[]>) => void;
  /** A consumer crash; the consumer restarts itself after restartDelayMs. */
  onError?: (err: Error) => void;
  restartDelayMs?: number;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** High watermark minus the committed offset (the logsieve_kafka_consumer_lag gauge). */
  lag: number;
}

/** Stream of raw-encoded messages that carry no key. */
export const DEFAULT_KAFKA_STREAM = 'unknown_service';

/**
 * Kafka ingest as a consumer group member. Offsets are resolved and committed only after the sink
 * resolved for the messages before them, so a crash or a rebalance replays uncommitted messages
 * (at-least-once) instead of losing them. When the sink is overloaded the partition is paused for
 * the advised time and its unresolved messages are fetched again on resume.
 */
export class KafkaLogConsumer {
  private readonly consumer: Consumer;
  private readonly positions = new Map<
    string,
    { topic: string; partition: number; high: number; committed: number }
  >();
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: KafkaLogConsumerOptions) {
    const kafka = new Kafka({
      clientId: opts.clientId ?? 'logsieve',
      brokers: opts.brokers,
      logLevel: logLevel.WARN,
    });
    this.consumer = kafka.consumer({ ...opts.consumer, groupId: opts.groupId });
    // After a rebalance, forget partitions this member no longer owns: their lag is another's.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const owned = new Set(
        Object.entries(payload.memberAssignment).flatMap(([t, ps]) => ps.map((p) => `${t}:${p}`)),
      );
      for (const key of this.positions.keys()) if (!owned.has(key)) this.positions.delete(key);
      opts.onAssignment?.(payload.memberAssignment);
    });
    // kafkajs restarts by itself only after retriable errors; a long-running service must not
    // stop consuming for good because of one odd broker answer, so restart after the others too.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      opts.onError?.(payload.error);
      if (!payload.restart) this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    if (this.stopping || this.restartTimer) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start().catch((err: Error) => {
        this.opts.onError?.(err);
        this.scheduleRestart();
      });
    }, this.opts.restartDelayMs ?? 1000);
  }

  async start(): Promise<void> {
    this.stopping = false;
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [this.opts.topic],
      fromBeginning: this.opts.fromBeginning ?? true,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  /** Leaves the group; uncommitted messages go to whoever takes the partitions over. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    await this.consumer.disconnect();
  }

  /** Lag of each partition this member owns and has fetched from. */
  lag(): PartitionLag[] {
    return [...this.positions.values()].map(({ topic, partition, high, committed }) => ({
      topic,
      partition,
      lag: Math.max(0, high - committed),
    }));
  }

  private async eachBatch({
    batch,
    resolveOffset,
    heartbeat,
    commitOffsetsIfNecessary,
    isRunning,
    isStale,
    pause,
  }: EachBatchPayload): Promise<void> {
    const key = `${batch.topic}:${batch.partition}`;
    const position = this.positions.get(key) ?? {
      topic: batch.topic,
      partition: batch.partition,
      high: 0,
      committed: Number(batch.firstOffset() ?? batch.highWatermark),
    };
    position.high = Number(batch.highWatermark);
    this.positions.set(key, position);

    const step = this.opts.maxMessagesPerSink ?? 500;
    for (let i = 0; i < batch.messages.length; i += step) {
      if (!isRunning() || isStale()) return;
      const messages = batch.messages.slice(i, i + step);
      const records = messages.flatMap((m) => this.decode(m));
      try {
        await admitRecords(records, 'kafka', this.opts);
      } catch (err) {
        if (!(err instanceof OverloadedError)) throw err;
        const resume = pause();
        setTimeout(resume, err.retryAfterSeconds * 1000).unref();
        return;
      }
      const last = messages[messages.length - 1]!.offset;
      resolveOffset(last);
      const next = (BigInt(last) + 1n).toString();
      // With explicit offsets this commits now, regardless of autoCommit; unlike
      // consumer.commitOffsets it throws a rebalance as-is, which kafkajs answers by rejoining.
      await commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
      });
      position.committed = Number(next);
      await heartbeat();
    }
  }

  /** One message -> its records; an undecodable message is counted and skipped, never retried forever. */
  private decode(message: KafkaMessage): LogRecord[] {
    if (!message.value) return [];
    try {
      switch (this.opts.encoding) {
        case 'otlp_proto':
          return decodeOtlpLogsProto(message.value);
        case 'otlp_json':
          return decodeOtlpLogsJsonBytes(message.value);
        case 'raw':
          return [rawRecord(message)];
      }
    } catch {
      this.opts.hooks?.onRejected?.('kafka', 'bad_payload');
      return [];
    }
  }
}

/** A raw message is one line; its key names the stream. */
function rawRecord(message: KafkaMessage): LogRecord {
  let body = message.value!.toString('utf8');
  if (body.endsWith('\n')) body = body.slice(0, body.endsWith('\r\n') ? -2 : -1);
  const stream = message.key && message.key.length > 0 ? message.key.toString('utf8') : DEFAULT_KAFKA_STREAM;
  return {
    stream,
    line: Number(message.offset) + 1,
    timeMs: null,
    severityNumber: 0,
    severityText: '',
    body,
    raw: body,
  };
}
