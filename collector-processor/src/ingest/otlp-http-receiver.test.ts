import { gzipSync } from 'node:zlib';
import { context, trace, TraceFlags } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter as HttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, it, expect } from 'vitest';
import { createListenerGuard, type ListenerGuard } from '../api/auth/admission';
import { createHeaderCheck } from '../api/auth/authenticator';
import { RateLimiter } from '../api/auth/rate-limiter';
import type { LogRecord } from '../record';
import { otlpHttpReceiver } from './otlp-http-receiver';
import {
  encodeExportLogsRequest,
  exportLogsRequestJson,
  decodeExportLogsResponse,
} from './otlp/otlp-logs-encoder';
import { RpcStatus } from './otlp/otlp-logs-schema';
import { OverloadedError } from './overloaded-error';
import type { IngestRejectReason } from './record-sink';
import { collectingSink } from './testing/collecting-sink';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';
const apps: FastifyInstance[] = [];

async function startReceiver(
  limits: Partial<{
    maxBodyBytes: number;
    maxLineBytes: number;
    maxRecordsPerRequest: number;
    guard: ListenerGuard;
  }> = {},
) {
  const collected = collectingSink();
  const rejected: IngestRejectReason[] = [];
  const dropped: LogRecord[] = [];
  const app = Fastify();
  apps.push(app);
  await app.register(otlpHttpReceiver, {
    sink: collected.sink,
    maxBodyBytes: limits.maxBodyBytes ?? 1 << 20,
    maxLineBytes: limits.maxLineBytes ?? 65536,
    maxRecordsPerRequest: limits.maxRecordsPerRequest ?? 1000,
    hooks: { onRejected: (_s, reason) => rejected.push(reason), onDropped: (r) => dropped.push(...r) },
    guard: limits.guard,
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `${address}/v1/logs`, ...collected, rejected, dropped };
}

afterEach(async () => {
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

/** Emits two records through the real OpenTelemetry SDK and the given exporter. */
async function emitThroughSdk(exporter: LogRecordExporter): Promise<void> {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': 'checkout', 'host.name': 'node-7' }),
    processors: [new SimpleLogRecordProcessor({ exporter })],
  });
  const logger = provider.getLogger('payments', '1.2.3');
  const spanContext = context.active();
  const withSpan = trace.setSpanContext(spanContext, {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    traceFlags: TraceFlags.SAMPLED,
  });
  logger.emit({
    timestamp: new Date('2026-11-24T10:00:00.250Z'),
    severityNumber: SeverityNumber.ERROR,
    severityText: 'ERROR',
    body: 'payment 42 failed: card declined',
    attributes: { 'order.id': 42, retry: false, 'http.route': '/pay' },
    context: withSpan,
  });
  logger.emit({
    severityNumber: SeverityNumber.INFO,
    severityText: 'INFO',
    body: { event: 'checkout', items: 3 },
  });
  await provider.forceFlush();
  await provider.shutdown();
}

function expectSdkRecords(records: LogRecord[], before: number): void {
  expect(records).toHaveLength(2);
  // SimpleLogRecordProcessor exports each record on its own: the requests may arrive in any order.
  const err = records.find((r) => r.severityNumber === 17);
  const info = records.find((r) => r.severityNumber === 9);
  expect(err).toMatchObject({
    stream: 'checkout',
    timeMs: Date.parse('2026-11-24T10:00:00.250Z'),
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'payment 42 failed: card declined',
    component: 'payments',
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    attributes: { 'order.id': 42, retry: false, 'http.route': '/pay' },
  });
  expect(err?.resource).toMatchObject({ 'service.name': 'checkout', 'host.name': 'node-7' });
  expect(info).toMatchObject({
    stream: 'checkout',
    severityNumber: 9,
    body: '{"event":"checkout","items":3}',
  });
  // No timestamp given: the SDK's observed time stands in.
  expect(info?.timeMs).toBeGreaterThanOrEqual(before);
  expect(info?.traceId).toBeUndefined();
}

describe('OTLP/HTTP receiver with the real OpenTelemetry exporters', () => {
  for (const compression of ['none', 'gzip'] as const) {
    it(`receives protobuf from exporter-logs-otlp-proto (compression ${compression})`, async () => {
      const r = await startReceiver();
      const before = Date.now();
      // `as never`: the option is typed as an enum of exactly these strings.
      await emitThroughSdk(new ProtoExporter({ url: r.url, compression: compression as never }));
      expectSdkRecords(r.records(), before);
      expect(r.batches.every((b) => b.source === 'otlp_http')).toBe(true);
    });

    it(`receives JSON from exporter-logs-otlp-http (compression ${compression})`, async () => {
      const r = await startReceiver();
      const before = Date.now();
      await emitThroughSdk(new HttpJsonExporter({ url: r.url, compression: compression as never }));
      expectSdkRecords(r.records(), before);
    });
  }
});

const sample: LogRecord[] = [
  { stream: 'api', line: 1, timeMs: 1_700_000_000_000, severityNumber: 9, severityText: 'INFO', body: 'ok' },
  {
    stream: 'api',
    line: 2,
    timeMs: 1_700_000_000_001,
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'x'.repeat(300),
  },
];

describe('OTLP/HTTP receiver answers', () => {
  it('partial success in protobuf when records are over limits.maxLineBytes', async () => {
    const r = await startReceiver({ maxLineBytes: 100 });
    const res = await r.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { 'content-type': 'application/x-protobuf' },
      payload: Buffer.from(encodeExportLogsRequest(sample)),
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-protobuf');
    const partial = decodeExportLogsResponse(res.rawPayload);
    expect(partial?.rejectedLogRecords).toBe(1);
    expect(partial?.errorMessage).toMatch(/maxLineBytes/);
    expect(r.records().map((x) => x.body)).toEqual(['ok']);
    expect(r.dropped).toHaveLength(1);
  });

  it('partial success in JSON for a JSON request, and an empty response on full success', async () => {
    const r = await startReceiver({ maxLineBytes: 100 });
    const post = (records: LogRecord[]) =>
      r.app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(exportLogsRequestJson(records)),
      });
    const partial = await post(sample);
    expect(partial.statusCode).toBe(200);
    expect(partial.json()).toMatchObject({ partialSuccess: { rejectedLogRecords: '1' } });
    const full = await post(sample.slice(0, 1));
    expect(full.json()).toEqual({});
  });

  it('400 for truncated protobuf, invalid JSON, invalid UTF-8 and bad gzip', async () => {
    const r = await startReceiver();
    const proto = Buffer.from(encodeExportLogsRequest(sample));
    const cases: { type: string; payload: Buffer; encoding?: string }[] = [
      { type: 'application/x-protobuf', payload: proto.subarray(0, proto.length - 7) },
      { type: 'application/json', payload: Buffer.from('{"resourceLogs":[{') },
      {
        type: 'application/json',
        payload: Buffer.from([0x7b, 0x22, 0x61, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]),
      },
      { type: 'application/x-protobuf', payload: Buffer.from('not gzip'), encoding: 'gzip' },
    ];
    for (const c of cases) {
      const headers: Record<string, string> = { 'content-type': c.type };
      if (c.encoding) headers['content-encoding'] = c.encoding;
      const res = await r.app.inject({ method: 'POST', url: '/v1/logs', headers, payload: c.payload });
      expect(res.statusCode, c.type).toBe(400);
      const message =
        c.type === 'application/json'
          ? res.json().message
          : RpcStatus.decode(res.rawPayload).toJSON().message;
      expect(message).toBeTruthy();
    }
    expect(r.records()).toHaveLength(0);
    expect(r.rejected).toEqual(['bad_payload', 'bad_payload', 'bad_payload', 'bad_payload']);
  });

  it('413 for a body over server.maxBodyBytes, raw or after gunzip, and for too many records', async () => {
    const r = await startReceiver({ maxBodyBytes: 4096, maxRecordsPerRequest: 1 });
    const big = Buffer.alloc(20 * 1024 * 1024, 0x41);
    const raw = await r.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { 'content-type': 'application/x-protobuf' },
      payload: big,
    });
    expect(raw.statusCode).toBe(413);
    const bomb = gzipSync(Buffer.alloc(1 << 20, 0x20));
    expect(bomb.length).toBeLessThan(4096);
    const inflated = await r.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      payload: bomb,
    });
    expect(inflated.statusCode).toBe(413);
    const many = await r.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { 'content-type': 'application/x-protobuf' },
      payload: Buffer.from(encodeExportLogsRequest(sample.slice(0, 1).concat(sample.slice(0, 1)))),
    });
    expect(many.statusCode).toBe(413);
    expect(r.rejected).toEqual(['too_large', 'too_large', 'too_large']);
  });

  it('415 for other content types and encodings', async () => {
    const r = await startReceiver();
    const text = await r.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { 'content-type': 'text/plain' },
      payload: 'hello',
    });
    expect(text.statusCode).toBe(415);
    const br = await r.app.inject({
      method: 'POST',
      url: '/v1/logs',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'br' },
      payload: Buffer.from('x'),
    });
    expect(br.statusCode).toBe(415);
    expect(r.rejected).toEqual(['unsupported_media_type', 'unsupported_media_type']);
  });

  it('429 or 503 with Retry-After when the sink is overloaded', async () => {
    const r = await startReceiver();
    const send = () =>
      r.app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { 'content-type': 'application/x-protobuf' },
        payload: Buffer.from(encodeExportLogsRequest(sample.slice(0, 1))),
      });
    r.failWith(new OverloadedError('queue full', 2.5));
    const busy = await send();
    expect(busy.statusCode).toBe(429);
    expect(busy.headers['retry-after']).toBe('3');
    r.failWith(new OverloadedError('shutting down', 5, true));
    const gone = await send();
    expect(gone.statusCode).toBe(503);
    expect(gone.headers['retry-after']).toBe('5');
    r.failWith(null);
    expect((await send()).statusCode).toBe(200);
    expect(r.rejected).toEqual(['overloaded', 'overloaded']);
  });
});

