import type { Unit } from '../../features/unit';
import {
  NOTHING,
  PerStream,
  describeTemplate,
  percent,
  type PerStreamJSON,
  type RuleContext,
  type RuleDetector,
  type RuleScore,
} from './rule';
import { binomialUpper } from './surprise';
import { slotInfo, slotTemplate } from '../../features/slot';

/**
 * Fewest distinct new values in one slot of one unit before it is judged: a deploy brings one
 * (its version string), a new endpoint one (its route); stuffing brings an address per login.
 */
const MIN_NEW = 2;
/** Slots whose values are mostly new in training (ids, sessions, ports) cannot surprise by novelty. */
const MAX_NEW_RATE = 0.2;
/** Fewest value observations (distinct per unit, summed) before a slot is watched. */
const MIN_OBSERVATIONS = 20;
/** Most values remembered per slot; a slot with more distinct values in training is not watched. */
const MAX_KNOWN = 5_000;
/** Most slots watched per stream (the most observed). */
const MAX_SLOTS = 64;
const DRIVER_MIN = 1.3;

interface Slot {
  known: Set<string>;
  /** Chance that a value observed in a unit is one never seen before (Good-Turing on training). */
  rate: number;
}

type Model = Map<string, Slot>;

export interface NewValuesJSON {
  rule: 'new_values';
  models: PerStreamJSON<[string, number, string[]][]>;
}

/**
 * Never-seen values of a categorical parameter (client address, user, user agent, route) against
 * how often that parameter brought a new value in training: binomial surprise of the unit's count
 * of distinct new values among its distinct values. Successful logins from many addresses never
 * seen (credential stuffing) are loud; a deploy's one new version string or a new endpoint's one
 * route is not, and a value once seen is known from the next unit on (the warm-up).
 */
export class NewValuesRule implements RuleDetector {
  readonly name = 'new_values' as const;

  constructor(
    private readonly models: PerStream<Model>,
    private readonly ctx: RuleContext = {},
  ) {}

  score(u: Unit): RuleScore {
    const m = this.models.get(u.stream);
    let best = 0;
    let bestSlot = '';
    let bestNew: string[] = [];
    let bestOf = 0;
    for (const [slot, values] of u.values) {
      const s = m.get(slot);
      if (!s) continue;
      const fresh = values.filter((v) => !s.known.has(v));
      if (fresh.length < MIN_NEW) continue;
      const v = binomialUpper(fresh.length, values.length, s.rate);
      if (v > best) {
        best = v;
        bestSlot = slot;
        bestNew = fresh;
        bestOf = values.length;
      }
    }
    if (best <= 0) return NOTHING;
    if (best < DRIVER_MIN) return { value: best };
    return { value: best, driver: this.describe(u, bestSlot, bestNew, bestOf) };
  }

  private describe(u: Unit, slot: string, fresh: string[], of: number): string {
    const id = slotTemplate(slot);
    const name = slotInfo(slot, this.ctx.templateText?.(id) ?? '').name;
    const rate = this.models.get(u.stream).get(slot)!.rate;
    const shown = fresh.slice(0, 3).join(', ') + (fresh.length > 3 ? ', ...' : '');
    return `${fresh.length} of ${of} ${name} values never seen in "${describeTemplate(id, u, this.ctx)}" (normally ${percent(rate)} new): ${shown}`;
  }

  /** A value seen once is known: the second unit with a deploy's version string is quiet. */
  observe(u: Unit): void {
    const m = this.models.get(u.stream);
    for (const [slot, values] of u.values) {
      const s = m.get(slot);
      if (!s) continue;
      for (const v of values) if (s.known.size < MAX_KNOWN) s.known.add(v);
    }
  }

  /** Template ids whose parameters this rule reads: detection must extract them. */
  templates(): Set<string> {
    return this.models.slotTemplates((m) => m.keys());
  }

  toJSON(): NewValuesJSON {
    return {
      rule: 'new_values',
      models: this.models.toJSON((m) => [...m].map(([slot, s]) => [slot, s.rate, [...s.known]])),
    };
  }

  static fromJSON(json: NewValuesJSON, ctx: RuleContext = {}): NewValuesRule {
    return new NewValuesRule(
      PerStream.fromJSON(
        json.models,
        (j: [string, number, string[]][]) =>
          new Map(j.map(([slot, rate, known]) => [slot, { rate, known: new Set(known) }])),
      ),
      ctx,
    );
  }
}

export function fitNewValues(units: Unit[], ctx: RuleContext = {}): NewValuesRule {
  return new NewValuesRule(PerStream.fit(units, ctx, fitModel), ctx);
}

function fitModel(units: Unit[]): Model {
  // Per slot: in how many units each value occurred, and the observations (distinct per unit).
  const unitsWith = new Map<string, Map<string, number>>();
  const observed = new Map<string, number>();
  for (const u of units)
    for (const [slot, values] of u.values) {
      let counts = unitsWith.get(slot);
      if (!counts) unitsWith.set(slot, (counts = new Map()));
      if (counts.size > MAX_KNOWN) continue;
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      observed.set(slot, (observed.get(slot) ?? 0) + values.length);
    }
  const slots: [string, Slot, number][] = [];
  for (const [slot, counts] of unitsWith) {
    const n = observed.get(slot) ?? 0;
    if (counts.size > MAX_KNOWN || n < MIN_OBSERVATIONS) continue;
    let once = 0;
    for (const c of counts.values()) if (c === 1) once++;
    // Good-Turing: values seen in one unit only estimate how often the next value is a new one.
    const rate = (once + 1) / (n + 2);
    if (rate > MAX_NEW_RATE) continue;
    slots.push([slot, { known: new Set(counts.keys()), rate }, n]);
  }
  slots.sort((a, b) => b[2] - a[2]);
  return new Map(slots.slice(0, MAX_SLOTS).map(([slot, s]) => [slot, s]));
}
