import { describe, it, expect } from 'vitest';
import { parseLooseTime } from './loose-time';

const NOW = Date.UTC(2026, 10, 24, 12, 0, 0);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('parseLooseTime', () => {
  it.each([
    ['2015-10-18 18:01:47,978', '2015-10-18T18:01:47.978Z'],
    ['2017-05-16T00:00:00.008Z', '2017-05-16T00:00:00.008Z'],
    ['2017-05-16T02:00:00+02:00', '2017-05-16T00:00:00.000Z'],
    ['2005-06-03-15.42.50.675872', '2005-06-03T15:42:50.676Z'],
    ['20171223-22:15:29:606', '2017-12-23T22:15:29.606Z'],
    ['10/Oct/2000:13:55:36 -0700', '2000-10-10T20:55:36.000Z'],
    ['Sun Dec 04 04:47:44 2005', '2005-12-04T04:47:44.000Z'],
    ['17/06/09 20:10:40', '2017-06-09T20:10:40.000Z'],
    ['081109 203615', '2008-11-09T20:36:15.000Z'],
    ['1131566461', '2005-11-09T20:01:01.000Z'],
  ])('reads %s', (text, expected) => {
    expect(iso(parseLooseTime(text, NOW))).toBe(expected);
  });

  it('infers a missing year: this year, or last year for dates ahead of now', () => {
    expect(iso(parseLooseTime('Jun 14 15:16:01', NOW))).toBe('2026-06-14T15:16:01.000Z');
    expect(iso(parseLooseTime('Dec 31 23:59:59', NOW))).toBe('2025-12-31T23:59:59.000Z');
    expect(iso(parseLooseTime('03-17 16:13:38.811', NOW))).toBe('2026-03-17T16:13:38.811Z');
  });

  it('returns null for text without a valid time', () => {
    expect(parseLooseTime('no time here', NOW)).toBeNull();
    expect(parseLooseTime('2015-13-45 99:99:99', NOW)).toBeNull();
    expect(parseLooseTime('', NOW)).toBeNull();
  });
});

describe('year of a yearless stamp', () => {
  const now = Date.parse('2026-12-07T12:00:00Z');
  it('comes from a full date or epoch seconds elsewhere in the header, not from the clock', () => {
    expect(parseLooseTime('1131566461 2005.11.09 Nov 9 12:01:01', now)).toBe(
      Date.parse('2005-11-09T12:01:01Z'),
    );
    expect(parseLooseTime('1131566461 Nov 9 12:01:01', now)).toBe(Date.parse('2005-11-09T12:01:01Z'));
    // The date is the line's own day: its year holds up to the last second of it.
    expect(parseLooseTime('2005.12.31 Dec 31 23:59:59', now)).toBe(Date.parse('2005-12-31T23:59:59Z'));
  });

  it('falls back to the clock when the line has nothing else', () => {
    expect(parseLooseTime('Nov 9 12:01:01', now)).toBe(Date.parse('2026-11-09T12:01:01Z'));
  });
});
