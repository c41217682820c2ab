import { z } from 'zod';

/*
 * The configuration of `logsieve serve`, exactly as docs/config.md describes it. Every object is
 * strict (unknown keys stop start-up) and prefaulted, so `{}` parses to the full defaults.
 */

/** z.int() reports a string as "expected number"; people read "expected integer". */
const integer = () =>
  z.int({ error: (issue) => (issue.code === 'invalid_type' ? 'expected integer' : undefined) });
const port = integer().min(0).max(65535);
const nullableString = z.string().min(1).nullable().default(null);

const server = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    ports: z
      .strictObject({
        otlpHttp: port.default(4318),
        otlpGrpc: port.default(4317),
        rest: port.default(8080),
        metrics: port.default(9464),
      })
      .prefault({}),
    maxBodyBytes: integer().min(1).default(16_777_216),
    // One certificate for every listener (REST, OTLP/HTTP, OTLP/gRPC, metrics); none = plain text.
    tls: z
      .strictObject({
        certFile: nullableString,
        keyFile: nullableString,
        caFile: nullableString,
        requireClientCert: z.boolean().default(false),
      })
      .prefault({}),
  })
  .prefault({});

const storage = z
  .strictObject({
    kind: z.enum(['pglite', 'postgres']).default('pglite'),
    url: nullableString,
    retentionDays: integer().min(1).default(14),
    /** Anomaly events kept on disk (dataDir/storage-buffer) while storage is down. */
    bufferMaxBytes: integer().min(1).default(268_435_456),
  })
  .prefault({});

const cache = z
  .strictObject({
    kind: z.enum(['memory', 'redis']).default('memory'),
    url: nullableString,
    // A private CA for rediss:// URLs (TLS itself is chosen by the URL scheme).
    caFile: nullableString,
  })
  .prefault({});

const modelStore = z
  .strictObject({
    kind: z.enum(['database', 'local', 's3']).default('database'),
    s3: z
      .strictObject({
        endpoint: nullableString,
        bucket: nullableString,
        region: z.string().min(1).default('us-east-1'),
        prefix: z.string().default('logsieve/'),
      })
      .prefault({}),
  })
  .prefault({});

const model = z
  .strictObject({
    dir: nullableString,
    baselineMinutes: z.number().positive().default(30),
    baselineMinUnits: integer().min(1).default(50),
    retrainHours: z.number().min(0).default(24),
  })
  .prefault({});

const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'invalid regular expression' },
);

const features = z
  .strictObject({
    windowSeconds: z.number().positive().default(60),
    sessionKey: regex.nullable().default(null),
    allowedLatenessSeconds: z.number().min(0).default(10),
  })
  .prefault({});

const ingest = z
  .strictObject({
    file: z
      .strictObject({
        paths: z.array(z.string().min(1)).default([]),
        startAt: z.enum(['beginning', 'end']).default('end'),
      })
      .prefault({}),
    kafka: z
      .strictObject({
        enabled: z.boolean().default(false),
        brokers: z.array(z.string().min(1)).default([]),
        topic: z.string().min(1).default('otlp_logs'),
        groupId: z.string().min(1).default('logsieve'),
        encoding: z.enum(['otlp_proto', 'otlp_json', 'raw']).default('otlp_proto'),
        // How soon the group gives a dead replica's partitions to the others.
        sessionTimeoutMs: integer().min(3000).default(30000),
        // Client security for both the consumer and outputs.kafka (same brokers).
        tls: z
          .strictObject({
            enabled: z.boolean().default(false),
            caFile: nullableString,
            certFile: nullableString,
            keyFile: nullableString,
          })
          .prefault({}),
        sasl: z
          .strictObject({
            mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']).nullable().default(null),
            username: nullableString,
            password: nullableString,
          })
          .prefault({}),
      })
      .prefault({}),
    queueCapacity: integer().min(1).default(100_000),
    // Push sources (OTLP, REST, file tail) write accepted batches to dataDir/wal before answering,
    // so they survive the process being killed (docs/durability.md).
    wal: z
      .strictObject({
        enabled: z.boolean().default(true),
        // always: answer after fsync (survives power loss); interval: after the write, fsync every
        // fsyncIntervalMs (survives a killed process; power loss may take the last interval).
        fsync: z.enum(['always', 'interval']).default('interval'),
        fsyncIntervalMs: integer().min(1).default(1000),
        // Not yet checkpointed (storage down): beyond it push sources answer 503.
        maxBytes: integer().min(1_048_576).default(1_073_741_824),
      })
      .prefault({}),
  })
  .prefault({});

const outputs = z
  .strictObject({
    kafka: z
      .strictObject({
        enabled: z.boolean().default(false),
        topic: z.string().min(1).default('logsieve.anomalies'),
      })
      .prefault({}),
    alertmanager: z
      .strictObject({
        url: nullableString,
        grafanaUrl: z.string().min(1).default('http://localhost:3000/a/logsieve-anomaly-app'),
        /** Firing alerts are sent again this often (0 = never), as Prometheus does. */
        resendSeconds: z.number().min(0).default(60),
      })
      .prefault({}),
    otlp: z.strictObject({ endpoint: nullableString }).prefault({}),
  })
  .prefault({});

