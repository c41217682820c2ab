import type { Unit } from '../../features/unit';
import type { Recent } from '../../features/recent-units';
import { slotTemplate } from '../../features/slot';

export type RuleName =
  | 'novelty'
  | 'severity'
  | 'rate_share'
  | 'rate_share_recent'
  | 'numeric'
  | 'numeric_recent'
  | 'new_values'
  | 'silence'
  | 'order'
  | 'order_recent';

export const RULE_NAMES: readonly RuleName[] = [
  'novelty',
  'severity',
  'rate_share',
  'rate_share_recent',
  'numeric',
  'numeric_recent',
  'new_values',
  'silence',
  'order',
  'order_recent',
];

/** Rules that judge a window together with the windows before it (features/recent-units.ts). */
export const RECENT_RULES: readonly RuleName[] = ['rate_share_recent', 'numeric_recent', 'order_recent'];

export interface RuleScore {
  value: number;
  /** What a person acts on, e.g. "error share 4.1 % (normally 0.1 %)". */
  driver?: string;
}

export interface RuleDetector {
  readonly name: RuleName;
  /** Scores the window merged with its stream's recent windows, not the window alone. */
  readonly recent?: boolean;
  /**
   * A statistic per unit, larger = more anomalous, 0 when nothing is unusual: a surprise in
   * decades (-log10 of a tail probability under the stream's training behaviour). It is
   * calibrated later into a p-value on held-back training units, like the models' raw scores.
   * Pure: it reads the detector's state but never changes it. A `recent` rule gets its stream's
   * recent windows merged as `u`, and the latest of them (the window and the two before) as `now`.
   */
  score(u: Unit, now?: Unit): RuleScore;
  /**
   * Advances the detector's running state (warm-up of new templates, when a periodic template was
   * last seen) with a unit that has been scored. Call it once per unit, per stream in time order,
   * after `score`; never for calibration units. Detectors without running state ignore it.
   */
  observe(u: Unit): void;
  toJSON(): unknown;
}

export interface RuleContext {
  /** Text of a template id (known or novel); lexicon and explanations read it. */
  templateText?: (id: string) => string | undefined;
  /** Fewest training units a stream needs for a model of its own; fewer use the pooled one. */
  minStreamUnits?: number;
  /** Every training unit in time, held-back ones included: what rules reading time (the silence
   * rule's periodic gaps) fit on, where the units they are given have holes. */
  timeline?: Unit[];
  /** A training window merged with the training windows before it: what the recent-window rules
   * fit on, so their spread is that of several windows (a nightly burst lasts many). */
  recent?: (u: Unit) => Recent | null;
}

export const DEFAULT_MIN_STREAM_UNITS = 30;

/**
 * One model per stream that had enough training units, and one pooled over all streams for the
 * others (and for streams first seen after training). Keyed by a Map: any stream name works,
 * `constructor` and `__proto__` included.
 */
export class PerStream<M> {
  constructor(
    readonly streams: Map<string, M>,
    readonly pooled: M,
  ) {}

  get(stream: string): M {
    // `has`, not `??`: a stream's own model may be null (nothing to judge), which is not "absent".
    return this.streams.has(stream) ? this.streams.get(stream)! : this.pooled;
  }

  static fit<M>(units: Unit[], ctx: RuleContext, fitOne: (units: Unit[]) => M): PerStream<M> {
    const min = ctx.minStreamUnits ?? DEFAULT_MIN_STREAM_UNITS;
    const byStream = groupByStream(units);
    const streams = new Map<string, M>();
    for (const [stream, us] of byStream) if (us.length >= min) streams.set(stream, fitOne(us));
    return new PerStream(streams, fitOne(units));
  }

  toJSON<J>(one: (m: M) => J): PerStreamJSON<J> {
    return { streams: [...this.streams].map(([s, m]) => [s, one(m)]), pooled: one(this.pooled) };
  }

  static fromJSON<J, M>(json: PerStreamJSON<J>, one: (j: J) => M): PerStream<M> {
    return new PerStream(new Map(json.streams.map(([s, j]) => [s, one(j)])), one(json.pooled));
  }

  /** Template ids of the parameter slots the models watch: detection must extract their parameters. */
  slotTemplates(slots: (m: M) => Iterable<string>): Set<string> {
    const ids = new Set<string>();
    for (const m of [...this.streams.values(), this.pooled])
      for (const slot of slots(m)) ids.add(slotTemplate(slot));
    return ids;
  }
}

export interface PerStreamJSON<J> {
  streams: [string, J][];
  pooled: J;
}

export function groupByStream(units: Unit[]): Map<string, Unit[]> {
  const by = new Map<string, Unit[]>();
  for (const u of units) {
    let a = by.get(u.stream);
    if (!a) by.set(u.stream, (a = []));
    a.push(u);
  }
  return by;
}

/** Template text for explanations: the context's, else the unit's example line, else the id. */
export function describeTemplate(id: string, u: Unit | null, ctx: RuleContext): string {
  const t = ctx.templateText?.(id) ?? u?.examples.get(id) ?? id;
  return t.length > 80 ? t.slice(0, 77) + '...' : t;
}

export function percent(x: number): string {
  const p = x * 100;
  return `${p >= 10 ? p.toFixed(0) : p >= 1 ? p.toFixed(1) : p >= 0.01 ? p.toFixed(2) : p.toPrecision(1)} %`;
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** "over the last 10 min: " for a driver read from a window merged with its recent windows. */
export function overRecent(u: Unit): string {
  const minutes = Math.round((u.endMs - u.startMs) / 60_000);
  return minutes >= 1 ? `over the last ${minutes} min: ` : '';
}

export const NOTHING: RuleScore = Object.freeze({ value: 0 });
