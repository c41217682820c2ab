import type { Unit } from '../../features/unit';
import {
  NOTHING,
  PerStream,
  describeTemplate,
  overRecent,
  type PerStreamJSON,
  type RuleContext,
  type RuleDetector,
  type RuleScore,
} from './rule';
import { median, normalUpper } from './surprise';
import { isCounter, isRouteSlot, slotInfo, slotTemplate } from '../../features/slot';
import { ValueDistribution, type ValueDistributionJSON } from './value-distribution';

/** A slot is watched when at least this share of its template's training lines has a number there. */
const NUMERIC_SHARE = 0.9;
/** Fewest training units with values in the slot, and fewest values. */
const MIN_UNITS = 5;
const MIN_VALUES = 20;
/** Most slots watched per stream (the most frequent). */
const MAX_SLOTS = 256;
/**
 * Smallest shift that counts, a share of the value (0.1 = 10 %): without it a very steady slot seen
 * many times per unit would flag a 2 % wobble.
 */
const MIN_SHIFT = 0.1;

/**
 * What a relative change of the value is in log1p units at the slot's center, as a share of the
 * same change in ln units: 1 for large values (log1p is ln there), less for values below one (a
 * latency in seconds: 0.05 s x3 moves log1p by 0.09, not by ln 3). Floored for slots near zero.
 */
function logScale(center: number): number {
  return Math.max(0.05, 1 - Math.exp(-center));
}
const DRIVER_MIN = 1.3;
/**
 * Slowest fall allowed past the last training mean (ln units per e-fold): a guard for slots whose
 * means were all equal; the normal surprise, which also counts, already asks for MIN_SHIFT.
 */
const MIN_TAIL_SCALE = 0.01;

interface Slot {
  /** Median over training units of the unit's mean log1p value. */
  center: number;
  /** Variance of one value around its unit's mean (pooled within units). */
  within: number;
  /** Variance of unit means beyond what `within` explains (the slot drifting during the day). */
  between: number;
  /** The training unit means themselves (absent in bundles written before they were kept). */
  means?: ValueDistribution;
}

interface Model {
  slots: Map<string, Slot>;
}

type SlotJSON = [string, number, number, number, ValueDistributionJSON?];

export interface NumericJSON {
  rule: 'numeric' | 'numeric_recent';
  models: PerStreamJSON<SlotJSON[]>;
}

/**
 * Numeric parameters (latencies, sizes, status codes) per template slot: the unit's mean of
 * log1p(value) against the slot's training unit means, two ways, and the less surprised of them
 * counts. As a two-sided normal surprise around their median, with the slot's within-unit spread
 * (shrinking with the unit's count: one slow request in a quiet window is no shift) and
 * between-unit spread (median/MAD: robust to a few incident units in the baseline). And against
 * the means themselves (their quantiles, ValueDistribution), so a value the baseline holds now and
 * then (a file's short last block) is as rare as it was there, not as rare as a normal curve says.
 * Request time x3 on one endpoint moves ln 3 = 1.1, past every training mean; the same traffic at
 * 2.5x volume moves nothing.
 *
 * Detection only sees the parameters of templates the scorer asks the miner for: `slots()` lists
 * this rule's, so the pipeline can extract them as well.
 *
 * `recent` (numeric_recent): an endpoint's numbers (latency, size per route) in the window merged
 * with its stream's recent windows, fitted on training windows merged alike, for endpoints called
 * once or twice a window. Per endpoint only: those are per-request measurements, whose sustained
 * shift is the incident; a queue's depth or a job's item count follows the load.
 */
export class NumericRule implements RuleDetector {
  readonly name: 'numeric' | 'numeric_recent';

  constructor(
    private readonly models: PerStream<Model>,
    private readonly ctx: RuleContext = {},
    readonly recent = false,
  ) {
    this.name = recent ? 'numeric_recent' : 'numeric';
  }

  score(u: Unit, now?: Unit): RuleScore {
    if (u.numeric.size === 0) return NOTHING;
    const m = this.models.get(u.stream);
    let best = 0;
    let bestSlot = '';
    let bestMean = 0;
    for (const [slot, v] of u.numeric) {
      const s = m.slots.get(slot);
      if (!s || v.n === 0) continue;
      const mean = v.sum / v.n;
      const scale = logScale(s.center);
      const least = MIN_SHIFT * scale;
      const spread = Math.sqrt(s.within / v.n + s.between + least * least);
      const z = Math.abs(mean - s.center) / spread;
      if (z < 2 || (now && !stillShifted(now.numeric.get(slot), mean, s.center))) continue;
      const normal = normalUpper(z) - Math.LOG10E * Math.LN2;
      const val = s.means ? Math.min(normal, s.means.surprise(mean, MIN_TAIL_SCALE * scale)) : normal;
      if (val > best) {
        best = val;
        bestSlot = slot;
        bestMean = mean;
      }
    }
    if (best <= 0) return NOTHING;
    if (best < DRIVER_MIN) return { value: best };
    return { value: best, driver: this.describe(u, bestSlot, bestMean, m.slots.get(bestSlot)!.center) };
  }

