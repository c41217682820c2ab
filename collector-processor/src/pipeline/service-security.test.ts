import https from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { OTLPLogExporter as GrpcExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../config/config-schema';
import { makeTestCerts, type TestCerts } from '../config/testing/test-certs';
import { waitFor } from '../emit/testing/daemon';
import { logsServiceDefinition } from '../ingest/otlp-grpc-receiver';
import { encodeExportLogsRequest } from '../ingest/otlp/otlp-logs-encoder';
import type { LogRecord } from '../record';
import { startService, type RunningService } from './service';

/*
 * `logsieve serve` with auth on, mutual TLS on every listener, a per-key rate limit and a stream
 * limit, exercised with the real OpenTelemetry exporters, a gRPC client, and HTTPS requests shaped
 * like a Prometheus scrape. Certificates come from `openssl` at test time.
 */

const KEYS = {
  viewer: 'viewer-key-0123456789abcdefghij',
  editor: 'editor-key-0123456789abcdefghij',
  quota: 'quota-admin-key-0123456789abcdef',
  burst: 'burst-admin-key-0123456789abcdef',
};

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

describe('logsieve serve: authentication, TLS and limits on every listener', () => {
  let certs: TestCerts;
  let dir: string;
  let service: RunningService;

  beforeAll(async () => {
    certs = makeTestCerts();
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-security-'));
    const config = configSchema.parse({
      dataDir: dir,
      server: {
        ports: { otlpHttp: 0, otlpGrpc: 0, rest: 0, metrics: 0 },
        tls: {
          certFile: certs.files.serverCert,
          keyFile: certs.files.serverKey,
          caFile: certs.files.ca,
          requireClientCert: true,
        },
      },
      auth: {
        enabled: true,
        apiKeys: [`viewer:${KEYS.viewer}`, `editor:${KEYS.editor}`, KEYS.quota, KEYS.burst],
      },
      limits: { maxStreams: 2, rateLimitPerKey: 20 },
    });
    service = await startService(config, pino({ level: 'silent' }));
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    certs?.remove();
  }, 60_000);

  /** One HTTPS request presenting the test client certificate (unless withCert is false). */
  function request(
    port: number,
    p: string,
    o: {
      method?: string;
      headers?: Record<string, string>;
      body?: Buffer | string;
      withCert?: boolean;
      /** Another loopback source address (127.0.0.2), to act as a second caller. */
      localAddress?: string;
    } = {},
  ): Promise<Answer> {
    const withCert = o.withCert ?? true;
    return new Promise((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port,
          path: p,
          method: o.method ?? 'GET',
          headers: o.headers,
          ca: certs.ca,
          ...(withCert ? { cert: certs.clientCert, key: certs.clientKey } : {}),
          agent: false,
          ...(o.localAddress ? { localAddress: o.localAddress } : {}),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              headers: res.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(o.body);
    });
  }

  const scrape = (headers: Record<string, string> = {}) =>
    request(service.ports.metrics, '/metrics', { headers });
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  /** Sum of a counter's samples whose labels include every given `name="value"`. */
  async function counter(name: string, ...labels: string[]): Promise<number> {
    const text = (await scrape(bearer(KEYS.viewer))).body;
    return text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) && labels.every((x) => l.includes(x)))
      .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  }

  async function emit(exporter: LogRecordExporter, service: string): Promise<void> {
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      processors: [new SimpleLogRecordProcessor({ exporter })],
    });
    provider.getLogger('t').emit({ body: `${new Date().toISOString()} INFO hello from ${service}` });
    await provider.forceFlush();
    await provider.shutdown();
  }

  const grpcCredentials = () => grpc.credentials.createSsl(certs.ca, certs.clientKey, certs.clientCert);

  function grpcExport(metadata: Record<string, string>, records: LogRecord[]) {
    const Client = grpc.makeGenericClientConstructor(logsServiceDefinition, 'LogsService');
    const c = new Client(`localhost:${service.ports.otlpGrpc}`, grpcCredentials());
    const md = new grpc.Metadata();
    for (const [k, v] of Object.entries(metadata)) md.set(k, v);
    return new Promise<grpc.ServiceError | null>((resolve) => {
      (
        c as unknown as {
          Export: (req: Uint8Array, md: grpc.Metadata, cb: (e: grpc.ServiceError | null) => void) => void;
        }
      ).Export(encodeExportLogsRequest(records), md, (err) => {
        c.close();
        resolve(err);
      });
    });
  }

  const record = (stream: string): LogRecord => ({
    stream,
    line: 1,
    timeMs: Date.now(),
    severityNumber: 9,
    severityText: 'INFO',
    body: 'hello',
  });

  it('serves the metrics listener over TLS to viewers only (a Prometheus-style bearer scrape)', async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.body).not.toContain('# TYPE');
    expect((await scrape(bearer('not-a-key-at-all-0123456789'))).status).toBe(401);
    const ok = await scrape(bearer(KEYS.viewer));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatch(/^# TYPE logsieve_\w+ (counter|gauge)$/m);
  });

  it('refuses a client without a certificate at the TLS handshake, on every listener', async () => {
    const { rest, otlpHttp, metrics } = service.ports;
    for (const port of [rest, otlpHttp, metrics])
      await expect(request(port, '/healthz', { withCert: false })).rejects.toThrow();
    const Client = grpc.makeGenericClientConstructor(logsServiceDefinition, 'LogsService');
    const c = new Client(`localhost:${service.ports.otlpGrpc}`, grpc.credentials.createSsl(certs.ca));
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      (c as unknown as { Export: (r: Uint8Array, cb: (e: grpc.ServiceError | null) => void) => void }).Export(
        encodeExportLogsRequest([record('x')]),
        resolve,
      ),
    );
    c.close();
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
    // With a certificate the probes stay open, without credentials.
    expect((await request(rest, '/healthz')).status).toBe(200);
  });

  it('takes OTLP/HTTP from the proto exporter with an editor key; 401 without, 403 for a viewer', async () => {
    const url = `https://localhost:${service.ports.otlpHttp}/v1/logs`;
    const httpAgentOptions = { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey };
    await emit(
      new ProtoExporter({ url, headers: { 'x-api-key': KEYS.editor }, httpAgentOptions }),
      'checkout',
    );
    await waitFor(
      async () =>
        (await counter('logsieve_records_received_total', 'source="otlp_http"')) === 1 ? true : undefined,
      20_000,
      'the exported record',
    );
    const body = Buffer.from(encodeExportLogsRequest([record('checkout')]));
    const post = (headers: Record<string, string>) =>
      request(service.ports.otlpHttp, '/v1/logs', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-protobuf', ...headers },
      });
    const before = await counter(
      'logsieve_ingest_rejected_total',
      'source="otlp_http"',
      'reason="unauthorized"',
    );
    expect((await post({})).status).toBe(401);
    expect((await post(bearer('wrong-key-0123456789abcdefghijk'))).status).toBe(401);
    expect((await post(bearer(KEYS.viewer))).status).toBe(403);
    expect(
      await counter('logsieve_ingest_rejected_total', 'source="otlp_http"', 'reason="unauthorized"'),
    ).toBe(before + 3);
    expect(await counter('logsieve_records_received_total', 'source="otlp_http"')).toBe(1);
  });

  it('takes OTLP/gRPC from the grpc exporter with metadata; UNAUTHENTICATED / PERMISSION_DENIED otherwise', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${KEYS.editor}`);
    await emit(
      new GrpcExporter({
        url: `https://localhost:${service.ports.otlpGrpc}`,
        credentials: grpcCredentials(),
        metadata,
      }),
      'checkout',
    );
    await waitFor(
      async () =>
        (await counter('logsieve_records_received_total', 'source="otlp_grpc"')) === 1 ? true : undefined,
      20_000,
      'the exported record',
    );
    expect((await grpcExport({}, [record('checkout')]))?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await grpcExport({ 'x-api-key': KEYS.viewer }, [record('checkout')]))?.code).toBe(
      grpc.status.PERMISSION_DENIED,
    );
    expect(await grpcExport({ 'x-api-key': KEYS.editor }, [record('checkout')])).toBeNull();
    expect(await counter('logsieve_records_received_total', 'source="otlp_grpc"')).toBe(2);
  });

  it('refuses records of a third stream per tenant (limits.maxStreams 2), counted', async () => {
    const push = (stream: string) =>
      request(service.ports.rest, `/api/v1/logs?stream=${stream}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...bearer(KEYS.quota) },
        body: 'one line\nanother line\n',
      });
    expect(JSON.parse((await push('a')).body)).toEqual({ accepted: 2, rejected: 0 });
    expect(JSON.parse((await push('b')).body)).toEqual({ accepted: 2, rejected: 0 });
    expect(JSON.parse((await push('c')).body)).toEqual({ accepted: 0, rejected: 2 });
    expect(JSON.parse((await push('a')).body)).toEqual({ accepted: 2, rejected: 0 });
    expect(await counter('logsieve_records_dropped_total', 'reason="stream_limit"')).toBe(2);
    // Another tenant (the editor key) has its own quota: stream c is new to it, and allowed.
    expect(await grpcExport({ 'x-api-key': KEYS.editor }, [record('c')])).toBeNull();
  });

  it('answers 429 with Retry-After beyond limits.rateLimitPerKey, per key, on REST and OTLP', async () => {
    const calls = await Promise.all(
      Array.from({ length: 60 }, () =>
        request(service.ports.rest, '/api/v1/streams', { headers: bearer(KEYS.burst) }),
      ),
    );
    const limited = calls.filter((c) => c.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.status === 200 || c.status === 429)).toBe(true);
    expect(Number(limited[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // OTLP/gRPC answers RESOURCE_EXHAUSTED (retryable, with RetryInfo) for the same key ...
    const exports = await Promise.all(
      Array.from({ length: 60 }, () => grpcExport({ 'x-api-key': KEYS.burst }, [record('a')])),
    );
    expect(exports.some((e) => e?.code === grpc.status.RESOURCE_EXHAUSTED)).toBe(true);
    expect(exports.every((e) => e === null || e.code === grpc.status.RESOURCE_EXHAUSTED)).toBe(true);
    // ... while another key is not limited.
    expect(
      (await request(service.ports.rest, '/api/v1/streams', { headers: bearer(KEYS.viewer) })).status,
    ).toBe(200);
    expect(await counter('logsieve_ingest_rejected_total', 'reason="rate_limited"', 'source="rest"')).toBe(
      limited.length,
    );
  });

  it('audits a threshold change with who, when, before and after, readable by a viewer', async () => {
    const json = (key: string, method: string, p: string, body?: unknown) =>
      request(service.ports.rest, p, {
        method,
        headers: { ...bearer(key), ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    const t = JSON.parse((await json(KEYS.viewer, 'GET', '/api/v1/thresholds')).body).global;
    const since = Date.now() - 1000;
    expect((await json(KEYS.editor, 'PUT', '/api/v1/thresholds/streams/checkout', t)).status).toBe(200);
    expect((await json(KEYS.editor, 'DELETE', '/api/v1/thresholds/streams/checkout')).status).toBe(204);
    // A viewer may not change it, and that attempt is not in the log.
    expect((await json(KEYS.viewer, 'DELETE', '/api/v1/thresholds/streams/checkout')).status).toBe(403);
    const audit = await json(KEYS.viewer, 'GET', '/api/v1/audit?limit=10');
    expect(audit.status).toBe(200);
    const items = (JSON.parse(audit.body) as { items: Record<string, unknown>[] }).items.filter(
      (e) => e['target'] === 'threshold:stream:checkout',
    );
    // Newest first; the editor is the second configured key.
    expect(items).toMatchObject([
      { actor: 'config-key:1', action: 'threshold.delete', before: t, after: null },
      { actor: 'config-key:1', action: 'threshold.put', before: null, after: t },
    ]);
    for (const e of items) expect(Date.parse(e['at'] as string)).toBeGreaterThanOrEqual(since);
  });

  it('counts refused metrics scrapes under source="metrics"', async () => {
    // The first test refused two scrapes (no key, a wrong key); refusals since then add to them.
    const before = await counter(
      'logsieve_ingest_rejected_total',
      'source="metrics"',
      'reason="unauthorized"',
    );
    expect(before).toBeGreaterThanOrEqual(2);
    expect((await scrape(bearer('not-a-key-at-all-0123456789'))).status).toBe(401);
    expect(await counter('logsieve_ingest_rejected_total', 'source="metrics"', 'reason="unauthorized"')).toBe(
      before + 1,
    );
  });

  it('refuses an address after limits.authFailuresPerMinute (30) failures on every listener, counted', async () => {
    const from = '127.0.0.2';
    const wrong = bearer('guessed-key-0123456789abcdefghijk');
    for (let i = 0; i < 30; i++)
      expect(
        (await request(service.ports.rest, '/api/v1/streams', { headers: wrong, localAddress: from })).status,
      ).toBe(401);
    // Now even a valid key from that address is refused, so a correct guess would not be answered.
    const rest = await request(service.ports.rest, '/api/v1/streams', {
      headers: bearer(KEYS.viewer),
      localAddress: from,
    });
    expect(rest.status).toBe(429);
    expect(Number(rest.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(rest.headers['retry-after'])).toBeLessThanOrEqual(60);
    const otlp = await request(service.ports.otlpHttp, '/v1/logs', {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', ...bearer(KEYS.editor) },
      body: Buffer.from(encodeExportLogsRequest([record('a')])),
      localAddress: from,
    });
    expect(otlp.status).toBe(429);
    const metrics = await request(service.ports.metrics, '/metrics', { headers: wrong, localAddress: from });
    expect(metrics.status).toBe(429);
    expect(metrics.body).not.toContain('# TYPE');
    // Another address (127.0.0.1, a NAT neighbour's view) is not affected.
    expect(
      (await request(service.ports.rest, '/api/v1/streams', { headers: bearer(KEYS.viewer) })).status,
    ).toBe(200);
    for (const source of ['rest', 'otlp_http', 'metrics'])
      expect(
        await counter('logsieve_ingest_rejected_total', `source="${source}"`, 'reason="auth_throttled"'),
      ).toBe(1);
  });

  // Last: it uses up the budget of the address the other tests call from.
  it('throttles failed authentication on OTLP/gRPC by peer address (RESOURCE_EXHAUSTED)', async () => {
    const codes: (number | undefined)[] = [];
    for (let i = 0; i < 31 && codes.at(-1) !== grpc.status.RESOURCE_EXHAUSTED; i++)
      codes.push(
        (await grpcExport({ 'x-api-key': 'guessed-key-0123456789abcdefghijk' }, [record('a')]))?.code,
      );
    expect(codes.at(-1)).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(codes.slice(0, -1).every((c) => c === grpc.status.UNAUTHENTICATED)).toBe(true);
    expect(await grpcExport({ 'x-api-key': KEYS.editor }, [record('a')])).toMatchObject({
      code: grpc.status.RESOURCE_EXHAUSTED,
    });
  });
});
