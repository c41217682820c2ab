import type { LogRecord } from '../record';
import { fieldSlot, positionSlot, requestRoute } from './slot';

/** Everything a window or session accumulates before it becomes a feature vector. */
export interface Unit {
  stream: string;
  /** Window "<start ISO>/<seconds>s" or the session key. */
  key: string;
  kind: 'window' | 'session';
  startMs: number;
  endMs: number;
  lines: number;
  counts: Map<string, number>;
  /** Lines per OTel severity band: [unspecified, trace, debug, info, warn, error, fatal]. */
  severity: number[];
  /** Sum, sum of squares and count of log1p(|value|) per numeric slot (a message position or a named
   * field, see slot.ts; the squares give the within-unit spread the numeric rule tests a shift against). */
  numeric: Map<string, NumericStat>;
  /** Distinct non-numeric parameter values per slot (slot.ts: addresses, users, routes), a few per
   * slot: the new-values rule counts those never seen. */
  values: Map<string, string[]>;
  /** Highest header severity band per template id (0: its lines carried no level), so a rule can
   * read the level from the message only where the header gave none. */
  levels: Map<string, number>;
  /** Template ids in arrival order (capped), for the LSTM. */
  sequence: string[];
  /**
   * Windows: template ids in arrival order per identifier the lines carry (an order number, a
   * request id), so one request's steps can be read apart from the others interleaved with them.
   */
  keyed: Map<string, string[]>;
  /** The first lines of the unit, and the first line of each template (evidence for explanations). */
  samples: string[];
  examples: Map<string, string>;
  traceIds: string[];
}

export interface NumericStat {
  sum: number;
  sq: number;
  n: number;
}

export const MAX_SEQUENCE = 4096;
const MAX_SAMPLES = 20;
const MAX_TRACE_IDS = 20;
const MAX_EXAMPLES = 200;

export function newUnit(
  stream: string,
  key: string,
  kind: Unit['kind'],
  startMs: number,
  endMs = startMs,
): Unit {
  return {
    stream,
    key,
    kind,
    startMs,
    endMs,
    lines: 0,
    counts: new Map(),
    severity: [0, 0, 0, 0, 0, 0, 0],
    numeric: new Map(),
    values: new Map(),
    levels: new Map(),
    sequence: [],
    keyed: new Map(),
    samples: [],
    examples: new Map(),
    traceIds: [],
  };
}

export function severityBand(n: number): number {
  return n <= 0 ? 0 : Math.min(6, 1 + ((n - 1) >> 2));
}

// Measurements (latencies, sizes, counts, status codes); longer digit runs are ids, not amounts.
const NUMERIC = /^-?\d{1,8}(?:\.\d+)?(?:ms|s|us|µs|ns|kb|mb|gb|b)?$/i;
/** Numbers kept per unit: a field keyed by an unbounded route must not grow a unit without end. */
const MAX_NUMERIC_SLOTS = 128;
/** Bounds on the categorical values a unit keeps: enough to tell one new value from many. */
const MAX_VALUE_SLOTS = 64;
const MAX_VALUES_PER_SLOT = 16;
const MAX_VALUE_LENGTH = 64;
/** Bounds on the keyed sequences of a window. */
const MAX_KEYS = 256;
const MAX_KEYED = 32;
const MAX_KEY_LENGTH = 72;
/**
 * An identifier that names one request or object: letters and at least three digits ("o-52602",
 * "req_8f3a91", "blk_1073741825"), or a long hex id or UUID. Plain numbers are measurements.
 */
const KEY = /^(?=[^\d]*\d[^\d]*\d[^\d]*\d)(?=.*[a-z])[a-z0-9][a-z0-9_-]{3,63}$|^[0-9a-f]{8}-[0-9a-f-]{27}$/i;

/** Adds one mined record to the unit. */
export function addRecord(u: Unit, r: LogRecord, timeMs: number): void {
  const id = r.templateId ?? '';
  u.lines++;
  u.counts.set(id, (u.counts.get(id) ?? 0) + 1);
  const band = severityBand(r.severityNumber);
  u.severity[band] = u.severity[band]! + 1;
  const level = u.levels.get(id);
  if (level === undefined || band > level) u.levels.set(id, band);
  if (timeMs > u.endMs) u.endMs = timeMs;
  if (timeMs < u.startMs && u.kind === 'session') u.startMs = timeMs;
  if (u.sequence.length < MAX_SEQUENCE) u.sequence.push(id);
  const line = r.raw ?? r.body;
  if (u.samples.length < MAX_SAMPLES) u.samples.push(line);
  if (!u.examples.has(id) && u.examples.size < MAX_EXAMPLES) u.examples.set(id, line);
  if (r.traceId && u.traceIds.length < MAX_TRACE_IDS && !u.traceIds.includes(r.traceId))
    u.traceIds.push(r.traceId);
  const params = r.params;
  if (params && u.kind === 'window') addKeyed(u, id, params);
  const route = r.severityNumber < ERROR_SEVERITY ? endpoint(r) : undefined;
  if (params)
    for (let i = 0; i < params.length && i < 8; i++) {
      const p = params[i]!;
      if (p.length <= 24 && NUMERIC.test(p)) {
        addNumber(u, positionSlot(id, i), p);
        if (route !== undefined) addNumber(u, positionSlot(id, i, route), p);
      } else if (p.length <= MAX_VALUE_LENGTH) addValue(u, positionSlot(id, i), p);
    }
  if (r.attributes) addFields(u, id, r.attributes, route);
}

