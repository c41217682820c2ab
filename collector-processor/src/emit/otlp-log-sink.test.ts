import { afterEach, describe, expect, it } from 'vitest';
import { decodeOtlpLogsJson } from '../ingest/otlp/otlp-logs-decoder';
import type { LogRecord } from '../record';
import { OtlpLogSink } from './otlp-log-sink';
import { startCaptureServer } from './testing/capture-server';
import { sampleEvent } from './testing/sample-event';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const record: LogRecord = {
  stream: 'checkout',
  line: 12,
  timeMs: Date.UTC(2026, 10, 24, 10, 0, 1, 250),
  severityNumber: 17,
  severityText: 'ERROR',
  body: 'payment 42 failed: timeout',
  raw: '2026-11-24T10:00:01.250Z ERROR payment 42 failed: timeout',
  attributes: { 'http.route': '/pay' },
  resource: { 'k8s.pod.name': 'checkout-1' },
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  templateId: 't7',
  template: 'payment <*> failed: timeout',
  params: ['42'],
};

const attrs = (lr: Obj) => Object.fromEntries((lr.attributes as Obj[]).map((kv) => [kv.key, kv.value]));

describe('OtlpLogSink', () => {
  let server: Awaited<ReturnType<typeof startCaptureServer>> | null = null;
  afterEach(async () => {
    await server?.close();
    server = null;
  });

  it('posts the records as OTLP/JSON with the anomaly attributes added', async () => {
    server = await startCaptureServer();
    const sink = new OtlpLogSink({
      endpoint: `${server.url}/v1/logs`,
      headers: { authorization: 'Bearer t' },
    });
    await sink.exportRecords([{ record, anomalyId: 'a1', score: 93 }]);
    const [req] = server.requests;
    expect(req!.path).toBe('/v1/logs');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers.authorization).toBe('Bearer t');
    const body = JSON.parse(req!.body) as Obj;
    expect(body.resourceLogs).toHaveLength(1);
    const resource = Object.fromEntries(
      (body.resourceLogs[0].resource.attributes as Obj[]).map((kv) => [kv.key, kv.value]),
    );
    expect(resource).toEqual({
      'service.name': { stringValue: 'checkout' },
      'k8s.pod.name': { stringValue: 'checkout-1' },
    });
    const lr = body.resourceLogs[0].scopeLogs[0].logRecords[0] as Obj;
    expect(lr).toMatchObject({
      timeUnixNano: String(BigInt(record.timeMs!) * 1_000_000n),
      severityNumber: 17,
      severityText: 'ERROR',
      body: { stringValue: 'payment 42 failed: timeout' },
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      spanId: '00f067aa0ba902b7',
    });
    expect(attrs(lr)).toEqual({
      'http.route': { stringValue: '/pay' },
      'logsieve.anomaly.score': { doubleValue: 93 },
      'logsieve.anomaly.id': { stringValue: 'a1' },
      'log.record.template': { stringValue: 'payment <*> failed: timeout' },
      'log.record.template_id': { stringValue: 't7' },
      'log.record.original': { stringValue: record.raw },
    });
    // What we send is what an OTLP receiver (ours) reads back.
    const [back] = decodeOtlpLogsJson(body);
    expect(back).toMatchObject({
      stream: 'checkout',
      body: record.body,
      timeMs: record.timeMs,
      traceId: record.traceId,
    });
  });

  it('exports an event as its sample lines, naming the template the explanation gives for a line', async () => {
    server = await startCaptureServer();
    const sink = new OtlpLogSink({ endpoint: `${server.url}/v1/logs` });
    const e = sampleEvent('a2', 'payments', 81.5);
    await sink.emit([e]);
    const lrs = JSON.parse(server.requests[0]!.body).resourceLogs[0].scopeLogs[0].logRecords as Obj[];
    expect(lrs.map((lr) => lr.body.stringValue)).toEqual(e.sampleLines);
    expect(attrs(lrs[0]!)['log.record.template']).toBeUndefined();
    expect(attrs(lrs[1]!)).toMatchObject({
      'log.record.template_id': { stringValue: 't9' },
      'logsieve.anomaly.score': { doubleValue: 81.5 },
    });
  });

  it('retries while the endpoint is unavailable, and not on a rejected payload', async () => {
    const statuses = [503, 502, 200];
    server = await startCaptureServer(() => statuses.shift() ?? 400);
    const sink = new OtlpLogSink({
      endpoint: `${server.url}/v1/logs`,
      backoff: { initialMs: 10, maxMs: 20 },
    });
    await sink.exportRecords([{ record, anomalyId: 'a1', score: 50 }]);
    expect(server.requests).toHaveLength(3);
    await expect(sink.exportRecords([{ record, anomalyId: 'a1', score: 50 }])).rejects.toThrow(/400/);
    expect(server.requests).toHaveLength(4);
  });

  it('rejects once its tries are used up', async () => {
    server = await startCaptureServer(() => 503);
    const sink = new OtlpLogSink({
      endpoint: `${server.url}/v1/logs`,
      attempts: 2,
      backoff: { initialMs: 10 },
    });
    await expect(sink.exportRecords([{ record, anomalyId: 'a1', score: 50 }])).rejects.toThrow(/503/);
    expect(server.requests).toHaveLength(2);
  });
});
