import { describe, expect, it } from 'vitest';
import type { LogRecord } from '../record';
import { admitRecords, partialSuccess } from './admit-records';
import { collectingSink } from './testing/collecting-sink';

const rec = (timeMs: number | null, body = 'ok'): LogRecord => ({
  stream: 'api',
  line: 1,
  timeMs,
  severityNumber: 9,
  severityText: 'INFO',
  body,
});

describe('admitRecords', () => {
  const eventTime = { maxAgeMs: 86_400_000, maxAheadMs: 600_000 };

  it('warns about records whose time the pipeline will replace, without rejecting them', async () => {
    const c = collectingSink();
    const now = Date.now();
    const records = [rec(now), rec(Date.parse('2100-01-01T00:00:00Z')), rec(1), rec(null)];
    const a = await admitRecords(records, 'otlp_http', { sink: c.sink, maxLineBytes: 100, eventTime });
    expect(a).toMatchObject({ accepted: 4, rejected: 0 });
    expect(a.message).toMatch(/^2 records with a time more than limits\.maxEventAgeSeconds \(86400 s\)/);
    expect(c.records()).toHaveLength(4);
    // OTLP: rejected_log_records 0 with a message is a warning.
    expect(partialSuccess(a)).toEqual({ rejectedLogRecords: 0, errorMessage: a.message });
  });

  it('reports rejections and the warning together, and nothing when all is well', async () => {
    const c = collectingSink();
    const a = await admitRecords([rec(1), rec(Date.now(), 'x'.repeat(200))], 'otlp_grpc', {
      sink: c.sink,
      maxLineBytes: 100,
      eventTime,
    });
    expect(partialSuccess(a)?.rejectedLogRecords).toBe(1);
    expect(a.message).toMatch(/^rejected records: 1 over limits\.maxLineBytes .*; 1 records with a time/);
    const fine = await admitRecords([rec(Date.now())], 'otlp_grpc', {
      sink: c.sink,
      maxLineBytes: 100,
      eventTime,
    });
    expect(partialSuccess(fine)).toBeNull();
  });
});