const auth = z
  .strictObject({
    enabled: z.boolean().default(false),
    apiKeys: z.array(z.string().min(1)).default([]),
    jwt: z
      .strictObject({
        jwksUrl: nullableString,
        secret: nullableString,
        issuer: nullableString,
        audience: nullableString,
      })
      .prefault({}),
  })
  .prefault({});

const limits = z
  .strictObject({
    maxStreams: integer().min(1).default(1000),
    maxTemplatesPerStream: integer().min(1).default(5000),
    // Across all streams: bounds the heap when many streams flood unique lines (docs/config.md).
    maxTemplatesTotal: integer().min(1).default(50_000),
    maxLineBytes: integer().min(1).default(65_536),
    maxRecordsPerRequest: integer().min(1).default(100_000),
    // Event time further from the receive time than these takes the receive time (live service).
    maxEventAgeSeconds: integer().min(1).default(86_400),
    maxEventAheadSeconds: integer().min(0).default(600),
    rateLimitPerKey: integer().min(0).default(0),
    authFailuresPerMinute: integer().min(0).default(30),
  })
  .prefault({});

const log = z
  .strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  })
  .prefault({});

/** 127.0.0.0/8, ::1 and localhost: the hosts that may run without auth. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export const configSchema = z
  .strictObject({
    dataDir: z.string().min(1).default('./.logsieve'),
    server,
    storage,
    cache,
    modelStore,
    model,
    features,
    ingest,
    outputs,
    auth,
    limits,
    log,
  })
  .superRefine((c, ctx) => {
    // Rules that tie keys together; each issue names the key to fix.
    const need = (ok: boolean, path: (string | number)[], message: string) => {
      if (!ok) ctx.addIssue({ code: 'custom', path, message });
    };
    need(
      c.auth.enabled || isLoopbackHost(c.server.host),
      ['auth', 'enabled'],
      `must be true when server.host (${c.server.host}) is not loopback`,
    );
    need(
      c.storage.kind !== 'postgres' || c.storage.url !== null,
      ['storage', 'url'],
      'required when storage.kind is postgres',
    );
    need(
      c.cache.kind !== 'redis' || c.cache.url !== null,
      ['cache', 'url'],
      'required when cache.kind is redis',
    );
    need(
      c.modelStore.kind !== 's3' || c.modelStore.s3.bucket !== null,
      ['modelStore', 's3', 'bucket'],
      'required when modelStore.kind is s3',
    );
    need(
      !c.ingest.kafka.enabled || c.ingest.kafka.brokers.length > 0,
      ['ingest', 'kafka', 'brokers'],
      'required when ingest.kafka.enabled is true',
    );
    need(
      !c.outputs.kafka.enabled || c.ingest.kafka.brokers.length > 0,
      ['ingest', 'kafka', 'brokers'],
      'required when outputs.kafka.enabled is true (the same brokers are used)',
    );
    const tls = c.server.tls;
    need(
      (tls.certFile === null) === (tls.keyFile === null),
      ['server', 'tls', tls.certFile === null ? 'certFile' : 'keyFile'],
      'certFile and keyFile are set together',
    );
    need(
      tls.caFile === null || tls.certFile !== null,
      ['server', 'tls', 'certFile'],
      'required when server.tls.caFile is set',
    );
    need(
      tls.requireClientCert === (tls.caFile !== null),
      ['server', 'tls', tls.caFile === null ? 'caFile' : 'requireClientCert'],
      tls.caFile === null
        ? 'required when server.tls.requireClientCert is true'
        : 'must be true when server.tls.caFile is set (optional client certificates are not supported)',
    );
    const kt = c.ingest.kafka.tls;
    need(
      (kt.certFile === null) === (kt.keyFile === null),
      ['ingest', 'kafka', 'tls', kt.certFile === null ? 'certFile' : 'keyFile'],
      'certFile and keyFile are set together',
    );
    need(
      kt.enabled || (kt.caFile === null && kt.certFile === null),
      ['ingest', 'kafka', 'tls', 'enabled'],
      'must be true when TLS files are set',
    );
    const sasl = c.ingest.kafka.sasl;
    need(
      sasl.mechanism === null || (sasl.username !== null && sasl.password !== null),
      ['ingest', 'kafka', 'sasl', sasl.username === null ? 'username' : 'password'],
      'required when ingest.kafka.sasl.mechanism is set',
    );
    need(
      c.cache.caFile === null || (c.cache.url ?? '').startsWith('rediss://'),
      ['cache', 'caFile'],
      'only used with a rediss:// cache.url',
    );
  });

export type Config = z.output<typeof configSchema>;
/** What a YAML file may contain: every key optional. */
export type ConfigInput = z.input<typeof configSchema>;
