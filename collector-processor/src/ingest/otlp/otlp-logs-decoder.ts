import type { LogRecord } from '../../record';
import { dataRecord, ownValue } from '../../data-keys';
import { validTimeMs } from '../../decode/event-time';
import { ExportLogsServiceRequest, SeverityNumberEnum } from './otlp-logs-schema';

/** A payload that is not a valid ExportLogsServiceRequest: the reason goes back in a 400. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
}

type Obj = Record<string, unknown>;
const UNKNOWN_SERVICE = 'unknown_service';
/**
 * Deepest AnyValue nesting accepted. protobufjs already stops binary payloads at 100 nested
 * messages (protoc's default); JSON gets the same bound here, so a deeply nested body is a 400
 * rather than a stack overflow.
 */
export const MAX_VALUE_DEPTH = 50;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Binary protobuf ExportLogsServiceRequest -> records. */
export function decodeOtlpLogsProto(bytes: Uint8Array): LogRecord[] {
  let request;
  try {
    // longs as strings keep full int64 precision; bytes stay Uint8Array (trace ids -> hex below).
    request = ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(bytes), { longs: String });
  } catch (err) {
    throw new OtlpDecodeError(`invalid protobuf: ${(err as Error).message}`);
  }
  return recordsFromRequest(request);
}

/** OTLP/JSON bytes (UTF-8) -> records; invalid UTF-8 and invalid JSON are decode errors. */
export function decodeOtlpLogsJsonBytes(bytes: Uint8Array): LogRecord[] {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new OtlpDecodeError('invalid UTF-8 in JSON payload');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new OtlpDecodeError(`invalid JSON: ${(err as Error).message}`);
  }
  return decodeOtlpLogsJson(value);
}

/** An already parsed OTLP/JSON ExportLogsServiceRequest object -> records. */
export function decodeOtlpLogsJson(value: unknown): LogRecord[] {
  return recordsFromRequest(value);
}

/*
 * Both encodings arrive here in the same camelCase shape. They differ in three places, handled
 * where they occur: int64 (JSON number or string, protobuf string), trace/span ids (JSON hex,
 * protobuf bytes) and bytes values (JSON base64, protobuf bytes).
 */
function recordsFromRequest(request: unknown): LogRecord[] {
  const out: LogRecord[] = [];
  for (const rl of list(obj(request, 'request'), 'resourceLogs')) {
    const resourceLogs = obj(rl, 'resourceLogs[]');
    const resourceObj = resourceLogs.resource === undefined ? {} : obj(resourceLogs.resource, 'resource');
    const resource = attributes(resourceObj.attributes, 'resource.attributes');
    const serviceName = resource['service.name'];
    const stream = typeof serviceName === 'string' && serviceName !== '' ? serviceName : UNKNOWN_SERVICE;
    for (const sl of list(resourceLogs, 'scopeLogs')) {
      const scopeLogs = obj(sl, 'scopeLogs[]');
      const scope = scopeLogs.scope === undefined ? {} : obj(scopeLogs.scope, 'scope');
      const component = typeof scope.name === 'string' && scope.name !== '' ? scope.name : undefined;
      for (const lr of list(scopeLogs, 'logRecords')) {
        out.push(toRecord(obj(lr, 'logRecords[]'), stream, resource, component, out.length + 1));
      }
    }
  }
  return out;
}

function toRecord(
  lr: Obj,
  stream: string,
  resource: Record<string, unknown>,
  component: string | undefined,
  line: number,
): LogRecord {
  const body = lr.body === undefined || lr.body === null ? null : anyValue(lr.body, 'body');
  const text = body === null ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  const record: LogRecord = {
    stream,
    line,
    timeMs:
      nanosToMs(lr.timeUnixNano, 'timeUnixNano') ??
      nanosToMs(lr.observedTimeUnixNano, 'observedTimeUnixNano'),
    severityNumber: severityNumber(lr.severityNumber),
    severityText: typeof lr.severityText === 'string' ? lr.severityText : '',
    body: text,
    raw: text,
  };
  if (component !== undefined) record.component = component;
  const attrs = attributes(lr.attributes, 'attributes');
  if (Object.keys(attrs).length > 0) record.attributes = attrs;
  if (Object.keys(resource).length > 0) record.resource = resource;
  const traceId = id(lr.traceId, 16, 'traceId');
  if (traceId) record.traceId = traceId;
  const spanId = id(lr.spanId, 8, 'spanId');
  if (spanId) record.spanId = spanId;
  return record;
}

