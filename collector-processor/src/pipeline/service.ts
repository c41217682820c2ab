import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { MODEL_NAMES, type AnomalyEvent } from '../anomaly-event';
import { createAuthenticator } from '../api/auth/authenticator';
import { buildRestServer } from '../api/rest-server';
import { ServiceBackend, ThresholdBook, defaultThreshold } from '../api/service-backend';
import type { Config } from '../config/load-config';
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
import { CacheChannels } from '../store/cache';
import { cacheOptions, openCache } from '../store/open-cache';
import { ApiKeyStore } from '../store/api-key-store';
import { openModelStore } from '../store/open-model-store';
import { openStorage, storageOptions } from '../store/open-storage';
import type { TemplateUpdate } from '../store/storage';
import { LivePipeline } from './live-pipeline';
import type { UnitSpec } from './unit-spec';

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
  const storage = await openStorage(storageOptions(config));
  const models = openModelStore(config);
  const cache = await openCache(cacheOptions(config), (m) => log.warn(m));
  const metrics = new Metrics({ maxStreams: config.limits.maxStreams });
  const host = config.server.host;
  const metricsAddr = await metrics.listen(config.server.ports.metrics, host);
  const fanout = new EventFanout({
    storage,
    sinks: openEventSinks(config, (m) => log.warn(m)),
    count: (sink, outcome, n) => metrics.eventsEmitted(sink, outcome, n),
    warn: (m) => log.warn(m),
  });

  const thresholds = new ThresholdBook();
  const stored = await storage.getThresholds();
  thresholds.global = stored.global;
  thresholds.streams = stored.streams;

  const unit: UnitSpec = config.features.sessionKey
    ? { kind: 'session', sessionKey: config.features.sessionKey, idleSeconds: 3600 }
    : { kind: 'window', windowSeconds: config.features.windowSeconds };
  const templates = new Map<string, TemplateUpdate>();

  const register = async (dir: string, actor: string) => {
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const version: string = manifest.version;
    if (!(await storage.getModel(version))) {
      const t = manifest.training;
      await storage.registerModel(
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
      );
      await models.save(version, dir);
    }
    await storage.activateModel(version, actor);
  };

  const pipeline = new LivePipeline({
    unit,
    modelsDir: join(config.dataDir, 'models', 'local'),
    queueCapacity: config.ingest.queueCapacity,
    baselineMinutes: config.model.baselineMinutes,
    baselineMinUnits: config.model.baselineMinUnits,
    allowedLatenessSeconds: config.features.allowedLatenessSeconds,
    thresholdFor: (stream) => {
      const t = thresholds.effective(stream);
      return t && { minScore: t.minScore, models: t.models };
    },
    // Records arrive only once the listeners (after the backend) are up.
    suppressed: (e): boolean => backend.falsePositives.has(ServiceBackend.signature(e)),
    observer: {
      processed: (s, n) => metrics.recordsProcessed(s, n),
      dropped: (s, reason, n) => metrics.recordsDropped(s, reason, n),
      mined: (r) => {
        const key = `${r.stream}\u0000${r.templateId}`;
        const t = templates.get(key);
        if (t) {
          t.countDelta++;
          t.seenAt = r.timeMs ?? Date.now();
        } else {
          templates.set(key, {
            stream: r.stream,
            id: r.templateId!,
            template: r.template!,
            countDelta: 1,
            seenAt: r.timeMs ?? Date.now(),
            example: (r.raw ?? r.body).slice(0, 2000),
          });
        }
      },
      unitScored: (r) => {
        metrics.unitsScored(r.stream);
        metrics.anomalyScore(r.stream, r.score);
        const min = thresholds.effective(r.stream)?.minScore ?? 75;
        for (const m of MODEL_NAMES) if (r.models[m] >= min) metrics.modelFlagged(r.stream, m);
      },
      stateChanged: (state, version) => {
        metrics.modelReady(state === 'active');
        metrics.activeModels(state === 'active' ? version : null, MODEL_NAMES);
        log.info({ state, version }, 'model state');
      },
      latency: (stage, seconds) => metrics.stageLatency(stage, seconds),
      trainingStarted: (n) => log.info({ records: n }, 'training a model from the baseline'),
      trained: (dir) => register(dir, 'logsieve'),
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
  const sink: RecordSink = async (records, source) => {
    const res = await pipeline.accept(records, source);
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
  });
  await backend.restoreFeedback();
  // Other replicas changed shared settings: reload thresholds, follow model activations.
  const unsubscribe = [
    await cache.subscribe(CacheChannels.thresholds, () => {
      storage
        .getThresholds()
        .then((t) => {
          thresholds.global = t.global;
          thresholds.streams = t.streams;
        })
        .catch((err) => log.warn({ err }, 'thresholds not reloaded'));
    }),
    await cache.subscribe(CacheChannels.models, (version) => {
      if (version === pipeline.modelVersion) return;
      activateVersion(version).catch((err) => log.warn({ err, version }, 'model change not followed'));
    }),
  ];
  const rest = await buildRestServer({
    backend,
    version: SERVICE_VERSION,
    bodyLimit: config.server.maxBodyBytes,
    logger: log.child({ listener: 'rest' }),
    authenticate: config.auth.enabled
      ? createAuthenticator({ config, keys: new ApiKeyStore(storage.client) })
      : undefined,
    plugins: [async (app) => app.register(restLogsRoute, limits)],
  });
  await rest.listen({ host, port: config.server.ports.rest });

  const otlp: FastifyInstance = Fastify({ logger: false, bodyLimit: config.server.maxBodyBytes });
  await otlp.register(otlpHttpReceiver, limits);
  await otlp.listen({ host, port: config.server.ports.otlpHttp });
  const grpc: OtlpGrpcReceiver = await startOtlpGrpcReceiver({
    ...limits,
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
  const k = config.ingest.kafka;
  const kafka = k.enabled
    ? new KafkaLogConsumer({
        brokers: k.brokers,
        topic: k.topic,
        groupId: k.groupId,
        encoding: k.encoding,
        sink,
        maxLineBytes: config.limits.maxLineBytes,
        hooks,
        onError: (err) => log.warn({ err }, 'kafka'),
      })
    : null;
  await kafka?.start();

  const flushTemplates = async () => {
    if (templates.size === 0) return;
    const batch = [...templates.values()];
    templates.clear();
    try {
      await storage.upsertTemplates(batch);
    } catch (err) {
      log.warn({ err }, 'template statistics not stored');
    }
  };
  const timer = setInterval(() => {
    metrics.queueDepth('ingest', pipeline.queue.depth);
    for (const l of kafka?.lag() ?? []) metrics.kafkaLag(l.topic, l.partition, l.lag);
    void pipeline.tick().catch((err) => log.error({ err }, 'tick failed'));
  }, 1000);
  const templateTimer = setInterval(() => {
    void flushTemplates();
    void backend.checkStorage();
  }, 5000);

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
      // Stop taking new records, then drain what was accepted, then close the outputs.
      await Promise.allSettled([rest.close(), otlp.close(), grpc.close(2000), tail?.stop(), kafka?.stop()]);
      await pipeline.stop();
      await flushTemplates();
      await Promise.allSettled(unsubscribe.map((u) => u()));
      await cache.close();
      await fanout.close();
      await storage.close();
      await metrics.close();
    },
  };
}

function bundleDefaults(p: LivePipeline) {
  const s = p.activeScorer;
  return s
    ? defaultThreshold(s.bundle.manifest.threshold.falseAlarmRate, s.bundle.manifest.threshold.minScore)
    : null;
}
