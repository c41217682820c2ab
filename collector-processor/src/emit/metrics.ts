import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Counter, Gauge, Histogram } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import type { AnomalySeverity, ModelName } from '../anomaly-event';
import type { ListenerGuard } from '../api/auth/admission';
import type { TlsServerOptions } from '../config/tls-files';
import { StreamLabels } from './stream-labels';

/*
 * The service's Prometheus metrics (docs/metrics.md), produced by the OpenTelemetry SDK. The
 * exporter appends `_total` to counters, so counters are created without it. No instrument has a
 * unit: units would add suffixes and change the documented names.
 */

export type IngestSource = 'otlp_http' | 'otlp_grpc' | 'kafka' | 'file' | 'rest';
export type DropReason =
  'malformed' | 'too_long' | 'queue_full' | 'stream_limit' | 'model_change' | 'pipeline_error';
export type RejectReason =
  | 'bad_payload'
  | 'too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unauthorized'
  | 'overloaded'
  | 'auth_throttled';
export type Stage = 'decode_mine' | 'score' | 'emit';
export type SinkName = 'postgres' | 'kafka' | 'alertmanager' | 'otlp';
/** `buffered`: storage was down and the events went to the disk buffer; `dropped`: the buffer was full. */
export type Outcome = 'ok' | 'error' | 'buffered' | 'dropped';

/** Seconds: batches take from sub-millisecond (decode of a few lines) to tens of seconds (a stalled sink). */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

export interface MetricsOptions {
  /** Streams admitted as label values before the rest count as `_other` (limits.maxStreams). */
  maxStreams?: number;
}

export class Metrics {
  private readonly exporter = new PrometheusExporter({
    preventServerStart: true,
    withoutScopeInfo: true,
    withoutTargetInfo: true,
  });
  private readonly provider = new MeterProvider({ readers: [this.exporter] });
  private readonly streams: StreamLabels;
  private server: http.Server | https.Server | null = null;
  private models: { model: string; version: string }[] = [];

  private readonly received: Counter;
  private readonly processed: Counter;
  private readonly dropped: Counter;
  private readonly timeClamped: Counter;
  private readonly late: Counter;
  private readonly suppressed: Counter;
  private readonly feedback: Counter;
  private readonly rejected: Counter;
  private readonly kafkaDuplicates: Counter;
  private readonly templatesActiveGauge: Gauge;
  private readonly templatesNewCounter: Counter;
  private readonly templatesOverflowCounter: Counter;
  private readonly scoreGauge: Gauge;
  private readonly unitsScoredCounter: Counter;
  private readonly anomalies: Counter;
  private readonly modelAnomalies: Counter;
  private readonly latency: Histogram;
  private readonly queueDepthGauge: Gauge;
  private readonly lagGauge: Gauge;
  private readonly modelInfo: Gauge;
  private readonly modelReadyGauge: Gauge;
  private readonly emitted: Counter;
  private readonly storageBufferGauge: Gauge;
  private backlogs: () => [SinkName, number][] = () => [];
  private readonly walBytesGauge: Gauge;
  private readonly walReplayedCounter: Counter;

