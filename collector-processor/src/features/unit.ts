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
  /** Sum and count of log1p(|value|) per numeric slot "<templateId>#<param index>". */
  numeric: Map<string, { sum: number; n: number }>;
  /** Template ids in arrival order (capped), for the LSTM. */
  sequence: string[];
  /** The first lines of the unit, and the first line of each template (evidence for explanations). */
  samples: string[];
  examples: Map<string, string>;
  traceIds: string[];
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
        s.n++;
      } else u.numeric.set(slot, { sum: v, n: 1 });
    }
  }
}

/** A unit as plain JSON: its maps as entry arrays. */
export type UnitJson = Omit<Unit, 'counts' | 'numeric' | 'examples'> & {
  counts: [string, number][];
  numeric: [string, { sum: number; n: number }][];
  examples: [string, string][];
};

export function unitToJson(u: Unit): UnitJson {
  return { ...u, counts: [...u.counts], numeric: [...u.numeric], examples: [...u.examples] };
}

export function unitFromJson(j: UnitJson): Unit {
  return { ...j, counts: new Map(j.counts), numeric: new Map(j.numeric), examples: new Map(j.examples) };
}
