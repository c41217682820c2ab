import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { afterEach, describe, it, expect } from 'vitest';
import type { LogRecord } from '../record';
import { logsServiceDefinition, startOtlpGrpcReceiver, type OtlpGrpcReceiver } from './otlp-grpc-receiver';
import { decodeExportLogsResponse, encodeExportLogsRequest } from './otlp/otlp-logs-encoder';
import { RpcRetryInfo, RpcStatus } from './otlp/otlp-logs-schema';
import { OverloadedError } from './overloaded-error';
import type { IngestRejectReason } from './record-sink';
import { collectingSink } from './testing/collecting-sink';

const receivers: OtlpGrpcReceiver[] = [];
const clients: grpc.Client[] = [];

afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await Promise.all(receivers.splice(0).map((r) => r.close(100)));
});

async function start(maxLineBytes = 65536) {
  const collected = collectingSink();
  const rejected: IngestRejectReason[] = [];
  const receiver = await startOtlpGrpcReceiver({
    sink: collected.sink,
    host: '127.0.0.1',
    port: 0,
    maxBodyBytes: 1 << 20,
    maxLineBytes,
    maxRecordsPerRequest: 1000,
    hooks: { onRejected: (_s, r) => rejected.push(r) },
  });
  receivers.push(receiver);
  return { receiver, rejected, ...collected };
}

function client(port: number) {
  const Client = grpc.makeGenericClientConstructor(logsServiceDefinition, 'LogsService');
  const c = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  clients.push(c);
  return (payload: Uint8Array) =>
    new Promise<{ err: grpc.ServiceError | null; res?: Buffer }>((resolve) => {
      (
        c as unknown as {
          Export: (req: Uint8Array, cb: (e: grpc.ServiceError | null, r?: Buffer) => void) => void;
        }
      ).Export(payload, (err, res) => resolve({ err, res }));
    });
}

const records: LogRecord[] = [
  {
    stream: 'db',
    line: 1,
    timeMs: 1_700_000_000_000,
    severityNumber: 13,
    severityText: 'WARN',
    body: 'slow query 812ms',
  },
  {
    stream: 'db',
    line: 2,
    timeMs: 1_700_000_000_001,
    severityNumber: 9,
    severityText: 'INFO',
    body: 'y'.repeat(200),
  },
];

describe('OTLP/gRPC receiver', () => {
  it('receives logs from the real exporter-logs-otlp-grpc (gzip)', async () => {
    const t = await start();
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'inventory' }),
      processors: [
        new SimpleLogRecordProcessor({
          exporter: new OTLPLogExporter({
            url: `http://127.0.0.1:${t.receiver.port}`,
            compression: 'gzip' as never,
          }),
        }),
      ],
    });
    const logger = provider.getLogger('stock');
    logger.emit({
      timestamp: new Date('2026-11-24T09:30:00Z'),
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: 'stock low for sku 991',
      attributes: { sku: 991 },
    });
    await provider.forceFlush();
    await provider.shutdown();
    expect(t.records()).toHaveLength(1);
    expect(t.records()[0]).toMatchObject({
      stream: 'inventory',
      timeMs: Date.parse('2026-11-24T09:30:00Z'),
      severityNumber: 13,
      body: 'stock low for sku 991',
      component: 'stock',
      attributes: { sku: 991 },
    });
    expect(t.batches[0]?.source).toBe('otlp_grpc');
  });

  it('answers partial success for over-long records and INVALID_ARGUMENT for a truncated message', async () => {
    const t = await start(100);
    const call = client(t.receiver.port);
    const payload = encodeExportLogsRequest(records);
    const ok = await call(payload);
    expect(ok.err).toBeNull();
    expect(decodeExportLogsResponse(ok.res!)).toMatchObject({ rejectedLogRecords: 1 });
    expect(t.records().map((r) => r.body)).toEqual(['slow query 812ms']);
    const bad = await call(payload.subarray(0, payload.length - 4));
    expect(bad.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(t.rejected).toEqual(['bad_payload']);
  });

  it('answers RESOURCE_EXHAUSTED with RetryInfo, or UNAVAILABLE, when overloaded', async () => {
    const t = await start();
    const call = client(t.receiver.port);
    t.failWith(new OverloadedError('queue full', 7));
    const busy = await call(encodeExportLogsRequest(records));
    expect(busy.err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    const details = busy.err!.metadata.get('grpc-status-details-bin')[0] as Buffer;
    const status = RpcStatus.toObject(RpcStatus.decode(details), { longs: Number }) as {
      details: { typeUrl: string; value: Uint8Array }[];
    };
    expect(status.details[0]?.typeUrl).toBe('type.googleapis.com/google.rpc.RetryInfo');
    expect(RpcRetryInfo.toObject(RpcRetryInfo.decode(status.details[0]!.value), { longs: Number })).toEqual({
      retryDelay: { seconds: 7 },
    });
    t.failWith(new OverloadedError('stopping', 1, true));
    expect((await call(encodeExportLogsRequest(records))).err?.code).toBe(grpc.status.UNAVAILABLE);
    expect(t.rejected).toEqual(['overloaded', 'overloaded']);
  });

  it('counts messages over maxBodyBytes, which grpc-js refuses before the handler, as too_large', async () => {
    const t = await start();
    const call = client(t.receiver.port);
    const big = await call(encodeExportLogsRequest([{ ...records[0]!, body: 'z'.repeat(1 << 20) }]));
    expect(big.err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    await expect.poll(() => t.rejected).toEqual(['too_large']);
    // Answered calls, successful or not, are not counted again.
    expect((await call(encodeExportLogsRequest(records))).err).toBeNull();
    expect((await call(Uint8Array.from([0xff]))).err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    await new Promise((r) => setTimeout(r, 100));
    expect(t.rejected).toEqual(['too_large', 'bad_payload']);
    expect(t.records()).toHaveLength(2);
  });

  it('answers a call without a complete message (empty, or cut short) INVALID_ARGUMENT, counted', async () => {
    const t = await start();
    // Below grpc-js's client, which always sends a whole message: raw HTTP/2 as a broken client would.
    const rawCall = (body: Buffer) =>
      new Promise<{ status: string | undefined; message: string | undefined }>((resolve, reject) => {
        const session = http2.connect(`http://127.0.0.1:${t.receiver.port}`);
        session.on('error', reject);
        const req = session.request({
          ':method': 'POST',
          ':path': '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
          'content-type': 'application/grpc',
          te: 'trailers',
        });
        let trailers: http2.IncomingHttpHeaders = {};
        req.on('response', (h) => (trailers = h));
        req.on('trailers', (h) => (trailers = h));
        req.on('data', () => {});
        req.on('end', () => {
          session.close();
          const { 'grpc-status': status, 'grpc-message': message } = trailers;
          resolve({ status: status as string | undefined, message: message as string | undefined });
        });
        req.end(body);
      });
    const empty = await rawCall(Buffer.alloc(0));
    expect(empty.status).toBe(String(grpc.status.INVALID_ARGUMENT));
    expect(decodeURIComponent(empty.message!)).toMatch(/empty or truncated request/);
    // A length prefix of 100 bytes followed by 10.
    const cut = Buffer.concat([Buffer.from([0, 0, 0, 0, 100]), Buffer.alloc(10, 0x0a)]);
    expect((await rawCall(cut)).status).toBe(String(grpc.status.INVALID_ARGUMENT));
    expect(t.rejected).toEqual(['bad_payload', 'bad_payload']);
    expect(t.records()).toHaveLength(0);
  });
});