/** Keys naming the endpoint of a request (OpenTelemetry's http.route first): numbers are kept per route too. */
const ROUTE_KEYS = ['http.route', 'route', 'endpoint', 'rpc.method'];
const MAX_FIELDS = 16;
/** Numbered fields that name something (a process, a port, a line) rather than measure it. */
const IDENTIFIER_FIELD = /(?:^|[._-])(?:pid|ppid|tid|uid|gid|id|port|seq|offset|line|lineno|thread)$/i;

/**
 * The endpoint whose numbers a line adds to: the route it names, or its HTTP request line's path.
 * Failed requests (an access log's 5xx) keep theirs out: a timeout's 5 s would hide the endpoint's
 * own latency, and failures are the error share's to judge.
 */
function endpoint(r: LogRecord): string | undefined {
  // Only lines with a path parameter can hold a request line: no regex for the others.
  return (
    routeField(r.attributes) ??
    (r.params?.some((p) => p.charCodeAt(0) === 47) ? requestRoute(r.body) : undefined)
  );
}

/** OpenTelemetry's SeverityNumber of ERROR. */
const ERROR_SEVERITY = 17;

/** The endpoint a structured line names (OpenTelemetry's http.route first). */
function routeField(fields: Record<string, unknown> | undefined): string | undefined {
  if (!fields) return undefined;
  for (const k of ROUTE_KEYS) {
    const v = fields[k];
    if (typeof v === 'string' && v.length <= MAX_VALUE_LENGTH) return v;
  }
  return undefined;
}

/** Named fields of a structured line: numbers (per route as well) and categorical values. */
function addFields(u: Unit, id: string, fields: Record<string, unknown>, route: string | undefined): void {
  let n = 0;
  for (const [k, v] of Object.entries(fields)) {
    if (++n > MAX_FIELDS) break;
    const number =
      !IDENTIFIER_FIELD.test(k) &&
      (typeof v === 'number' ? Number.isFinite(v) : typeof v === 'string' && NUMERIC.test(v));
    if (number) {
      addNumber(u, fieldSlot(id, k), v as number | string);
      if (route !== undefined) addNumber(u, fieldSlot(id, k, route), v as number | string);
    } else if ((typeof v === 'string' || typeof v === 'number') && String(v).length <= MAX_VALUE_LENGTH)
      addValue(u, fieldSlot(id, k), String(v));
  }
}

/** The line's step under the first identifier among its parameters (trailing punctuation cut). */
function addKeyed(u: Unit, id: string, params: string[]): void {
  for (let i = 0; i < params.length && i < 8; i++) {
    const p = params[i]!;
    if (p.length > MAX_KEY_LENGTH) continue;
    const key = p.replace(/[:,;.)\]]+$/, '');
    if (!KEY.test(key)) continue;
    const steps = u.keyed.get(key);
    if (steps) {
      if (steps.length < MAX_KEYED) steps.push(id);
    } else if (u.keyed.size < MAX_KEYS) u.keyed.set(key, [id]);
    return;
  }
}

function addNumber(u: Unit, slot: string, raw: number | string): void {
  const v = Math.log1p(Math.abs(typeof raw === 'number' ? raw : parseFloat(raw)));
  const s = u.numeric.get(slot);
  if (s) {
    s.sum += v;
    s.sq += v * v;
    s.n++;
  } else if (u.numeric.size < MAX_NUMERIC_SLOTS) u.numeric.set(slot, { sum: v, sq: v * v, n: 1 });
}

function addValue(u: Unit, slot: string, v: string): void {
  const vs = u.values.get(slot);
  if (!vs) {
    if (u.values.size < MAX_VALUE_SLOTS) u.values.set(slot, [v]);
  } else if (vs.length < MAX_VALUES_PER_SLOT && !vs.includes(v)) vs.push(v);
}

/** A unit as plain JSON: its maps as entry arrays. */
export type UnitJson = Omit<Unit, 'counts' | 'numeric' | 'values' | 'levels' | 'examples' | 'keyed'> & {
  counts: [string, number][];
  /** `sq` is absent in snapshots written before it existed. */
  numeric: [string, { sum: number; sq?: number; n: number }][];
  /** Absent in snapshots written before they existed. */
  values?: [string, string[]][];
  levels?: [string, number][];
  /** Absent in snapshots written before they existed. */
  keyed?: [string, string[]][];
  examples: [string, string][];
};

export function unitToJson(u: Unit): UnitJson {
  return {
    ...u,
    counts: [...u.counts],
    numeric: [...u.numeric],
    values: [...u.values],
    levels: [...u.levels],
    keyed: [...u.keyed],
    examples: [...u.examples],
  };
}

export function unitFromJson(j: UnitJson): Unit {
  return {
    ...j,
    counts: new Map(j.counts),
    // An old snapshot has no squares: take the unit's values as equal (no spread of its own).
    numeric: new Map(
      j.numeric.map(([slot, v]) => [
        slot,
        { sum: v.sum, sq: v.sq ?? (v.n > 0 ? (v.sum * v.sum) / v.n : 0), n: v.n },
      ]),
    ),
    values: new Map(j.values ?? []),
    levels: new Map(j.levels ?? []),
    keyed: new Map(j.keyed ?? []),
    examples: new Map(j.examples),
  };
}
