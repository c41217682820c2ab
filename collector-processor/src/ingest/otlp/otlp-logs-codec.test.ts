import protobuf from 'protobufjs';
import { describe, it, expect } from 'vitest';
import type { LogRecord } from '../../record';
import {
  decodeOtlpLogsJson,
  decodeOtlpLogsJsonBytes,
  decodeOtlpLogsProto,
  MAX_VALUE_DEPTH,
  OtlpDecodeError,
} from './otlp-logs-decoder';
import {
  decodeExportLogsResponse,
  encodeExportLogsRequest,
  encodeExportLogsResponse,
  exportLogsRequestJson,
} from './otlp-logs-encoder';
import { ExportLogsServiceRequest } from './otlp-logs-schema';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

const records: LogRecord[] = [
  {
    stream: 'checkout',
    line: 1,
    timeMs: 1_763_979_600_123.456,
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'payment failed for order 42',
    component: 'payments',
    attributes: { 'http.status_code': 502, retry: true, ratio: 0.25, tags: ['a', 'b'], ctx: { user: 'u1' } },
    resource: { 'host.name': 'node-1' },
    traceId: TRACE,
    spanId: SPAN,
  },
  { stream: 'cart', line: 2, timeMs: null, severityNumber: 0, severityText: '', body: 'plain' },
];

function expectDecoded(decoded: LogRecord[]): void {
  expect(decoded).toHaveLength(2);
  const [a, b] = decoded;
  expect(a).toEqual({
    stream: 'checkout',
    line: 1,
    timeMs: 1_763_979_600_123.456,
    severityNumber: 17,
    severityText: 'ERROR',
    body: 'payment failed for order 42',
    raw: 'payment failed for order 42',
    component: 'payments',
    attributes: { 'http.status_code': 502, retry: true, ratio: 0.25, tags: ['a', 'b'], ctx: { user: 'u1' } },
    resource: { 'host.name': 'node-1', 'service.name': 'checkout' },
    traceId: TRACE,
    spanId: SPAN,
  });
  expect(b).toMatchObject({ stream: 'cart', line: 2, timeMs: null, severityNumber: 0, body: 'plain' });
  expect(b?.traceId).toBeUndefined();
}

