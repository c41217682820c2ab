import type { LogRecord } from '../record';

/** Where ingest sources name themselves; also the `source` label of the ingest metrics. */
export type IngestSource = 'otlp_http' | 'otlp_grpc' | 'kafka' | 'file' | 'rest';

/**
 * Receives the records of one request, file read or Kafka batch. Resolves once they are queued
 * (or, for Kafka, stored); throws OverloadedError when it cannot take them now.
 */
export type RecordSink = (
  records: LogRecord[],
  source: IngestSource,
  /** Who pushed them (the authenticated actor, `anonymous` with auth off); absent for file/Kafka. */
  tenant?: string,
  position?: SourcePosition,
) => Promise<{ accepted: number; rejected: number }>;

/**
 * Where a batch ends in a replayable source (a Kafka partition): given to the sink even for a
 * batch with no records left, so a sink that stores positions with its state stores this one.
 */
export interface SourcePosition {
  topic: string;
  partition: number;
  /** Offset after the batch's last message. */
  nextOffset: string;
  /** Messages in the batch, redeliveries not included. */
  messages: number;
}

/** The `reason` label of logsieve_ingest_rejected_total that ingest itself can produce. */
export type IngestRejectReason =
  | 'bad_payload'
  | 'too_large'
  | 'unsupported_media_type'
  | 'overloaded'
  | 'unauthorized'
  | 'rate_limited'
  | 'auth_throttled';

/** Counters the service wires to its metrics; every source calls them, none requires them. */
export interface IngestHooks {
  /** A request or message refused as a whole (4xx/429/503, or a Kafka message that failed to decode). */
  onRejected?(source: IngestSource, reason: IngestRejectReason): void;
  /** Records refused before reaching the sink (logsieve_records_dropped_total). */
  onDropped?(records: LogRecord[], reason: 'too_long'): void;
}