  constructor(opts: MetricsOptions = {}) {
    this.streams = new StreamLabels(opts.maxStreams ?? 1000);
    const m = this.provider.getMeter('logsieve');
    this.received = m.createCounter('logsieve_records_received', {
      description: 'Records accepted by an ingest source',
    });
    this.processed = m.createCounter('logsieve_records_processed', {
      description: 'Records decoded, mined and assigned to a unit',
    });
    this.dropped = m.createCounter('logsieve_records_dropped', {
      description: 'Records not processed, by reason',
    });
    this.timeClamped = m.createCounter('logsieve_records_time_clamped', {
      description:
        'Records whose event time was outside limits.maxEventAge/AheadSeconds of their receive time: processed at the receive time',
    });
    this.late = m.createCounter('logsieve_records_late', {
      description:
        'Records that came after their window had closed (features.allowedLatenessSeconds): mined and kept for retraining, in no scored window',
    });
    this.rejected = m.createCounter('logsieve_ingest_rejected', {
      description: 'Ingest requests answered 4xx/429/503',
    });
    this.kafkaDuplicates = m.createCounter('logsieve_kafka_messages_duplicate', {
      description: 'Kafka messages redelivered after their records were stored, skipped',
    });
    this.templatesActiveGauge = m.createGauge('logsieve_templates_active', {
      description: 'Templates held for the stream',
    });
    this.templatesNewCounter = m.createCounter('logsieve_templates_new', {
      description: 'Templates created after the active model was trained',
    });
    this.templatesOverflowCounter = m.createCounter('logsieve_templates_overflow', {
      description:
        'Lines mapped to the overflow template, by reason: the stream is at limits.maxTemplatesPerStream (stream_limit) or all streams at limits.maxTemplatesTotal (total_limit)',
    });
    this.scoreGauge = m.createGauge('logsieve_anomaly_score', {
      description: "Score (0-100) of the stream's most recently closed unit",
    });
    this.unitsScoredCounter = m.createCounter('logsieve_units_scored', {
      description: 'Windows/sessions scored',
    });
    this.anomalies = m.createCounter('logsieve_anomalies', { description: 'Anomalies raised' });
    this.suppressed = m.createCounter('logsieve_anomalies_suppressed', {
      description: 'Anomalies like one marked a false positive (same stream and top template): not raised',
    });
    this.feedback = m.createCounter('logsieve_feedback', {
      description: 'Anomalies people marked, by label: false positives against confirmed ones',
    });
    this.modelAnomalies = m.createCounter('logsieve_model_anomalies', {
      description: 'Units a single model flagged on its own threshold',
    });
    this.latency = m.createHistogram('logsieve_processing_latency_seconds', {
      description: 'Time per batch in each pipeline stage',
      advice: { explicitBucketBoundaries: LATENCY_BUCKETS },
    });
    this.queueDepthGauge = m.createGauge('logsieve_queue_depth', {
      description: 'Records waiting in a bounded queue',
    });
    this.lagGauge = m.createGauge('logsieve_kafka_consumer_lag', {
      description: 'High watermark minus committed offset',
    });
    this.modelInfo = m.createGauge('logsieve_model_info', {
      description: '1 for each model of the active bundle',
    });
    this.modelReadyGauge = m.createGauge('logsieve_model_ready', {
      description: '1 when a model bundle is active and scoring, 0 while collecting a baseline or training',
    });
    this.emitted = m.createCounter('logsieve_events_emitted', {
      description: 'Anomaly events handed to each sink',
    });
    m.createObservableGauge('logsieve_events_backlog', {
      description:
        'Deliveries waiting for each output while it is down: batches in its disk buffer, alerts in the Alertmanager queue',
    }).addCallback((result) => {
      for (const [sink, n] of this.backlogs()) result.observe(n, { sink });
    });
    this.storageBufferGauge = m.createGauge('logsieve_storage_buffer_bytes', {
      description: 'Bytes of anomaly events on disk waiting for storage to come back',
    });
    this.walBytesGauge = m.createGauge('logsieve_wal_bytes', {
      description: 'Bytes in the write-ahead log of accepted batches not yet checkpointed',
    });
    this.walReplayedCounter = m.createCounter('logsieve_wal_replayed_records', {
      description:
        'Records replayed from the write-ahead log at start (accepted before a crash, not checkpointed)',
    });
  }

  recordsReceived(stream: string, source: IngestSource, n = 1): void {
    this.received.add(n, { stream: this.streams.label(stream), source });
  }

  recordsProcessed(stream: string, n = 1): void {
    this.processed.add(n, { stream: this.streams.label(stream) });
  }

  recordsDropped(stream: string, reason: DropReason, n = 1): void {
    this.dropped.add(n, { stream: this.streams.label(stream), reason });
  }

  recordsLate(stream: string): void {
    this.late.add(1, { stream: this.streams.label(stream) });
  }

  /** `direction`: the record's time was too far in the `past` or the `future`. */
  recordsTimeClamped(stream: string, direction: 'past' | 'future', n = 1): void {
    this.timeClamped.add(n, { stream: this.streams.label(stream), direction });
  }

  kafkaMessagesDuplicate(topic: string, n = 1): void {
    this.kafkaDuplicates.add(n, { topic });
  }

  /** `metrics`: a refused scrape of the metrics listener itself. */
  ingestRejected(source: IngestSource | 'metrics', reason: RejectReason, n = 1): void {
    this.rejected.add(n, { source, reason });
  }

  templatesActive(stream: string, count: number): void {
    const labels = { stream: this.streams.label(stream) };
    this.templatesActiveGauge.record(count, labels);
    // The stream's new-template count exists from 0 on: a burst of new templates between two
    // scrapes would otherwise first appear at its full value, and increase() would see none of it.
    this.templatesNewCounter.add(0, labels);
  }

