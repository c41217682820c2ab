import { Severity } from '../record';

/** Level words as logging libraries, syslog and Loghub systems write them, lower-cased. */
const LEVELS: Record<string, number> = {
  trace: Severity.TRACE,
  finest: Severity.TRACE,
  finer: Severity.TRACE,
  verbose: Severity.TRACE,
  debug: Severity.DEBUG,
  fine: Severity.DEBUG,
  dbg: Severity.DEBUG,
  info: Severity.INFO,
  information: Severity.INFO,
  informational: Severity.INFO,
  notice: Severity.INFO + 1,
  warn: Severity.WARN,
  warning: Severity.WARN,
  error: Severity.ERROR,
  err: Severity.ERROR,
  severe: Severity.ERROR,
  crit: Severity.FATAL,
  critical: Severity.FATAL,
  alert: Severity.FATAL + 1,
  fatal: Severity.FATAL,
  emerg: Severity.FATAL + 2,
  emergency: Severity.FATAL + 2,
  panic: Severity.FATAL + 2,
  failure: Severity.ERROR,
};

/** Android/glog single-letter levels. */
const LETTERS: Record<string, number> = {
  V: Severity.TRACE,
  D: Severity.DEBUG,
  I: Severity.INFO,
  W: Severity.WARN,
  E: Severity.ERROR,
  F: Severity.FATAL,
  A: Severity.FATAL,
};

/** The level words in the casings logs use (info, INFO, Info), so lookups need no lower-casing. */
const CASED = new Map<string, number>();
for (const [w, n] of Object.entries(LEVELS))
  for (const v of [w, w.toUpperCase(), w[0]!.toUpperCase() + w.slice(1)]) CASED.set(v, n);

/** OTel severity number of a level word, 0 when it is not one. */
export function levelNumber(word: string): number {
  if (word.length > 13) return 0;
  return CASED.get(word) ?? 0;
}

/** Single-letter level (only meaningful at a header position where one is expected). */
export function letterLevelNumber(word: string): number {
  return word.length === 1 ? (LETTERS[word] ?? 0) : 0;
}

/** Syslog severity (0 emerg .. 7 debug) to its OTel number and keyword. */
const SYSLOG: [number, string][] = [
  [Severity.FATAL + 2, 'emerg'],
  [Severity.FATAL + 1, 'alert'],
  [Severity.FATAL, 'crit'],
  [Severity.ERROR, 'err'],
  [Severity.WARN, 'warning'],
  [Severity.INFO + 1, 'notice'],
  [Severity.INFO, 'info'],
  [Severity.DEBUG, 'debug'],
];

export function syslogSeverity(code: number): { number: number; text: string } {
  const [number, text] = SYSLOG[code & 7]!;
  return { number, text };
}

/** Severity guessed from an HTTP status (access logs carry no level). */
export function httpStatusSeverity(status: number): { number: number; text: string } {
  if (status >= 500) return { number: Severity.ERROR, text: 'ERROR' };
  if (status >= 400) return { number: Severity.WARN, text: 'WARN' };
  return { number: Severity.INFO, text: 'INFO' };
}

/** journald's PRIORITY: a syslog severity code 0-7, written as a string ("3" is err). */
export function journaldPriority(value: unknown): { number: number; text: string } {
  const code = typeof value === 'string' && /^[0-7]$/.test(value) ? Number(value) : value;
  if (typeof code === 'number' && Number.isInteger(code) && code >= 0 && code <= 7)
    return syslogSeverity(code);
  return jsonLevel(value);
}

/** JSON loggers write levels as words or numbers (pino/bunyan 10..60). */
export function jsonLevel(value: unknown): { number: number; text: string } {
  if (typeof value === 'number') {
    if (value >= 60) return { number: Severity.FATAL, text: 'FATAL' };
    if (value >= 50) return { number: Severity.ERROR, text: 'ERROR' };
    if (value >= 40) return { number: Severity.WARN, text: 'WARN' };
    if (value >= 30) return { number: Severity.INFO, text: 'INFO' };
    if (value >= 20) return { number: Severity.DEBUG, text: 'DEBUG' };
    return { number: Severity.TRACE, text: 'TRACE' };
  }
  if (typeof value === 'string')
    return { number: levelNumber(value) || letterLevelNumber(value), text: value };
  return { number: 0, text: '' };
}