  observe(): void {}

  /** Template ids whose parameters this rule reads (the miner must extract them at detection). */
  templates(): Set<string> {
    return this.models.slotTemplates((m) => m.slots.keys());
  }

  private describe(u: Unit, slot: string, mean: number, center: number): string {
    const id = slotTemplate(slot);
    const p = slotInfo(slot, this.ctx.templateText?.(id) ?? '', u.examples.get(id));
    const now = formatValue(Math.expm1(mean), p.suffix);
    const normal = formatValue(Math.expm1(center), p.suffix);
    const route = p.route === undefined ? '' : ` of ${p.route}`;
    return `${this.recent ? overRecent(u) : ''}mean of ${p.name}${route} for "${describeTemplate(id, u, this.ctx)}" ${now} (normally ${normal})`;
  }

  toJSON(): NumericJSON {
    return {
      rule: this.name,
      models: this.models.toJSON((m) =>
        [...m.slots].map(([k, s]): SlotJSON => [k, s.center, s.within, s.between, s.means?.toJSON()]),
      ),
    };
  }

  static fromJSON(json: NumericJSON, ctx: RuleContext = {}): NumericRule {
    return new NumericRule(
      PerStream.fromJSON(json.models, (j: SlotJSON[]) => ({
        slots: new Map(
          j.map(([k, center, within, between, means]) => [
            k,
            { center, within, between, means: means ? ValueDistribution.fromJSON(means) : undefined },
          ]),
        ),
      })),
      ctx,
      json.rule === 'numeric_recent',
    );
  }
}

export function fitNumeric(units: Unit[], ctx: RuleContext = {}, recent = false): NumericRule {
  return new NumericRule(
    PerStream.fit(units, ctx, (us) => fitModel(us, recent ? isRouteSlot : () => true)),
    ctx,
    recent,
  );
}

function fitModel(units: Unit[], watch: (slot: string) => boolean): Model {
  const lines = new Map<string, number>();
  const bySlot = new Map<
    string,
    { means: number[]; times: number[]; ns: number[]; ss: number; df: number; n: number }
  >();
  for (const u of units) {
    for (const [id, c] of u.counts) lines.set(id, (lines.get(id) ?? 0) + c);
    for (const [slot, v] of u.numeric) {
      if (v.n === 0 || !watch(slot)) continue;
      let a = bySlot.get(slot);
      if (!a) bySlot.set(slot, (a = { means: [], times: [], ns: [], ss: 0, df: 0, n: 0 }));
      const mean = v.sum / v.n;
      a.means.push(mean);
      a.times.push(u.startMs);
      a.ns.push(v.n);
      a.ss += Math.max(0, v.sq - v.sum * mean);
      a.df += v.n - 1;
      a.n += v.n;
    }
  }
  const kept = [...bySlot]
    .filter(([slot, a]) => {
      // A number per endpoint is watched however small its endpoint's share of the template's lines.
      const total = slot.includes('|') ? 0 : (lines.get(slotTemplate(slot)) ?? 0);
      if (a.means.length < MIN_UNITS || a.n < MIN_VALUES || a.n < NUMERIC_SHARE * total) return false;
      return !isCounter(a.times, a.means);
    })
    .sort((x, y) => y[1].n - x[1].n || (x[0] < y[0] ? -1 : 1))
    .slice(0, MAX_SLOTS);
  const slots = new Map<string, Slot>();
  for (const [slot, a] of kept) {
    const center = median(a.means);
    const within = a.df > 0 ? a.ss / a.df : 0;
    const mad = median(a.means.map((x) => Math.abs(x - center))) * 1.4826;
    const sampling = median(a.ns.map((n) => within / n));
    slots.set(slot, {
      center,
      within,
      between: Math.max(0, mad * mad - sampling),
      means: ValueDistribution.fit(a.means),
    });
  }
  return { slots };
}

/**
 * Whether the window itself still carries the recent windows' shift (at least half of it, the same
 * way): once a slow spell has ended, its values would otherwise keep paging until they age out.
 */
function stillShifted(v: { sum: number; n: number } | undefined, mean: number, center: number): boolean {
  return v !== undefined && v.n > 0 && (v.sum / v.n - center) / (mean - center) >= 0.5;
}

function formatValue(x: number, suffix: string): string {
  const v = Math.abs(x) >= 100 ? Math.round(x).toString() : x.toPrecision(2);
  return suffix ? `${v} ${suffix}` : v;
}
