import { describe, expect, it } from 'vitest';
import { decodeOtlpLogsJson } from '../ingest/otlp/otlp-logs-decoder';
import { DEFAULT_EVENT_TIME_LIMITS, outOfRange, validTimeMs } from './event-time';
import { jsonTime } from './json-format';
import { createStreamDecoder } from './stream-decoder';

describe('event time checks', () => {
  it('keeps times of years 1 to 9999 and nothing else', () => {
    expect(validTimeMs(0)).toBe(0);
    expect(validTimeMs(Date.parse('9999-12-31T23:59:59.999Z'))).toBe(253_402_300_799_999);
    expect(validTimeMs(Date.parse('0001-01-01T00:00:00Z'))).toBe(-62_135_596_800_000);
    for (const bad of [NaN, Infinity, -Infinity, 1e294, Date.parse('+275760-09-13T00:00:00.000Z'), -8.64e15])
      expect(validTimeMs(bad), String(bad)).toBeNull();
    expect(validTimeMs(null)).toBeNull();
  });

  it('places a time outside [now - 24 h, now + 10 min] by default', () => {
    const now = Date.parse('2025-06-01T12:00:00Z');
    const l = DEFAULT_EVENT_TIME_LIMITS;
    expect(outOfRange(now, now, l)).toBeNull();
    expect(outOfRange(now - 86_400_000, now, l)).toBeNull();
    expect(outOfRange(now - 86_400_001, now, l)).toBe('past');
    expect(outOfRange(now + 600_000, now, l)).toBeNull();
    expect(outOfRange(now + 600_001, now, l)).toBe('future');
    expect(outOfRange(Date.parse('2100-01-01T00:00:00Z'), now, l)).toBe('future');
    expect(outOfRange(0, now, l)).toBe('past');
  });
});

describe('decoders yield no time rather than an invalid one', () => {
  const decode = (line: string) => createStreamDecoder('s').decode(line, 1);

  it('JSON times: 1e300, a year past 9999, and numbers that are no time', () => {
    expect(jsonTime(1e300)).toBeNull();
    expect(jsonTime(-1e300)).toBeNull();
    expect(jsonTime('+275760-09-13T00:00:00.000Z')).toBeNull();
    expect(jsonTime('2100-01-01T00:00:00Z')).toBe(Date.parse('2100-01-01T00:00:00Z'));
    expect(decode('{"time":1e300,"msg":"hi"}')).toMatchObject({ timeMs: null, body: 'hi' });
    expect(decode('{"time":"+275760-09-13T00:00:00.000Z","msg":"hi"}')).toMatchObject({ timeMs: null });
  });

  it('every format passes the check: a container wrapper with an unreadable time', () => {
    // docker's JSON wrapper: an unparseable `time` was NaN before the check.
    const r = decode('{"log":"GET / 200\\n","stream":"stdout","time":"not a time"}');
    expect(r?.timeMs).toBeNull();
    expect(r?.body).toBe('GET / 200');
  });

  it('OTLP: a JSON timeUnixNano of 1e300 is no time, the observed time stands in', () => {
    const req = (lr: Record<string, unknown>) => ({
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: 'x' }, ...lr }] }] }],
    });
    expect(decodeOtlpLogsJson(req({ timeUnixNano: 1e300 }))[0]!.timeMs).toBeNull();
    expect(
      decodeOtlpLogsJson(req({ timeUnixNano: 1e300, observedTimeUnixNano: '1700000000000000000' }))[0]!
        .timeMs,
    ).toBe(1_700_000_000_000);
  });
});
