import type { Decoded, LineFormat } from './decoded';
import { dataRecord, ownValue } from '../data-keys';
import { journaldPriority, jsonLevel } from './severity';
import { validTimeMs } from './event-time';
import { parseLooseTime } from './loose-time';
import { safeText } from '../safe-text';
import { safeValue } from '../safe-value';

const MESSAGE_KEYS = ['message', 'msg', 'log', 'MESSAGE', 'Message', 'text', 'event'];
const LEVEL_KEYS = [
  'level',
  'severity',
  'lvl',
  'levelname',
  'log.level',
  'loglevel',
  'PRIORITY',
  'severity_text',
];
const TIME_KEYS = ['time', 'timestamp', '@timestamp', 'ts', 't', 'datetime', 'date', '__REALTIME_TIMESTAMP'];
const TRACE_KEYS = ['trace_id', 'traceId', 'traceid', 'trace.id'];
const SPAN_KEYS = ['span_id', 'spanId', 'spanid', 'span.id'];
const COMPONENT_KEYS = ['logger', 'component', 'name', 'SYSLOG_IDENTIFIER'];

function pick(obj: Record<string, unknown>, keys: string[]): [string, unknown] | undefined {
  for (const k of keys) {
    const v = ownValue(obj, k);
    if (v !== undefined && v !== null) return [k, v];
  }
  return undefined;
}

/** Numbers are epoch seconds, ms, µs or ns by magnitude (journald uses µs). */
export function jsonTime(v: unknown, nowMs?: number): number | null {
  if (typeof v === 'number' && Number.isFinite(v)) {
    // A number no unit makes a log time (1e300) is no time: null, never an invalid Date.
    if (v > 1e17) return validTimeMs(Math.floor(v / 1e6));
    if (v > 1e14) return validTimeMs(Math.floor(v / 1e3));
    if (v > 1e11) return validTimeMs(Math.floor(v));
    return validTimeMs(Math.round(v * 1000));
  }
  if (typeof v === 'string') {
    if (/^\d{10,19}(\.\d+)?$/.test(v)) return jsonTime(Number(v), nowMs);
    const iso = Date.parse(v);
    return Number.isNaN(iso) ? parseLooseTime(v, nowMs) : validTimeMs(iso);
  }
  return null;
}

/** JSON.stringify, or `fallback` for a value nested too deeply for it (a hostile line). */
function stringifyOr(v: unknown, fallback: string): string {
  try {
    return JSON.stringify(v);
  } catch {
    return fallback;
  }
}

/** JSON object lines (structured loggers, journald export, bunyan/pino, zap, logrus). */
export function jsonFormat(nowMs?: number): LineFormat {
  return {
    name: 'json',
    decode(line: string): Decoded | null {
      const s = line.trimStart();
      if (s.charCodeAt(0) !== 123) return null;
      let obj: unknown;
      try {
        obj = JSON.parse(s);
      } catch {
        return null;
      }
      if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
      const rec = obj as Record<string, unknown>;
      const msg = pick(rec, MESSAGE_KEYS);
      const levelField = pick(rec, LEVEL_KEYS);
      const level =
        levelField?.[0] === 'PRIORITY' ? journaldPriority(levelField[1]) : jsonLevel(levelField?.[1]);
      const time = pick(rec, TIME_KEYS);
      // The line's keys are data: `__proto__` must be an attribute, not the object's prototype.
      const attributes = dataRecord<unknown>();
      // JSON escapes can spell NUL and lone surrogates, and nest without bound: safeValue bounds both.
      for (const [k, v] of Object.entries(rec))
        if (k !== msg?.[0] && k !== time?.[0]) attributes[safeText(k)] = safeValue(v);
      const d: Decoded = {
        timeMs: time ? jsonTime(time[1], nowMs) : null,
        severityNumber: level.number,
        severityText: level.text,
        // Without a message field the whole object is the message, keys kept in their order.
        body: msg ? (typeof msg[1] === 'string' ? safeText(msg[1]) : stringifyOr(msg[1], s)) : s,
        attributes,
      };
      const component = pick(rec, COMPONENT_KEYS)?.[1];
      if (typeof component === 'string') d.component = component;
      const trace = pick(rec, TRACE_KEYS)?.[1];
      const span = pick(rec, SPAN_KEYS)?.[1];
      if (typeof trace === 'string') d.traceId = trace;
      if (typeof span === 'string') d.spanId = span;
      return d;
    },
  };
}
