import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { MODEL_NAMES, type AnomalyEvent } from '../anomaly-event';
import { listenerAccess } from '../api/auth/listener-access';
import { buildRestServer } from '../api/rest-server';
import { ServiceBackend, ThresholdBook, defaultThreshold } from '../api/service-backend';
import type { Config } from '../config/load-config';
import { kafkaSecurity, readServerTls } from '../config/tls-files';
import { EventFanout } from '../emit/event-fanout';
import { Metrics } from '../emit/metrics';
import { openEventSinks } from '../emit/open-sinks';
import { FileTail } from '../ingest/file-tail';
import { KafkaLogConsumer } from '../ingest/kafka-consumer';
import { JsonFileOffsetStore } from '../ingest/offset-store';
import { otlpHttpReceiver } from '../ingest/otlp-http-receiver';
import { startOtlpGrpcReceiver, type OtlpGrpcReceiver } from '../ingest/otlp-grpc-receiver';
import type { IngestHooks, RecordSink } from '../ingest/record-sink';
import { restLogsRoute } from '../ingest/rest-logs-route';
import { limitStreams, StreamQuota } from '../ingest/stream-quota';
import { CacheChannels } from '../store/cache';
import { cacheOptions, openCache } from '../store/open-cache';
import { ApiKeyStore } from '../store/api-key-store';
import { DiskBuffer } from '../store/disk-buffer';
import { WriteAheadLog } from '../store/write-ahead-log';
import { openModelStore } from '../store/open-model-store';
import { openStorage, storageOptions } from '../store/open-storage';
import { TemplateCounts } from './template-counts';
import { KafkaPositions } from './kafka-positions';
import { LivePipeline } from './live-pipeline';
import { PipelineState } from './pipeline-state';
import { DiskHistory } from './record-history';
import { WalIntake } from './wal-intake';
import type { UnitSpec } from './unit-spec';
import { flaggingScore } from '../score/threshold';

export const SERVICE_VERSION = '0.1.0';

export interface RunningService {
  ports: { otlpHttp: number; otlpGrpc: number; rest: number; metrics: number };
  pipeline: LivePipeline;
  backend: ServiceBackend;
  stop(): Promise<void>;
}

/**
 * `logsieve serve`: storage, metrics, outputs, the live pipeline and the listeners, wired from
 * the configuration. Everything starts on embedded defaults (PGlite, in-process state, no Kafka).
 */