describe('OTLP/HTTP receiver with auth.enabled and limits.rateLimitPerKey', () => {
  const EDITOR = 'editor-key-0123456789abcdefghij';
  const VIEWER = 'viewer-key-0123456789abcdefghij';
  const guard = (perSecond?: number) =>
    createListenerGuard({
      check: createHeaderCheck({
        config: {
          auth: {
            enabled: true,
            apiKeys: [`editor:${EDITOR}`, `viewer:${VIEWER}`],
            jwt: { jwksUrl: null, secret: null, issuer: null, audience: null },
          },
        },
        // Configured keys only; no database keys exist here.
        keys: { verify: async () => null },
      }),
      rateLimiter: perSecond ? new RateLimiter(perSecond) : null,
    });

  it('takes the credential from the exporter headers option and passes the principal on as tenant', async () => {
    const r = await startReceiver({ guard: guard() });
    const before = Date.now();
    await emitThroughSdk(new ProtoExporter({ url: r.url, headers: { authorization: `Bearer ${EDITOR}` } }));
    expectSdkRecords(r.records(), before);
    expect(r.batches.map((b) => b.tenant)).toEqual(['config-key:0', 'config-key:0']);
  });

  it('answers 401 (UNAUTHENTICATED) and 403 (PERMISSION_DENIED) before reading the body', async () => {
    const r = await startReceiver({ guard: guard() });
    await emitThroughSdk(new HttpJsonExporter({ url: r.url }));
    await emitThroughSdk(new ProtoExporter({ url: r.url, headers: { 'x-api-key': VIEWER } }));
    expect(r.records()).toEqual([]);
    const send = (headers: Record<string, string>) =>
      r.app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { 'content-type': 'application/json', ...headers },
        payload: '{',
      });
    const none = await send({});
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect(none.json()).toEqual({ code: 16, message: 'credentials required' });
    const viewer = await send({ 'x-api-key': VIEWER });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().code).toBe(7);
    // Two records per exporter run, each its own request; then the two above.
    expect(r.rejected).toEqual(Array(6).fill('unauthorized'));
  });

  it('answers 429 with Retry-After past the per-key rate', async () => {
    const r = await startReceiver({ guard: guard(1) });
    const send = () =>
      r.app.inject({
        method: 'POST',
        url: '/v1/logs',
        headers: { 'content-type': 'application/x-protobuf', 'x-api-key': EDITOR },
        payload: Buffer.from(encodeExportLogsRequest(sample.slice(0, 1))),
      });
    expect((await send()).statusCode).toBe(200);
    const limited = await send();
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect(RpcStatus.toObject(RpcStatus.decode(limited.rawPayload)).code).toBe(8);
    expect(r.rejected).toEqual(['rate_limited']);
  });
});
