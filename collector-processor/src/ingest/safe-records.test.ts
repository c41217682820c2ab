import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../record';
import { decodeOtlpLogsJson } from './otlp/otlp-logs-decoder';
import { makeRecordsSafe } from './safe-records';
import { MAX_STREAM_NAME_BYTES } from '../stream-name';

describe('makeRecordsSafe', () => {
  it('replaces NUL and lone surrogates in every text field and attribute of decoded OTLP records', () => {
    const str = (s: string) => ({ stringValue: s });
    const records: LogRecord[] = decodeOtlpLogsJson({
      resourceLogs: [
        {
          resource: { attributes: [{ key: 'service.name', value: str('svc\u0000') }] },
          scopeLogs: [
            {
              scope: { name: 'comp\ud800' },
              logRecords: [
                {
                  severityText: 'WARN\u0000',
                  body: str('user 5 said \u0000 hello'),
                  attributes: [
                    {
                      key: 'k\u0000',
                      value: { kvlistValue: { values: [{ key: 'in', value: str('\udc00') }] } },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    });
    makeRecordsSafe(records);
    const [r] = records;
    expect(r).toMatchObject({
      stream: 'svc\ufffd',
      body: 'user 5 said \ufffd hello',
      raw: 'user 5 said \ufffd hello',
      severityText: 'WARN\ufffd',
      component: 'comp\ufffd',
    });
    expect(JSON.parse(JSON.stringify(r!.attributes))).toEqual({ 'k\ufffd': { in: '\ufffd' } });
    expect(JSON.parse(JSON.stringify(r!.resource))).toEqual({ 'service.name': 'svc\ufffd' });
  });

  it('bounds stream names longer than a stored key can be (PostgreSQL btree entries: 2704 bytes)', () => {
    const long = (c: string) => ({
      stream: c.repeat(3000),
      line: 1,
      timeMs: null,
      severityNumber: 0,
      severityText: '',
      body: 'x',
    });
    const records: LogRecord[] = [long('a'), long('b'), { ...long('a'), line: 2 }];
    makeRecordsSafe(records);
    for (const r of records) expect(Buffer.byteLength(r.stream)).toBeLessThanOrEqual(MAX_STREAM_NAME_BYTES);
    expect(records[0]!.stream).toBe(records[2]!.stream);
    expect(records[0]!.stream).not.toBe(records[1]!.stream);
  });
});
