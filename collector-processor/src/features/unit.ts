import type { LogRecord } from '../record';

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
  /** Sum, sum of squares and count of log1p(|value|) per numeric slot "<templateId>#<param index>"
   * (the squares give the within-unit spread the numeric rule tests a shift against). */
  numeric: Map<string, NumericStat>;
  /** Highest header severity band per template id (0: its lines carried no level), so a rule can
   * read the level from the message only where the header gave none. */
  levels: Map<string, number>;
  /** Template ids in arrival order (capped), for the LSTM. */
  sequence: string[];
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
    levels: new Map(),
    sequence: [],
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
  if (params) {
    for (let i = 0; i < params.length && i < 8; i++) {
      const p = params[i]!;
      if (p.length > 24 || !NUMERIC.test(p)) continue;
      const slot = `${id}#${i}`;
      const s = u.numeric.get(slot);
      const v = Math.log1p(Math.abs(parseFloat(p)));
      if (s) {
        s.sum += v;
        s.sq += v * v;
        s.n++;
      } else u.numeric.set(slot, { sum: v, sq: v * v, n: 1 });
    }
  }
}

/** A unit as plain JSON: its maps as entry arrays. */
export type UnitJson = Omit<Unit, 'counts' | 'numeric' | 'levels' | 'examples'> & {
  counts: [string, number][];
  /** `sq` is absent in snapshots written before it existed. */
  numeric: [string, { sum: number; sq?: number; n: number }][];
  /** Absent in snapshots written before it existed. */
  levels?: [string, number][];
  examples: [string, string][];
};

export function unitToJson(u: Unit): UnitJson {
  return {
    ...u,
    counts: [...u.counts],
    numeric: [...u.numeric],
    levels: [...u.levels],
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
    levels: new Map(j.levels ?? []),
    examples: new Map(j.examples),
  };
}