  templatesNew(stream: string, n = 1): void {
    this.templatesNewCounter.add(n, { stream: this.streams.label(stream) });
  }

  templatesOverflow(stream: string, reason: 'stream_limit' | 'total_limit', n = 1): void {
    this.templatesOverflowCounter.add(n, { stream: this.streams.label(stream), reason });
  }

  anomalyScore(stream: string, score: number): void {
    this.scoreGauge.record(score, { stream: this.streams.label(stream) });
  }

  unitsScored(stream: string, n = 1): void {
    this.unitsScoredCounter.add(n, { stream: this.streams.label(stream) });
  }

  anomalySuppressed(stream: string): void {
    this.suppressed.add(1, { stream: this.streams.label(stream) });
  }

  feedbackMarked(label: 'false_positive' | 'true_positive'): void {
    this.feedback.add(1, { label });
  }

  anomalyRaised(stream: string, severity: AnomalySeverity, n = 1): void {
    this.anomalies.add(n, { stream: this.streams.label(stream), severity });
  }

  modelFlagged(stream: string, model: ModelName, n = 1): void {
    this.modelAnomalies.add(n, { stream: this.streams.label(stream), model });
  }

  stageLatency(stage: Stage, seconds: number): void {
    this.latency.record(seconds, { stage });
  }

  queueDepth(queue: string, depth: number): void {
    this.queueDepthGauge.record(depth, { queue });
  }

  kafkaLag(topic: string, partition: number, lag: number): void {
    this.lagGauge.record(lag, { topic, partition: String(partition) });
  }

  /**
   * The active bundle's models at `version`. Series of a replaced bundle drop to 0 (the SDK keeps
   * every label set it has seen), so `logsieve_model_info == 1` selects what is in use.
   */
  activeModels(version: string | null, models: readonly ModelName[]): void {
    const next = version === null ? [] : models.map((model) => ({ model, version }));
    for (const old of this.models) {
      if (!next.some((n) => n.model === old.model && n.version === old.version))
        this.modelInfo.record(0, old);
    }
    for (const n of next) this.modelInfo.record(1, n);
    this.models = next;
  }

  modelReady(ready: boolean): void {
    this.modelReadyGauge.record(ready ? 1 : 0);
  }

  eventsEmitted(sink: SinkName, outcome: Outcome, n = 1): void {
    this.emitted.add(n, { sink, outcome });
  }

  /** Where logsieve_events_backlog reads what waits for each output (the service's EventFanout). */
  observeBacklogs(read: () => [SinkName, number][]): void {
    this.backlogs = read;
  }

  storageBuffer(bytes: number): void {
    this.storageBufferGauge.record(bytes);
  }

  walBytes(bytes: number): void {
    this.walBytesGauge.record(bytes);
  }

  walReplayed(n: number): void {
    this.walReplayedCounter.add(n);
  }

  /**
   * Serves GET /metrics on host:port (port 0 picks a free one) and resolves to the bound address.
   * With a guard, scrapes need the viewer role (Prometheus: `authorization` / `bearer_token_file`).
   */
  async listen(
    port = 9464,
    host = '127.0.0.1',
    opts: { guard?: ListenerGuard; tls?: TlsServerOptions | null } = {},
  ): Promise<{ host: string; port: number }> {
    const { guard, tls } = opts;
    const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (req.method !== 'GET' || url.pathname !== '/metrics') {
        res.statusCode = 404;
        return res.end('not found\n');
      }
      const refusal = guard
        ? (await guard(req.headers, 'viewer', req.socket.remoteAddress)).refusal
        : undefined;
      if (refusal) {
        this.ingestRejected('metrics', refusal.reason);
        res.statusCode = refusal.status;
        if (refusal.status === 401) res.setHeader('www-authenticate', 'Bearer');
        if (refusal.retryAfterSeconds !== undefined)
          res.setHeader('retry-after', String(refusal.retryAfterSeconds));
        return res.end(`${refusal.message}\n`);
      }
      this.exporter.getMetricsRequestHandler(req, res);
    };
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) =>
      void handle(req, res).catch(() => {
        res.statusCode = 500;
        res.end('internal error\n');
      });
    const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    return { host, port: (server.address() as AddressInfo).port };
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.provider.shutdown();
  }
}
