import type { Unit } from '../../features/unit';
import { NoveltyRule, fitNovelty, type NoveltyJSON } from './novelty';
import { NewValuesRule, fitNewValues, type NewValuesJSON } from './new-values';
import { NumericRule, fitNumeric, type NumericJSON } from './numeric';
import { OrderRule, fitOrder, type OrderJSON } from './order';
import { RateShareRule, fitRateShare, type RateShareJSON } from './rate-share';
import { RULE_NAMES, type RuleContext, type RuleDetector, type RuleName, type RuleScore } from './rule';
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
  numeric: fitNumeric,
  new_values: fitNewValues,
  silence: fitSilence,
  order: fitOrder,
};

/** The rule detectors, fitted together and scored together. */
export class Rules {
  constructor(readonly detectors: readonly RuleDetector[]) {}

  get names(): RuleName[] {
    return this.detectors.map((d) => d.name);
  }

  get(name: RuleName): RuleDetector | undefined {
    return this.detectors.find((d) => d.name === name);
  }

  /** Every rule's statistic for the unit (pure: no running state changes). */
  score(u: Unit): Record<RuleName, RuleScore> {
    const out = {} as Record<RuleName, RuleScore>;
    for (const d of this.detectors) out[d.name] = d.score(u);
    return out;
  }

  /** Advances running state (warm-up, gaps) after a unit was scored; per stream in time order. */
  observe(u: Unit): void {
    for (const d of this.detectors) d.observe(u);
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
      return RateShareRule.fromJSON(json, ctx);
    case 'numeric':
      return NumericRule.fromJSON(json, ctx);
    case 'new_values':
      return NewValuesRule.fromJSON(json, ctx);
    case 'silence':
      return SilenceRule.fromJSON(json, ctx);
    case 'order':
      return OrderRule.fromJSON(json, ctx);
    default:
      throw new Error(`unknown rule ${String((json as { rule: unknown }).rule)}`);
  }
}
