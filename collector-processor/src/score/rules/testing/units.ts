import { addRecord, newUnit, type Unit } from '../../../features/unit';
import type { LogRecord } from '../../../record';

export const MINUTE = 60_000;
export const T0 = Date.UTC(2024, 4, 1, 0, 0, 0);

/** One line of a synthetic unit: template id, OTel severity number (0 = no header level), params. */
export interface Line {
  id: string;
  sev?: number;
  params?: string[];
  body?: string;
  /** Named fields of a structured line (JSON keys, logfmt pairs, OTLP attributes). */
  fields?: Record<string, unknown>;
}

/** A unit built through `addRecord`, as the assigners build them. */
export function unit(
  stream: string,
  index: number,
  lines: Line[],
  kind: Unit['kind'] = 'window',
  key = `${stream}-${index}`,
): Unit {
  const start = T0 + index * MINUTE;
  const u = newUnit(stream, key, kind, start, start + MINUTE);
  for (const l of lines) {
    const r: LogRecord = {
      stream,
      line: 1,
      timeMs: start,
      severityNumber: l.sev ?? 0,
      severityText: '',
      body: l.body ?? `${l.id} line`,
      templateId: l.id,
      template: l.id,
      params: l.params,
      attributes: l.fields,
    };
    addRecord(u, r, start);
  }
  if (kind === 'window') u.endMs = start + MINUTE;
  return u;
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function rand(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Poisson draw (Knuth for small means, normal approximation above 30). */
export function poisson(r: () => number, mean: number): number {
  if (mean > 30) {
    const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const l = Math.exp(-mean);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > l);
  return k - 1;
}

/**
 * A web service's window: templates at fixed mean rates per window (times `traffic`), lines at
 * the given header severity; `extra` lines appended (the incident or the benign change).
 */
export function webWindow(
  stream: string,
  index: number,
  r: () => number,
  opts: {
    traffic?: number;
    rates?: Record<string, number>;
    sev?: Record<string, number>;
    extra?: Line[];
  } = {},
): Unit {
  const rates = opts.rates ?? { get: 200, post: 60, login: 20, err: 0.3 };
  const lines: Line[] = [];
  for (const [id, rate] of Object.entries(rates)) {
    const n = poisson(r, rate * (opts.traffic ?? 1));
    for (let i = 0; i < n; i++) lines.push({ id, sev: opts.sev?.[id] ?? 9 });
  }
  return unit(stream, index, [...lines, ...(opts.extra ?? [])]);
}

export function repeat(n: number, line: Line): Line[] {
  return Array.from({ length: n }, () => line);
}
