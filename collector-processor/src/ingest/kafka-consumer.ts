import {
  Kafka,
  logLevel,
  type Consumer,
  type ConsumerConfig,
  type EachBatchPayload,
  type KafkaConfig,
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
  /** server.maxBodyBytes: a larger message is counted (too_large) and skipped. */
  maxBodyBytes?: number;
  /** limits.maxRecordsPerRequest: a message with more records is counted (too_large) and skipped. */
  maxRecordsPerRequest?: number;
  hooks?: IngestHooks;
  clientId?: string;
  /** ingest.kafka.tls / sasl (config/tls-files.ts kafkaSecurity). */
  security?: Pick<KafkaConfig, 'ssl' | 'sasl'>;
  /** Messages per sink call within a fetched batch (offsets are committed after each). */
  maxMessagesPerSink?: number;
  /** kafkajs consumer settings (session timeout, heartbeat interval, ...); groupId is ours. */
  consumer?: Omit<ConsumerConfig, 'groupId'>;
  /** Where a group with no committed offset starts; default the earliest, so nothing is skipped. */
  fromBeginning?: boolean;
  /** After each rebalance: the partitions this member now owns (to restore their streams' state). */
  onAssignment?: (assignment: Record<string, number[]>) => void;
  /**
   * Positions stored with the results: messages below a partition's stored position are
   * redeliveries (counted, not passed on), and offsets are committed only once `stored` resolves.
   * Without it every delivered message goes to the sink (at-least-once).
   */
  ledger?: KafkaLedger;
  /** A consumer crash; the consumer restarts itself after restartDelayMs. */
  onError?: (err: Error) => void;
  restartDelayMs?: number;
}

/** Kafka positions kept with the results (in storage), shared by every replica of the group. */
export interface KafkaLedger {
  /** Offset after the last message whose results are stored; null when none are. */
  position(topic: string, partition: number): Promise<bigint | null>;
  /** Messages redelivered although their results were stored (logsieve_records_duplicate_total). */
  duplicates(topic: string, partition: number, messages: number): void;
  /** Resolves once the results of everything the sink took are stored along with its position. */
  stored(): Promise<void>;
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
  /**
   * Per owned partition: the offset after the messages whose records are stored or were taken by
   * the sink (in this member's state, to be stored); a partition gained is read from the ledger.
   */
  private readonly stored = new Map<string, bigint | null>();
  private stopping = false;
  private restartTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: KafkaLogConsumerOptions) {
    const kafka = new Kafka({
      clientId: opts.clientId ?? 'logsieve',
      brokers: opts.brokers,
      ...opts.security,
      logLevel: logLevel.WARN,
    });
    this.consumer = kafka.consumer({ ...opts.consumer, groupId: opts.groupId });
    // After a rebalance, forget partitions this member no longer owns: their lag is another's.
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      const owned = new Set(
        Object.entries(payload.memberAssignment).flatMap(([t, ps]) => ps.map((p) => `${t}:${p}`)),
      );
      for (const key of this.positions.keys()) if (!owned.has(key)) this.positions.delete(key);
      // Kept for partitions still owned: what this member's sink took is newer than storage.
      for (const key of this.stored.keys()) if (!owned.has(key)) this.stored.delete(key);
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
      const last = messages[messages.length - 1]!.offset;
      const next = (BigInt(last) + 1n).toString();
      const fresh = await this.withoutRedeliveries(batch.topic, batch.partition, messages);
      const records = fresh.flatMap((m) => this.decode(m));
      const ledger = this.opts.ledger;
      try {
        await admitRecords(
          records,
          'kafka',
          this.opts,
          ledger && {
            topic: batch.topic,
            partition: batch.partition,
            nextOffset: next,
            messages: fresh.length,
          },
        );
      } catch (err) {
        if (!(err instanceof OverloadedError)) throw err;
        const resume = pause();
        setTimeout(resume, err.retryAfterSeconds * 1000).unref();
        return;
      }
      if (ledger) {
        // A rebalance that gives this member the partition again redelivers what it already took.
        const taken = this.stored.get(key);
        if (taken === undefined || taken === null || taken < BigInt(next)) this.stored.set(key, BigInt(next));
        await ledger.stored();
      }
      resolveOffset(last);
      // With explicit offsets this commits now, regardless of autoCommit; unlike
      // consumer.commitOffsets it throws a rebalance as-is, which kafkajs answers by rejoining.
      await commitOffsetsIfNecessary({
        topics: [{ topic: batch.topic, partitions: [{ partition: batch.partition, offset: next }] }],
      });
      position.committed = Number(next);
      await heartbeat();
    }
  }

  /** The messages at or after the partition's stored position; the others are counted. */
  private async withoutRedeliveries(
    topic: string,
    partition: number,
    messages: KafkaMessage[],
  ): Promise<KafkaMessage[]> {
    const ledger = this.opts.ledger;
    if (!ledger) return messages;
    const key = `${topic}:${partition}`;
    let from = this.stored.get(key);
    if (from === undefined) this.stored.set(key, (from = await ledger.position(topic, partition)));
    if (from === null) return messages;
    const fresh = messages.filter((m) => BigInt(m.offset) >= from);
    if (fresh.length < messages.length) ledger.duplicates(topic, partition, messages.length - fresh.length);
    return fresh;
  }

  /**
   * One message -> its records. A message that is undecodable or over a limit is counted and
   * skipped: nobody can be told to resend it smaller, and retrying it would stall the partition.
   */
  private decode(message: KafkaMessage): LogRecord[] {
    if (!message.value) return [];
    const { maxBodyBytes = Infinity, maxRecordsPerRequest = Infinity } = this.opts;
    if (message.value.length > maxBodyBytes) return this.skip('too_large');
    let records: LogRecord[];
    try {
      records =
        this.opts.encoding === 'otlp_proto'
          ? decodeOtlpLogsProto(message.value)
          : this.opts.encoding === 'otlp_json'
            ? decodeOtlpLogsJsonBytes(message.value)
            : [rawRecord(message)];
    } catch {
      return this.skip('bad_payload');
    }
    return records.length > maxRecordsPerRequest ? this.skip('too_large') : records;
  }

  private skip(reason: 'bad_payload' | 'too_large'): LogRecord[] {
    this.opts.hooks?.onRejected?.('kafka', reason);
    return [];
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
