import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it, expect } from 'vitest';
import { ConfigError, loadConfig } from './load-config';

function yamlFile(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'logsieve-config-'));
  const file = path.join(dir, 'logsieve.yaml');
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults with no file', () => {
    const c = loadConfig();
    expect(c.dataDir).toBe('./.logsieve');
    expect(c.server).toEqual({
      host: '127.0.0.1',
      ports: { otlpHttp: 4318, otlpGrpc: 4317, rest: 8080, metrics: 9464 },
      maxBodyBytes: 16777216,
      tls: { certFile: null, keyFile: null, caFile: null, requireClientCert: false },
    });
    expect(c.storage).toEqual({
      kind: 'pglite',
      url: null,
      retentionDays: 14,
      bufferMaxBytes: 268_435_456,
    });
    expect(c.cache).toEqual({ kind: 'memory', url: null, caFile: null });
    expect(c.modelStore.s3).toEqual({
      endpoint: null,
      bucket: null,
      region: 'us-east-1',
      prefix: 'logsieve/',
    });
    expect(c.model).toEqual({ dir: null, baselineMinutes: 30, baselineMinUnits: 50, retrainHours: 24 });
    expect(c.features).toEqual({ windowSeconds: 60, sessionKey: null, allowedLatenessSeconds: 10 });
    expect(c.ingest).toEqual({
      file: { paths: [], startAt: 'end' },
      kafka: {
        enabled: false,
        brokers: [],
        topic: 'otlp_logs',
        groupId: 'logsieve',
        encoding: 'otlp_proto',
        sessionTimeoutMs: 30000,
        tls: { enabled: false, caFile: null, certFile: null, keyFile: null },
        sasl: { mechanism: null, username: null, password: null },
      },
      queueCapacity: 100000,
      wal: { enabled: true, fsync: 'interval', fsyncIntervalMs: 1000, maxBytes: 1_073_741_824 },
    });
    expect(c.outputs.kafka).toEqual({ enabled: false, topic: 'logsieve.anomalies' });
    expect(c.outputs.alertmanager.grafanaUrl).toBe('http://localhost:3000/a/logsieve-anomaly-app');
    expect(c.auth).toEqual({
      enabled: false,
      apiKeys: [],
      jwt: { jwksUrl: null, secret: null, issuer: null, audience: null },
    });
    expect(c.limits).toEqual({
      maxStreams: 1000,
      maxTemplatesPerStream: 5000,
      maxTemplatesTotal: 50000,
      maxLineBytes: 65536,
      maxRecordsPerRequest: 100000,
      maxEventAgeSeconds: 86400,
      maxEventAheadSeconds: 600,
      rateLimitPerKey: 0,
      authFailuresPerMinute: 30,
    });
    expect(c.log.level).toBe('info');
  });

  it('merges a YAML file over the defaults, keeping sibling defaults', () => {
    const file = yamlFile(
      'server:\n  ports: { rest: 8081 }\nfeatures:\n  sessionKey: "blk_-?\\\\d+"\ningest:\n  kafka: { enabled: true, brokers: [k1:9092] }\n',
    );
    const c = loadConfig({ file });
    expect(c.server.ports).toEqual({ otlpHttp: 4318, otlpGrpc: 4317, rest: 8081, metrics: 9464 });
    expect(c.features.sessionKey).toBe('blk_-?\\d+');
    expect(c.ingest.kafka).toMatchObject({ enabled: true, brokers: ['k1:9092'], topic: 'otlp_logs' });
  });

  it('treats an empty file as defaults', () => {
    expect(loadConfig({ file: yamlFile('') }).server.ports.rest).toBe(8080);
  });

  it('applies LOGSIEVE_ env vars as YAML scalars, over the file', () => {
    const file = yamlFile('server:\n  ports:\n    rest: 8081\n');
    const c = loadConfig({
      file,
      env: {
        LOGSIEVE_SERVER__PORTS__REST: '9000',
        LOGSIEVE_SERVER__MAX_BODY_BYTES: '1024',
        LOGSIEVE_INGEST__KAFKA__ENABLED: 'true',
        LOGSIEVE_INGEST__KAFKA__BROKERS: '["a:9092","b:9092"]',
        LOGSIEVE_STORAGE__KIND: 'postgres',
        LOGSIEVE_STORAGE__URL: 'postgres://u@127.0.0.1:5432/db',
        LOGSIEVE_MODELSTORE__S3__REGION: 'eu-west-1',
        LOGSIEVE_UNRELATED_THING: 'ignored',
        PATH: '/usr/bin',
      },
    });
    expect(c.server.ports.rest).toBe(9000);
    expect(c.server.maxBodyBytes).toBe(1024);
    expect(c.ingest.kafka.enabled).toBe(true);
    expect(c.ingest.kafka.brokers).toEqual(['a:9092', 'b:9092']);
    expect(c.storage).toMatchObject({ kind: 'postgres', url: 'postgres://u@127.0.0.1:5432/db' });
    expect(c.modelStore.s3.region).toBe('eu-west-1');
  });

  it('lets command-line overrides win over file and env', () => {
    const file = yamlFile('dataDir: /from/file\nmodel: { dir: /file/model }\n');
    const c = loadConfig({
      file,
      env: { LOGSIEVE_DATADIR: '/from/env' },
      overrides: { dataDir: '/from/cli', modelDir: '/cli/model' },
    });
    expect(c.dataDir).toBe('/from/cli');
    expect(c.model.dir).toBe('/cli/model');
  });

  it('reports a bad value in one line naming the key', () => {
    const msg = errorOf(() => loadConfig({ env: { LOGSIEVE_SERVER__PORTS__REST: 'abc' } }));
    expect(msg).toBe('config: server.ports.rest: expected integer, got "abc"');
    expect(msg).not.toContain('\n');
    expect(errorOf(() => loadConfig({ file: yamlFile('server: { ports: { rest: 70000 } }') }))).toBe(
      'config: server.ports.rest: must be <= 65535, got 70000',
    );
    expect(errorOf(() => loadConfig({ file: yamlFile('storage: { kind: mysql }') }))).toBe(
      'config: storage.kind: expected one of "pglite", "postgres", got "mysql"',
    );
    expect(errorOf(() => loadConfig({ file: yamlFile('features: { sessionKey: "blk_(" }') }))).toBe(
      'config: features.sessionKey: invalid regular expression',
    );
  });

  it('rejects unknown keys in the file and in env', () => {
    expect(errorOf(() => loadConfig({ file: yamlFile('server: { prots: { rest: 1 } }') }))).toBe(
      'config: server.prots: unknown key',
    );
    expect(errorOf(() => loadConfig({ env: { LOGSIEVE_SERVER__PORTZ: '1' } }))).toBe(
      'config: server.portz: unknown key (from LOGSIEVE_SERVER__PORTZ)',
    );
  });

  it('refuses to listen beyond loopback without auth', () => {
    expect(errorOf(() => loadConfig({ env: { LOGSIEVE_SERVER__HOST: '0.0.0.0' } }))).toBe(
      'config: auth.enabled: must be true when server.host (0.0.0.0) is not loopback',
    );
    const ok = loadConfig({ env: { LOGSIEVE_SERVER__HOST: '0.0.0.0', LOGSIEVE_AUTH__ENABLED: 'true' } });
    expect(ok.server.host).toBe('0.0.0.0');
    expect(loadConfig({ env: { LOGSIEVE_SERVER__HOST: '::1' } }).server.host).toBe('::1');
  });

  it('requires the url of a configured postgres and the brokers of enabled kafka', () => {
    expect(errorOf(() => loadConfig({ env: { LOGSIEVE_STORAGE__KIND: 'postgres' } }))).toBe(
      'config: storage.url: required when storage.kind is postgres',
    );
    expect(errorOf(() => loadConfig({ env: { LOGSIEVE_INGEST__KAFKA__ENABLED: 'true' } }))).toBe(
      'config: ingest.kafka.brokers: required when ingest.kafka.enabled is true',
    );
  });

  it('names unreadable files and invalid YAML in one line', () => {
    expect(errorOf(() => loadConfig({ file: '/nonexistent/logsieve.yaml' }))).toBe(
      'config: cannot read /nonexistent/logsieve.yaml: ENOENT',
    );
    const bad = errorOf(() => loadConfig({ file: yamlFile('server: [unclosed') }));
    expect(bad).toMatch(/^config: .*invalid YAML: /);
    expect(bad).not.toContain('\n');
  });
});