describe('OTLP logs codec', () => {
  it('round-trips records through protobuf', () => {
    expectDecoded(decodeOtlpLogsProto(encodeExportLogsRequest(records)));
  });

  it('round-trips records through OTLP/JSON text', () => {
    const text = JSON.stringify(exportLogsRequestJson(records));
    expect(text).toContain(TRACE); // ids are hex in JSON, not base64
    expectDecoded(decodeOtlpLogsJsonBytes(Buffer.from(text)));
  });

  it('reads the wire format at the OTLP field numbers', () => {
    // Built by hand from logs.proto's field numbers, independently of the project's schema.
    const anyString = (s: string) =>
      protobuf.Writer.create()
        .uint32((1 << 3) | 2)
        .string(s)
        .finish();
    const kv = (k: string, v: string) => {
      const w = protobuf.Writer.create()
        .uint32((1 << 3) | 2)
        .string(k);
      return w
        .uint32((2 << 3) | 2)
        .bytes(anyString(v))
        .finish();
    };
    const OBSERVED = 1_700_000_000_000_000_000n;
    const log = protobuf.Writer.create()
      .uint32((11 << 3) | 1) // observed time only: fixed64, little-endian low word first
      .fixed32(Number(OBSERVED & 0xffffffffn))
      .fixed32(Number(OBSERVED >> 32n))
      .uint32((2 << 3) | 0)
      .int32(13)
      .uint32((3 << 3) | 2)
      .string('WARN')
      .uint32((5 << 3) | 2)
      .bytes(anyString('disk low'))
      .uint32((6 << 3) | 2)
      .bytes(kv('k', 'v'))
      .uint32((9 << 3) | 2)
      .bytes(Buffer.from(TRACE, 'hex'))
      .uint32((10 << 3) | 2)
      .bytes(Buffer.from(SPAN, 'hex'))
      .uint32((12 << 3) | 2)
      .string('my.event')
      .finish();
    const resource = protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(kv('service.name', 'api'))
      .finish();
    const scopeLogs = protobuf.Writer.create()
      .uint32((2 << 3) | 2)
      .bytes(log)
      .finish();
    const resourceLogs = protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(resource)
      .uint32((2 << 3) | 2)
      .bytes(scopeLogs)
      .finish();
    const request = protobuf.Writer.create()
      .uint32((1 << 3) | 2)
      .bytes(resourceLogs)
      .finish();
    const [r] = decodeOtlpLogsProto(request);
    expect(r).toMatchObject({
      stream: 'api',
      timeMs: 1_700_000_000_000,
      severityNumber: 13,
      severityText: 'WARN',
      body: 'disk low',
      attributes: { k: 'v' },
      traceId: TRACE,
      spanId: SPAN,
    });
  });

  it('normalises OTLP/JSON variants: int64 as number or string, enum names, structured bodies', () => {
    const [a, b, c] = decodeOtlpLogsJson({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: 1_700_000_000_000_000_000,
                  severityNumber: 'SEVERITY_NUMBER_INFO',
                  body: { kvlistValue: { values: [{ key: 'msg', value: { stringValue: 'hi' } }] } },
                },
                {
                  observedTimeUnixNano: '1700000000500000000',
                  timeUnixNano: '0',
                  body: { intValue: '9007199254740993' },
                },
                {
                  body: { arrayValue: { values: [{ boolValue: false }, { doubleValue: 1.5 }] } },
                  attributes: [{ key: 'n', value: { intValue: 7 } }],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(a).toMatchObject({
      stream: 'unknown_service',
      timeMs: 1_700_000_000_000,
      severityNumber: 9,
      body: '{"msg":"hi"}',
    });
    expect(b).toMatchObject({ timeMs: 1_700_000_000_500, body: '9007199254740993' });
    expect(c).toMatchObject({ timeMs: null, body: '[false,1.5]', attributes: { n: 7 } });
  });

  it('rejects undecodable payloads with a reason', () => {
    const bytes = encodeExportLogsRequest(records);
    expect(() => decodeOtlpLogsProto(bytes.subarray(0, bytes.length - 5))).toThrow(OtlpDecodeError);
    expect(() => decodeOtlpLogsJsonBytes(Buffer.from('{"resourceLogs": ['))).toThrow(/invalid JSON/);
    expect(() => decodeOtlpLogsJsonBytes(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]))).toThrow(
      /invalid UTF-8/,
    );
    expect(() => decodeOtlpLogsJson({ resourceLogs: {} })).toThrow(/resourceLogs: expected an array/);
    expect(() =>
      decodeOtlpLogsJson({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ traceId: 'xyz' }] }] }] }),
    ).toThrow(/traceId/);
    expect(() =>
      decodeOtlpLogsJson({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: 'soon' }] }] }] }),
    ).toThrow(/timeUnixNano/);
  });

  it('refuses values nested deeper than MAX_VALUE_DEPTH instead of overflowing the stack', () => {
    const nested = (depth: number) => {
      let v: unknown = { stringValue: 'x' };
      for (let i = 0; i < depth; i++) v = { arrayValue: { values: [v] } };
      return { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: v }] }] }] };
    };
    expect(decodeOtlpLogsJson(nested(MAX_VALUE_DEPTH - 1))).toHaveLength(1);
    expect(() => decodeOtlpLogsJson(nested(MAX_VALUE_DEPTH))).toThrow(/nested deeper than/);
    const deep = `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${'{"kvlistValue":{"values":[{"key":"k","value":'.repeat(100_000)}{}${'}]}}'.repeat(100_000)}}]}]}]}`;
    expect(() => decodeOtlpLogsJsonBytes(Buffer.from(deep))).toThrow(OtlpDecodeError);
  });

  it('reads an attribute with an empty key alike from protobuf (where the key is left off) and JSON', () => {
    // Found by the service fuzz test: the protobuf request was refused whole (400).
    const request = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                { body: { stringValue: 'x' }, attributes: [{ key: '', value: { stringValue: 'v' } }] },
              ],
            },
          ],
        },
      ],
    };
    const bytes = ExportLogsServiceRequest.encode(ExportLogsServiceRequest.fromObject(request)).finish();
    expect(decodeOtlpLogsProto(bytes)[0]!.attributes).toEqual({ '': 'v' });
    expect(decodeOtlpLogsJson(request)[0]!.attributes).toEqual({ '': 'v' });
  });

  it('encodes responses with and without partial success', () => {
    expect(encodeExportLogsResponse(null)).toHaveLength(0);
    const partial = { rejectedLogRecords: 3, errorMessage: '3 records over limits.maxLineBytes' };
    expect(decodeExportLogsResponse(encodeExportLogsResponse(partial))).toEqual(partial);
  });
});

describe('OTLP attribute keys that are Object.prototype members', () => {
  it('are attributes, and a __proto__ attribute does not supply service.name', () => {
    const [r] = decodeOtlpLogsJson({
      resourceLogs: [
        {
          resource: {
            attributes: [
              {
                key: '__proto__',
                value: {
                  kvlistValue: { values: [{ key: 'service.name', value: { stringValue: 'spoofed' } }] },
                },
              },
            ],
          },
          scopeLogs: [
            {
              logRecords: [
                {
                  body: { stringValue: 'x' },
                  severityNumber: 'constructor',
                  attributes: [{ key: 'constructor', value: { stringValue: 'c' } }],
                },
              ],
            },
          ],
        },
      ],
    });
    expect(r!.stream).toBe('unknown_service');
    expect(Object.keys(r!.resource!)).toEqual(['__proto__']);
    expect(r!.attributes!['constructor']).toBe('c');
    // An enum name that is an Object.prototype member is no severity.
    expect(r!.severityNumber).toBe(0);
  });
});