export async function startService(config: Config, log: Logger): Promise<RunningService> {
  const startedAt = Date.now();
  await mkdir(config.dataDir, { recursive: true });
  // Unreadable certificate files stop start-up before anything is opened.
  const tls = readServerTls(config.server.tls);
  const storage = await openStorage(storageOptions(config));
  const models = openModelStore(config, storage.client);
  const cache = await openCache(cacheOptions(config), (m) => log.warn(m));
  const metrics = new Metrics({ maxStreams: config.limits.maxStreams });
  const host = config.server.host;
  const access = listenerAccess(config, new ApiKeyStore(storage.client));
  const metricsAddr = await metrics.listen(config.server.ports.metrics, host, { guard: access.scrape, tls });
  const sinks = await openEventSinks(config, {
    warn: (m) => log.warn(m),
    count: (sink, outcome, n) => metrics.eventsEmitted(sink, outcome, n),
  });
  const fanout = new EventFanout({
    storage,
    buffer: await DiskBuffer.open(join(config.dataDir, 'storage-buffer'), config.storage.bufferMaxBytes),
    sinks,
    count: (sink, outcome, n) => metrics.eventsEmitted(sink, outcome, n),
    buffered: (bytes) => metrics.storageBuffer(bytes),
    warn: (m) => log.warn(m),
  });
  metrics.observeBacklogs(() => fanout.backlogs());

  // In the background: pages owed from before a restart must not hold up start-up.
  const raisedSince = (ms: number) => storage.listRaisedSince(new Date(ms).toISOString(), 10_000);
  for (const sink of sinks)
    sink
      .restore?.(raisedSince)
      .catch((err: Error) => log.warn(`${sink.name}: restore failed: ${err.message}`));

  const thresholds = new ThresholdBook();
  thresholds.load(await storage.getThresholds());

  const unit: UnitSpec = config.features.sessionKey
    ? { kind: 'session', sessionKey: config.features.sessionKey, idleSeconds: 3600 }
    : { kind: 'window', windowSeconds: config.features.windowSeconds };
  const templates = new TemplateCounts(config.limits.maxTemplatesTotal);

  /** Replicas starting from the same bundle register it concurrently: losing that race is fine. */
  const register = async (dir: string, actor: string): Promise<string> => {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const version: string = manifest.version;
    if (!(await models.list()).includes(version))
      await models.save(version, dir).catch(async (err) => {
        if (!(await models.list()).includes(version)) throw err;
      });
    if (!(await storage.getModel(version))) {
      const t = manifest.training;
      await storage
        .registerModel(
          {
            version,
            createdAt: manifest.createdAt,
            manifest,
            trainingStats: {
              units: t.units,
              lines: t.lines,
              templates: t.templates,
              streams: t.streams,
              seconds: t.seconds,
            },
            evaluation: { heldOutUnits: t.heldOutUnits, falseAlarmRate: manifest.threshold.falseAlarmRate },
          },
          actor,
        )
        .catch(async (err) => {
          if (!(await storage.getModel(version))) throw err;
        });
    }
    await storage.activateModel(version, actor);
    return version;
  };

  const eventTime = {
    maxAgeMs: config.limits.maxEventAgeSeconds * 1000,
    maxAheadMs: config.limits.maxEventAheadSeconds * 1000,
  };
  const pipeline = new LivePipeline({
    unit,
    modelsDir: join(config.dataDir, 'models', 'local'),
    queueCapacity: config.ingest.queueCapacity,
    baselineMinutes: config.model.baselineMinutes,
    baselineMinUnits: config.model.baselineMinUnits,
    allowedLatenessSeconds: config.features.allowedLatenessSeconds,
    // Retraining (scheduled or asked for) uses the latest records, kept across restarts.
    history: await DiskHistory.open(join(config.dataDir, 'history'), HISTORY_RECORDS),
    maxTemplatesPerStream: config.limits.maxTemplatesPerStream,
    eventTime,
    maxTemplatesTotal: config.limits.maxTemplatesTotal,
    thresholdFor: (stream) => thresholds.effective(stream),
    // Records arrive only once the listeners (after the backend) are up.
    suppressed: (e): boolean => backend.falsePositives.has(ServiceBackend.signature(e)),
    observer: {
      processed: (s, n) => metrics.recordsProcessed(s, n),
      dropped: (s, reason, n) => metrics.recordsDropped(s, reason, n),
      timeClamped: (s, direction) => metrics.recordsTimeClamped(s, direction),
      late: (s) => metrics.recordsLate(s),
      suppressed: (s) => metrics.anomalySuppressed(s),
      templateOverflow: (s, reason) => metrics.templatesOverflow(s, reason),
      newTemplate: (s) => metrics.templatesNew(s),
      templatesHeld: (s, n) => metrics.templatesActive(s, n),
      mined: (r) => templates.add(r),
      unitScored: (r) => {
        metrics.unitsScored(r.stream);
        metrics.anomalyScore(r.stream, r.score);
        const t = thresholds.effective(r.stream);
        const min = t ? flaggingScore(t) : 75;
        for (const m of MODEL_NAMES) if (r.models[m] >= min) metrics.modelFlagged(r.stream, m);
      },
      stateChanged: (state, version) => {
        metrics.modelReady(state === 'active');
        metrics.activeModels(state === 'active' ? version : null, MODEL_NAMES);
        log.info({ state, version }, 'model state');
      },
      latency: (stage, seconds) => metrics.stageLatency(stage, seconds),
      trainingStarted: (n) => log.info({ records: n }, 'training a model from the baseline'),
      // Every replica follows the version trained here (its bundle is in the shared model store).
      trained: async (dir) => {
        const version = await register(dir, 'logsieve');
        await cache.publish(CacheChannels.models, version).catch(() => {});
      },
      anomalies: async (events: AnomalyEvent[]) => {
        for (const e of events) metrics.anomalyRaised(e.stream, e.severity);
        await fanout.emit(events);
      },
      error: (err, where) => log.error({ err }, `${where} failed`),
    },
  });

  const activateVersion = async (version: string) => {
    const dir = await models.load(version);
    if (!dir) throw new Error(`model ${version} is not in the model store`);
    await pipeline.activate(dir);
    thresholds.defaults = bundleDefaults(pipeline);
  };
  if (config.model.dir) {
    await pipeline.activate(config.model.dir);
    await register(config.model.dir, 'cli');
  } else {
    const active = await storage.getActiveModel();
    if (active) {
      try {
        await activateVersion(active.version);
      } catch (err) {
        log.warn({ err }, 'stored active model could not be loaded; collecting a new baseline');
      }
    }
  }
  thresholds.defaults = bundleDefaults(pipeline);
  pipeline.start();

  const hooks: IngestHooks = {
    onRejected: (source, reason) => metrics.ingestRejected(source, reason),
    onDropped: (records, reason) => {
      for (const r of records) metrics.recordsDropped(r.stream, reason);
    },
  };
  const k = config.ingest.kafka;
  const kafkaPositions = new KafkaPositions({
    storage,
    groupId: k.groupId,
    stored: async () => {
      await pipeline.drained();
      await state.checkpoint();
    },
    onDuplicates: (n) => metrics.kafkaMessagesDuplicate(k.topic, n),
  });
  // Batches of the push sources are in the write-ahead log before they are acknowledged
  // (docs/durability.md); Kafka replays from its stored offsets instead.
  const wal = config.ingest.wal.enabled
    ? await WriteAheadLog.open(join(config.dataDir, 'wal'), config.ingest.wal)
    : null;
  if (wal?.cutBytes) log.warn({ bytes: wal.cutBytes }, 'write-ahead log: cut off a torn or corrupt tail');
  const intake = wal && new WalIntake(wal, pipeline);
  // Template and window state and template statistics are snapshotted to storage with the
  // positions they cover, and restored stream by stream; a replica that stalled while its
  // partitions moved on is fenced off from storing them.
  const state = new PipelineState(pipeline, storage, {
    stale: kafkaPositions.stale,
    templates,
    refused: (r) =>
      log.warn({ refused: r.slice(0, 10) }, `storage refused ${r.length} templates' statistics`),
    stored: async (positions) => {
      await intake
        ?.checkpointed(positions)
        .catch((err) => log.warn({ err }, 'write-ahead log not truncated'));
    },
  });
  // Without a consumer group this replica owns every stream; with one, partitions bring theirs.
  if (!k.enabled) await state.restoreAll();
  const sink: RecordSink = async (records, source, _tenant, position) => {
    await state.restore(new Set(records.map((r) => r.stream)));
    const res =
      intake && source !== 'kafka'
        ? await intake.accept(records, source)
        : await pipeline.accept(records, source, position && kafkaPositions.mark(position));
    const by = new Map<string, number>();
    for (const r of records) by.set(r.stream, (by.get(r.stream) ?? 0) + 1);
    for (const [s, n] of by) metrics.recordsReceived(s, source, n);
    return res;
  };
  const limits = {
    sink,
    hooks,
    maxBodyBytes: config.server.maxBodyBytes,
    maxLineBytes: config.limits.maxLineBytes,
    maxRecordsPerRequest: config.limits.maxRecordsPerRequest,
    eventTime,
  };

  const backend: ServiceBackend = new ServiceBackend({
    storage,
    models,
    pipeline,
    version: SERVICE_VERSION,
    thresholds,
    activate: activateVersion,
    startedAt,
    announce: (what, message) => cache.publish(CacheChannels[what], message),
    feedbackMarked: (label) => metrics.feedbackMarked(label),
  });
  await backend.reloadFeedback();
  // Other replicas changed shared settings: reload thresholds and feedback, follow model activations.
  const unsubscribe = [
    await cache.subscribe(CacheChannels.thresholds, () => {
      storage
        .getThresholds()
        .then((t) => thresholds.load(t))
        .catch((err) => log.warn({ err }, 'thresholds not reloaded'));
    }),
    await cache.subscribe(CacheChannels.feedback, () => {
      backend.reloadFeedback().catch((err) => log.warn({ err }, 'feedback not reloaded'));
    }),
    await cache.subscribe(CacheChannels.models, (version) => {
      if (version === pipeline.modelVersion) return;
      activateVersion(version).catch((err) => log.warn({ err, version }, 'model change not followed'));
    }),
  ];
  // Accepted before the last stop but not in the stored state: processed before new records.
  if (intake) {
    const replayed = await intake.replay(storage, (streams) => state.restore(streams));
    metrics.walReplayed(replayed);
    if (replayed > 0) log.info({ records: replayed }, 'replayed records from the write-ahead log');
  }
  // limits.maxStreams per tenant applies to what callers push; file and Kafka inputs are the operator's.
  const quota = new StreamQuota(config.limits.maxStreams);
  const pushed = {
    ...limits,
    sink: limitStreams(sink, quota, (refused) => {
      for (const r of refused) metrics.recordsDropped(r.stream, 'stream_limit');
    }),
  };
  const rest = await buildRestServer({
    backend,
    version: SERVICE_VERSION,
    bodyLimit: config.server.maxBodyBytes,
    logger: log.child({ listener: 'rest' }),
    authenticate: access.authenticate,
    rateLimiter: access.rateLimiter,
    authThrottle: access.authThrottle,
    onRefused: (reason) => metrics.ingestRejected('rest', reason),
    https: tls,
    plugins: [async (app) => app.register(restLogsRoute, pushed)],
  });
  await rest.listen({ host, port: config.server.ports.rest });

  const otlp: FastifyInstance = Fastify({
    ...(tls ? { https: tls } : {}),
    logger: false,
    bodyLimit: config.server.maxBodyBytes,
  });
  await otlp.register(otlpHttpReceiver, { ...pushed, guard: access.push });
  await otlp.listen({ host, port: config.server.ports.otlpHttp });
  const grpc: OtlpGrpcReceiver = await startOtlpGrpcReceiver({
    ...pushed,
    guard: access.push,
    tls,
    host,
    port: config.server.ports.otlpGrpc,
  });

  const tail = config.ingest.file.paths.length
    ? new FileTail({
        paths: config.ingest.file.paths,
        startAt: config.ingest.file.startAt,
        offsets: new JsonFileOffsetStore(join(config.dataDir, 'file-offsets.json')),
        sink,
        maxLineBytes: config.limits.maxLineBytes,
        hooks,
        onError: (err) => log.warn({ err }, 'file tail'),
      })
    : null;
  tail?.start();
  const kafka = k.enabled
    ? new KafkaLogConsumer({
        brokers: k.brokers,
        topic: k.topic,
        groupId: k.groupId,
        encoding: k.encoding,
        security: kafkaSecurity(k),
        sink,
        maxLineBytes: config.limits.maxLineBytes,
        maxBodyBytes: config.server.maxBodyBytes,
        maxRecordsPerRequest: config.limits.maxRecordsPerRequest,
        hooks,
        ledger: kafkaPositions,
        consumer: {
          sessionTimeout: k.sessionTimeoutMs,
          rebalanceTimeout: 2 * k.sessionTimeoutMs,
          heartbeatInterval: Math.floor(k.sessionTimeoutMs / 10),
          // kafkajs heartbeats between fetches: an idle long poll must end well within the session.
          maxWaitTimeInMs: Math.min(5000, Math.floor(k.sessionTimeoutMs / 4)),
        },
        // Partitions gone to another replica: drop their streams' state (it resumes from storage there).
        onAssignment: (a) => {
          log.info({ assignment: a }, 'kafka partitions assigned');
          const owned = kafkaPositions.keysOf(a);
          const gone = pipeline.positionKeys().filter((key) => key.startsWith('kafka:') && !owned.has(key));
          if (gone.length) state.forget(pipeline.release(new Set(gone)));
        },
        onError: (err) => log.warn({ err }, 'kafka'),
      })
    : null;
  await kafka?.start();

  const timer = setInterval(() => {
    metrics.queueDepth('ingest', pipeline.queue.depth);
    if (wal) metrics.walBytes(wal.bytes);
    for (const l of kafka?.lag() ?? []) metrics.kafkaLag(l.topic, l.partition, l.lag);
    void pipeline.tick().catch((err) => log.error({ err }, 'tick failed'));
  }, 1000);
  const templateTimer = setInterval(() => {
    void backend.checkStorage();
    state.checkpoint().catch((err) => log.warn({ err }, 'pipeline state not snapshotted'));
  }, 5000);
  // model.retrainHours: a new version from the kept history, activated only if training succeeds.
  // Due once the active model is that old, so a restart keeps the schedule and replicas sharing
  // the models table don't each retrain; checked at least every minute (setInterval caps at ~24 days).
  const retrainMs = config.model.retrainHours * 3_600_000;
  const retrainIfDue = async () => {
    if (pipeline.state !== 'active') return;
    const m = await storage.getActiveModel();
    if (m && Date.now() - Date.parse(m.createdAt) < retrainMs) return;
    await backend.retrain('schedule');
  };
  const retrainTimer =
    retrainMs > 0
      ? setInterval(
          () => void retrainIfDue().catch((err) => log.warn({ err }, 'scheduled retraining not started')),
          Math.min(retrainMs, 60_000),
        )
      : null;

  const port = (a: FastifyInstance) => {
    const addr = a.server.address();
    return typeof addr === 'object' && addr ? addr.port : 0;
  };
  log.info(
    {
      rest: port(rest),
      otlpHttp: port(otlp),
      otlpGrpc: grpc.port,
      metrics: metricsAddr.port,
      storage: storage.kind,
      model: pipeline.state,
    },
    'logsieve serving',
  );

  return {
    ports: { otlpHttp: port(otlp), otlpGrpc: grpc.port, rest: port(rest), metrics: metricsAddr.port },
    pipeline,
    backend,
    async stop() {
      clearInterval(timer);
      clearInterval(templateTimer);
      if (retrainTimer) clearInterval(retrainTimer);
      // Stop taking new records, then drain what was accepted, then close the outputs.
      await Promise.allSettled([rest.close(), otlp.close(), grpc.close(2000), tail?.stop(), kafka?.stop()]);
      // Open windows are snapshotted, not closed early: a restart resumes them.
      await pipeline.stop({ keepOpen: true });
      // Not stored (storage down): the write-ahead log keeps the records for the next start.
      await state.checkpoint().catch((err) => log.warn({ err }, 'pipeline state not snapshotted'));
      await wal?.close();
      await Promise.allSettled(unsubscribe.map((u) => u()));
      await cache.close();
      await fanout.close();
      await storage.close();
      await metrics.close();
    },
  };
}

/** Records kept on disk for retraining (about 1 KB each). */
const HISTORY_RECORDS = 200_000;

function bundleDefaults(p: LivePipeline) {
  const s = p.activeScorer;
  return s
    ? defaultThreshold(s.bundle.manifest.threshold.falseAlarmRate, s.bundle.manifest.threshold.minScore)
    : null;
}