function obj(v: unknown, where: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new OtlpDecodeError(`${where}: expected an object`);
  return v as Obj;
}

function list(parent: Obj, key: string): unknown[] {
  const v = parent[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new OtlpDecodeError(`${key}: expected an array`);
  return v;
}

/**
 * Unix nanoseconds (number, decimal string or Long-as-string) -> ms; 0, absent and a number past
 * year 9999 (a JSON 1e300) -> null, as a time the record does not carry.
 */
function nanosToMs(v: unknown, where: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) throw new OtlpDecodeError(`${where}: invalid time ${v}`);
    return v === 0 ? null : validTimeMs(v / 1e6);
  }
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) {
    const ns = BigInt(v);
    if (ns === 0n) return null;
    // Whole microseconds survive the conversion to a double; that is finer than any log needs.
    return Number(ns / 1000n) / 1000;
  }
  throw new OtlpDecodeError(`${where}: invalid time ${JSON.stringify(v)}`);
}

function severityNumber(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v >= 0 && v <= 24 ? v : 0;
  // protobuf JSON also allows the enum name.
  if (typeof v === 'string') return ownValue(SeverityNumberEnum.values, v) ?? 0;
  return 0;
}

/** Trace/span id: protobuf bytes or JSON hex; all-zero and empty mean "none". */
function id(v: unknown, size: number, where: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  let hex: string;
  if (v instanceof Uint8Array) {
    if (v.length === 0) return undefined;
    hex = Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex');
  } else if (typeof v === 'string' && /^[0-9a-fA-F]*$/.test(v)) {
    hex = v.toLowerCase();
  } else {
    throw new OtlpDecodeError(`${where}: expected a hex string`);
  }
  if (hex.length !== size * 2) throw new OtlpDecodeError(`${where}: expected ${size} bytes`);
  return /^0+$/.test(hex) ? undefined : hex;
}

function attributes(v: unknown, where: string, depth = 0): Record<string, unknown> {
  // Keys are the sender's: `__proto__` must be an attribute, not the object's prototype (which
  // would also make `service.name` readable through it).
  const out = dataRecord<unknown>();
  if (v === undefined || v === null) return out;
  if (!Array.isArray(v)) throw new OtlpDecodeError(`${where}: expected an array`);
  for (const kv of v) {
    // proto3 leaves a field at its default off the wire: a KeyValue without a key has key "".
    const { key = '', value } = obj(kv, where);
    if (typeof key !== 'string') throw new OtlpDecodeError(`${where}: key must be a string`);
    out[key] = value === undefined || value === null ? null : anyValue(value, `${where}.${key}`, depth);
  }
  return out;
}

/** AnyValue -> the plain JSON value it stands for. */
function anyValue(v: unknown, where: string, depth = 0): unknown {
  if (depth >= MAX_VALUE_DEPTH)
    throw new OtlpDecodeError(`${where}: values nested deeper than ${MAX_VALUE_DEPTH}`);
  const o = obj(v, where);
  if (typeof o.stringValue === 'string') return o.stringValue;
  if (typeof o.boolValue === 'boolean') return o.boolValue;
  if (o.intValue !== undefined && o.intValue !== null) return int64(o.intValue, where);
  if (o.doubleValue !== undefined && o.doubleValue !== null) return Number(o.doubleValue);
  if (o.arrayValue !== undefined && o.arrayValue !== null) {
    return list(obj(o.arrayValue, where), 'values').map((x) => anyValue(x, where, depth + 1));
  }
  if (o.kvlistValue !== undefined && o.kvlistValue !== null) {
    return attributes(obj(o.kvlistValue, where).values, where, depth + 1);
  }
  if (o.bytesValue instanceof Uint8Array) return Buffer.from(o.bytesValue).toString('base64');
  if (typeof o.bytesValue === 'string') return o.bytesValue;
  return null;
}

/** int64 as a number when exact, else its decimal string (never a silently rounded number). */
function int64(v: unknown, where: string): number | string {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : v;
  }
  throw new OtlpDecodeError(`${where}: invalid intValue ${JSON.stringify(v)}`);
}
