import { describe, expect, it } from 'vitest';
import { decodeOtlpLogsJson } from '../ingest/otlp/otlp-logs-decoder';
import { RecordDecoder } from './record-decoder';

/** OTLP/JSON records of one stream, decoded as the receivers do. */
const otlp = (bodies: (Record<string, unknown> | undefined)[]) =>
  decodeOtlpLogsJson({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'orders' } }] },
        scopeLogs: [
          {
            logRecords: bodies.map((body) => ({
              timeUnixNano: '1700000000000000000',
              severityNumber: 9,
              ...(body === undefined ? {} : { body }),
            })),
          },
        ],
      },
    ],
  });

describe('RecordDecoder', () => {
  // Issue 14 item 5: these were counted dropped{reason="malformed"} while the reply said success.
  it('processes OTLP records with an absent, empty or array body in a JSON stream', () => {
    const d = new RecordDecoder();
    const records = otlp([
      { stringValue: '{"msg":"order 1 placed","level":"info"}' },
      { stringValue: '{"msg":"order 2 placed","level":"info"}' },
      undefined,
      { stringValue: '' },
      { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'a' }] } },
      { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } },
      { stringValue: '   ' },
    ]);
    const out = records.map((r) => d.decode(r));
    expect(out.map((r) => r.body)).toEqual([
      'order 1 placed',
      'order 2 placed',
      '',
      '',
      '[1,"a"]',
      '{"k":"v"}',
      '   ',
    ]);
    // What the line itself cannot say comes from the transport.
    for (const r of out.slice(2)) expect(r).toMatchObject({ stream: 'orders', timeMs: 1_700_000_000_000 });
  });

  it('keeps a raw line no decoder reads (binary, broken JSON in a JSON stream) as it came', () => {
    const d = new RecordDecoder();
    const raw = (body: string, line: number) => ({
      stream: 'r',
      line,
      timeMs: null,
      severityNumber: 0,
      severityText: '',
      body,
      raw: body,
    });
    expect(d.decode(raw('{"msg":"a"}', 1)).body).toBe('a');
    expect(d.decode(raw('{"msg": broken', 2))).toMatchObject({ body: '{"msg": broken', timeMs: null });
    expect(d.decode(raw('\u0000\u0001\u0002', 3)).body).toBe('\u0000\u0001\u0002');
  });
});
