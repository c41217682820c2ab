import type { Unit } from '../../features/unit';
import { NoveltyRule, fitNovelty, type NoveltyJSON } from './novelty';
import { NewValuesRule, fitNewValues, type NewValuesJSON } from './new-values';
import { NumericRule, fitNumeric, type NumericJSON } from './numeric';
import { OrderRule, fitOrder, type OrderJSON } from './order';
import { RateShareRule, fitRateShare, type RateShareJSON } from './rate-share';
import { RecentUnits, type Recent } from '../../features/recent-units';
import {
  NOTHING,
  RULE_NAMES,
  type RuleContext,
  type RuleDetector,
  type RuleName,
  type RuleScore,
} from './rule';
import { SeverityRule, fitSeverity, type SeverityJSON } from './severity';
import { SilenceRule, fitSilence, type SilenceJSON } from './silence';

export type RuleJSON =
  NoveltyJSON | SeverityJSON | RateShareJSON | NumericJSON | NewValuesJSON | SilenceJSON | OrderJSON;

export interface RulesJSON {
  version: 1;
  rules: RuleJSON[];
}

const FIT: Record<RuleName, (units: Unit[], ctx: RuleContext) => RuleDetector> = {
  novelty: fitNovelty,
  severity: fitSeverity,
  rate_share: fitRateShare,
  rate_share_recent: (units, ctx) => fitRateShare(merged(units, ctx), ctx, true),
  numeric: fitNumeric,
  numeric_recent: (units, ctx) => fitNumeric(merged(units, ctx), ctx, true),
  new_values: fitNewValues,
  silence: fitSilence,
  order: fitOrder,
  // Transitions from the windows themselves: merged windows would count each one ten times.
  order_recent: (units, ctx) => fitOrder(units, ctx, true),
};

function merged(units: Unit[], ctx: RuleContext): Unit[] {
  return ctx.recent ? units.map((u) => ctx.recent!(u)?.span ?? u) : units;
}

/** The rule detectors, fitted together and scored together. */
export class Rules {
  constructor(
    readonly detectors: readonly RuleDetector[],
    /** Each stream's windows before the one scored, for the rules that pool them. */
    private readonly recentUnits = new RecentUnits(),
  ) {}

  get names(): RuleName[] {
    return this.detectors.map((d) => d.name);
  }

  get(name: RuleName): RuleDetector | undefined {
    return this.detectors.find((d) => d.name === name);
  }

  /**
   * Every rule's statistic for the unit (pure: no running state changes). `recent`: the unit merged
   * with its stream's windows before it; by default the ones observed (training passes its own).
   */
  score(u: Unit, recent: Recent | null = this.recentUnits.with(u)): Record<RuleName, RuleScore> {
    const out = {} as Record<RuleName, RuleScore>;
    for (const d of this.detectors)
      out[d.name] = !d.recent ? d.score(u) : recent ? d.score(recent.span, recent.latest) : NOTHING;
    return out;
  }

  /** Advances running state (warm-up, gaps, recent windows) after a unit was scored; per stream in time order. */
  observe(u: Unit): void {
    for (const d of this.detectors) d.observe(u);
    this.recentUnits.push(u);
  }

  /** Whether a template new to the stream's training has warmed up (see NoveltyRule.acquainted). */
  acquainted(u: Unit, id: string): boolean {
    const d = this.get('novelty');
    return d instanceof NoveltyRule && d.acquainted(u, id);
  }

  /** Template ids whose parameters the rules read: detection must extract them. */
  paramTemplates(): Set<string> {
    const out = new Set<string>();
    for (const d of this.detectors)
      if (d instanceof NumericRule || d instanceof NewValuesRule) for (const id of d.templates()) out.add(id);
    return out;
  }

  toJSON(): RulesJSON {
    return { version: 1, rules: this.detectors.map((d) => d.toJSON() as RuleJSON) };
  }
}

/**
 * Fits the rules on training units (the models' fit part, not the units held back to calibrate:
 * the held-back units then show each rule's normal statistics, rare templates included).
 */
export function fitRules(
  units: Unit[],
  ctx: RuleContext = {},
  names: readonly RuleName[] = RULE_NAMES,
): Rules {
  return new Rules(names.map((n) => FIT[n](units, ctx)));
}

export function rulesFromJSON(json: RulesJSON, ctx: RuleContext = {}): Rules {
  if (json.version !== 1) throw new Error(`unsupported rules version ${String(json.version)}`);
  return new Rules(json.rules.map((r) => ruleFromJSON(r, ctx)));
}

export function ruleFromJSON(json: RuleJSON, ctx: RuleContext = {}): RuleDetector {
  switch (json.rule) {
    case 'novelty':
      return NoveltyRule.fromJSON(json, ctx);
    case 'severity':
      return SeverityRule.fromJSON(json, ctx);
    case 'rate_share':
    case 'rate_share_recent':
      return RateShareRule.fromJSON(json, ctx);
    case 'numeric':
    case 'numeric_recent':
      return NumericRule.fromJSON(json, ctx);
    case 'new_values':
      return NewValuesRule.fromJSON(json, ctx);
    case 'silence':
      return SilenceRule.fromJSON(json, ctx);
    case 'order':
    case 'order_recent':
      return OrderRule.fromJSON(json, ctx);
    default:
      throw new Error(`unknown rule ${String((json as { rule: unknown }).rule)}`);
  }
}
