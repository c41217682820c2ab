/**
 * Timestamps in the shapes log headers use (ISO 8601, syslog, Apache, CLF, Loghub's compact and
 * two-digit-year forms, epoch seconds) to ms since the epoch. Without a zone the time is read as
 * UTC; without a year the year is inferred from a full date or epoch elsewhere in the header, else
 * the current one, or the previous one when that would put the line more than a day in the
 * future (how syslog receivers do it).
 */

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};

const MON = '(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*';
const FRAC = '(?:[.,:](\\d{1,9}))?';
const ZONE = '\\s*(Z|[+-]\\d{2}:?\\d{2})?';

interface Shape {
  re: RegExp;
  /** Indexes of year, month, day, hour, minute, second, fraction, zone in the match (0 = absent). */
  at: [number, number, number, number, number, number, number, number];
}

const SHAPES: Shape[] = [
  // 2015-10-18 18:01:47,978 / 2017-05-16T00:00:00.008Z / 2005-06-03-15.42.50.675872 / 2016/9/27:20:30:31
  {
    re: new RegExp(
      `(\\d{4})[-/.](\\d{1,2})[-/.](\\d{1,2})[T\\s_:-]+(\\d{1,2})[:.](\\d{2})[:.](\\d{2})${FRAC}${ZONE}`,
    ),
    at: [1, 2, 3, 4, 5, 6, 7, 8],
  },
  // 20171223-22:15:29:606
  {
    re: new RegExp(`(\\d{4})(\\d{2})(\\d{2})[-T ](\\d{2}):?(\\d{2}):?(\\d{2})${FRAC}`),
    at: [1, 2, 3, 4, 5, 6, 7, 0],
  },
  // 10/Oct/2000:13:55:36 -0700 (Common Log Format)
  {
    re: new RegExp(`(\\d{1,2})/${MON}/(\\d{4}):(\\d{2}):(\\d{2}):(\\d{2})${ZONE}`),
    at: [3, 2, 1, 4, 5, 6, 0, 7],
  },
  // Sun Dec 04 04:47:44 2005 / Jun 14 15:16:01 / Nov 9 12:01:01
  {
    re: new RegExp(`${MON}\\s+(\\d{1,2})\\s+(\\d{1,2}):(\\d{2}):(\\d{2})${FRAC}(?:\\s+(\\d{4}))?`),
    at: [7, 1, 2, 3, 4, 5, 6, 0],
  },
  // 17/06/09 20:10:40 (yy/mm/dd)
  {
    re: new RegExp(`^(\\d{2})/(\\d{2})/(\\d{2})\\s+(\\d{2}):(\\d{2}):(\\d{2})${FRAC}`),
    at: [1, 2, 3, 4, 5, 6, 7, 0],
  },
  // 081109 203615 (yymmdd hhmmss)
  { re: /^(\d{2})(\d{2})(\d{2})\s+(\d{2})(\d{2})(\d{2})\b/, at: [1, 2, 3, 4, 5, 6, 0, 0] },
  // 03-17 16:13:38.811 / 10.30 16:49:06 (month-day, no year)
  {
    re: new RegExp(`(\\d{2})[-.](\\d{2})\\s+(\\d{2}):(\\d{2}):(\\d{2})${FRAC}`),
    at: [0, 1, 2, 3, 4, 5, 6, 0],
  },
];

const EPOCH = /(?:^|\s)(1\d{9})(?:\.(\d{1,6}))?(?:\s|$)/;
/** A calendar date with its year (2005.11.09, 2005-11-09) anywhere in the header. */
const FULL_DATE = /(?:^|\s)((?:19|20)\d{2})[-/.](\d{2})[-/.](\d{2})(?=\s|$)/;

/**
 * When the line also carries its year (a full date or epoch seconds beside a yearless syslog
 * stamp, as Thunderbird's and many collectors' lines do), that is the reference the year is
 * inferred from, not the reader's clock: old logs keep their year.
 */
function referenceMs(text: string): number | null {
  const d = FULL_DATE.exec(text);
  if (d) return Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), 23, 59, 59);
  const e = EPOCH.exec(text);
  return e ? Number(e[1]) * 1000 : null;
}

function num(m: RegExpExecArray, i: number): number {
  return i ? Number(m[i]) : NaN;
}

function monthOf(s: string): number {
  const c = s.charCodeAt(0);
  return c >= 48 && c <= 57 ? Number(s) : (MONTHS[s.slice(0, 3).toLowerCase()] ?? NaN);
}

function zoneOffsetMs(z: string | undefined): number {
  if (!z || z === 'Z') return 0;
  const sign = z[0] === '-' ? -1 : 1;
  const digits = z.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

/** Reads one shape's match; null when its fields are out of range. */
function fromMatch(m: RegExpExecArray, at: Shape['at'], text: string, nowMs: number): number | null {
  const month = monthOf(m[at[1]]!);
  const day = num(m, at[2]);
  const hour = num(m, at[3]);
  const minute = num(m, at[4]);
  const second = num(m, at[5]);
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour < 24 && minute < 60 && second < 61))
    return null;
  const frac = at[6] && m[at[6]] ? Math.round(Number(`0.${m[at[6]]}`) * 1000) : 0;
  const offset = frac - zoneOffsetMs(at[7] ? m[at[7]] : undefined);
  const rawYear = at[0] && m[at[0]] ? Number(m[at[0]]) : NaN;
  if (!Number.isNaN(rawYear))
    return Date.UTC(rawYear < 100 ? 2000 + rawYear : rawYear, month - 1, day, hour, minute, second) + offset;
  const ref = referenceMs(text) ?? nowMs;
  const year = new Date(ref).getUTCFullYear();
  const guess = Date.UTC(year, month - 1, day, hour, minute, second) + offset;
  return guess > ref + 86_400_000 ? Date.UTC(year - 1, month - 1, day, hour, minute, second) + offset : guess;
}

/**
 * Parses the first timestamp found in `text`; null when none. `nowMs` is for year inference.
 * `hint` is the index of the shape that matched last time (a stream keeps its shape), tried first.
 */
export function parseLooseTime(
  text: string,
  nowMs = Date.now(),
  hint: { shape: number } = { shape: 0 },
): number | null {
  for (let k = 0; k < SHAPES.length; k++) {
    const idx = k === 0 ? hint.shape : k === hint.shape ? 0 : k;
    const { re, at } = SHAPES[idx]!;
    const m = re.exec(text);
    if (!m) continue;
    const ms = fromMatch(m, at, text, nowMs);
    if (ms === null) continue;
    hint.shape = idx;
    return ms;
  }
  const e = EPOCH.exec(text);
  if (e) return Number(e[1]) * 1000 + (e[2] ? Math.round(Number(`0.${e[2]}`) * 1000) : 0);
  return null;
}
