import { TailCalibrator, type TailCalibratorJSON } from './tail-calibrator';
import { scoreFromP } from './score-scale';

/** Tail scale of a statistic measured in decades of surprise (the rule detectors'): ln-units per decade. */
const DECADE = 1 / Math.LN10;
/** The tail level at which held-back units measure the effective number of tests. */
const MULTIPLICITY_LEVEL = 0.01;

export const MODEL_NAMES = ['isolation_forest', 'one_class_svm', 'lof', 'autoencoder', 'lstm'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export type ModelScores = Record<ModelName, number>;

export interface ModelSetting {
  enabled: boolean;
  weight: number;
}
export type ModelSettings = Record<ModelName, ModelSetting>;

export function defaultModelSettings(): ModelSettings {
  return Object.fromEntries(MODEL_NAMES.map((m) => [m, { enabled: true, weight: 1 }])) as ModelSettings;
}

export interface EnsembleJSON {
  calibrators: Record<ModelName, TailCalibratorJSON>;
  /** Per-model -ln p of every held-back unit against the others: the combined score is
   * recalibrated from these when weights change, so a new setting keeps its false-alarm rate
   * without retraining. */
  heldOut: Record<ModelName, number[]>;
  /** Rule detectors beside the models (never-seen templates, severity, rates...), calibrated alike. */
  rules?: Record<string, TailCalibratorJSON>;
  /**
   * The effective number of independent tests among the models' sum, their pair and the rules,
   * measured on the held-back units (see effectiveTests). Absent in older bundles: the Bonferroni
   * count, sum + pair + rules, applies.
   */
  multiplicity?: number;
}

export interface EnsembleResult {
  /** Each model's own calibrated 0-100 score. */
  models: ModelScores;
  /** Each rule detector's own calibrated 0-100 score (empty without rules). */
  rules: Record<string, number>;
  /** Tail probability of the weighted combination, calibrated on held-back normal units. */
  p: number;
  score: number;
}

/**
 * Calibrates each detector's raw score into a tail probability on held-back normal units, turns it
 * into evidence (decades of improbability) and reads the weighted evidence of the enabled models
 * two ways. Summed (Fisher's method: several members a little surprised), the sum itself
 * calibrated on the held-back units, each scored against the others, so it sees the spread a new
 * normal unit has and correlated detectors cannot inflate the false-alarm rate. And by its two
 * strongest members (two sure while the rest see nothing, which a sum dilutes with the others'
 * noise). The smallest of those two and each rule's p-value, times the effective number of tests
 * (effectiveTests), is the unit's p-value.
 */
export class Ensemble {
  private readonly calibrators: Record<ModelName, TailCalibrator>;
  private readonly combined = new Map<string, TailCalibrator>();
  private readonly ruleCalibrators = new Map<string, TailCalibrator>();

  private constructor(private readonly s: EnsembleJSON) {
    this.calibrators = Object.fromEntries(
      MODEL_NAMES.map((m) => [m, TailCalibrator.fromJSON(s.calibrators[m])]),
    ) as Record<ModelName, TailCalibrator>;
    for (const [r, c] of Object.entries(s.rules ?? {}))
      this.ruleCalibrators.set(r, TailCalibrator.fromJSON(c));
  }

  /** Names of the rule detectors this ensemble was calibrated with. */
  get ruleNames(): string[] {
    return [...this.ruleCalibrators.keys()];
  }

  /**
   * `heldOutRaw[m][i]`: raw score of model m on held-back normal unit i; `rulesRaw[r][i]` the same
   * for rule detector r.
   */
  static fit(
    heldOutRaw: Record<ModelName, ArrayLike<number>>,
    rulesRaw?: Record<string, ArrayLike<number>>,
  ): Ensemble {
    const calibrators = {} as Record<ModelName, TailCalibratorJSON>;
    const heldOut = {} as Record<ModelName, number[]>;
    for (const m of MODEL_NAMES) {
      const raw = heldOutRaw[m];
      if (!raw || raw.length === 0) throw new Error(`no held-back scores for model ${m}`);
      const cal = TailCalibrator.fit(raw);
      calibrators[m] = cal.toJSON();
      heldOut[m] = Array.from(cal.leaveOneOutPValues(raw), (p) => -Math.log(p));
    }
    const json: EnsembleJSON = { calibrators, heldOut };
    if (rulesRaw && Object.keys(rulesRaw).length > 0)
      json.rules = Object.fromEntries(
        Object.entries(rulesRaw).map(([r, scores]) => [r, TailCalibrator.fit(scores, DECADE).toJSON()]),
      );
    const ensemble = new Ensemble(json);
    json.multiplicity = ensemble.effectiveTests(rulesRaw ?? {});
    return ensemble;
  }

  static fromJSON(json: EnsembleJSON): Ensemble {
    return new Ensemble(json);
  }

  toJSON(): EnsembleJSON {
    return this.s;
  }

  get heldOutUnits(): number {
    return this.s.heldOut[MODEL_NAMES[0]].length;
  }

  modelP(model: ModelName, raw: number): number {
    return this.calibrators[model].pValue(raw);
  }

  score(
    raw: ModelScores,
    settings: ModelSettings = defaultModelSettings(),
    rulesRaw: Record<string, number> = {},
  ): EnsembleResult {
    const models = {} as ModelScores;
    const evidence = {} as ModelScores;
    for (const m of MODEL_NAMES) {
      const p = this.calibrators[m].pValue(raw[m]);
      models[m] = round2(scoreFromP(p));
      evidence[m] = -Math.log10(p);
    }
    const pSum = this.combinedCalibrator(settings).pValue(combine(evidence, settings));
    // The strongest of the models' joint evidence and each rule's: a never-seen FATAL line or an
    // error share x40 is not diluted by members that see nothing (it would be in one sum).
    let smallest = Math.min(pSum, pairP(evidence, settings));
    const rules: Record<string, number> = {};
    for (const [r, cal] of this.ruleCalibrators) {
      const p = cal.pValue(rulesRaw[r] ?? 0);
      rules[r] = round2(scoreFromP(p));
      smallest = Math.min(smallest, p);
    }
    const p = Math.min(1, smallest * this.multiplicity);
    return { models, rules, p, score: round2(scoreFromP(p)) };
  }

  /** What the smallest p-value is multiplied by to be a p-value again. */
  get multiplicity(): number {
    return this.s.multiplicity ?? this.tests;
  }

  /** Sum, pair and each rule: the smallest of k p-values times k is valid whatever their dependence. */
  private get tests(): number {
    return 2 + this.ruleCalibrators.size;
  }

  /**
   * How many tests the smallest p-value really is the minimum of. Bonferroni's k holds whatever
   * the dependence but charges the sum and the pair (one evidence read twice) and rules that are
   * silent on normal data as if each were a separate chance of a false alarm: a decade of
   * sensitivity with five rules. So count instead how often the smallest p-value of a held-back unit
   * (each scored against the others) falls at a level many units can show, and divide by what one
   * test would give there: (1 + count) / (n t), between 1 and k. Read at 1 % (ten units per
   * thousand, or ten units), not at the threshold itself, so no single held-back unit sets it.
   */
  private effectiveTests(rulesRaw: Record<string, ArrayLike<number>>): number {
    const n = this.heldOutUnits;
    if ([...this.ruleCalibrators.keys()].some((r) => rulesRaw[r]?.length !== n)) return this.tests;
    const level = Math.min(0.2, Math.max(MULTIPLICITY_LEVEL, 10 / n));
    const settings = defaultModelSettings();
    const smallest = this.combinedCalibrator(settings).leaveOneOutPValues(this.heldOutModelStats(settings));
    const ev = {} as ModelScores;
    for (let i = 0; i < n; i++) {
      for (const m of MODEL_NAMES) ev[m] = this.s.heldOut[m][i]! / Math.LN10;
      smallest[i] = Math.min(smallest[i]!, pairP(ev, settings));
    }
    for (const [r, cal] of this.ruleCalibrators) {
      const p = cal.leaveOneOutPValues(rulesRaw[r]!);
      for (let i = 0; i < n; i++) smallest[i] = Math.min(smallest[i]!, p[i]!);
    }
    const below = smallest.filter((p) => p <= level).length;
    return Math.min(this.tests, Math.max(1, (1 + below) / (n * level)));
  }

  private combinedCalibrator(settings: ModelSettings): TailCalibrator {
    const key = settingsKey(settings);
    let cal = this.combined.get(key);
    if (!cal) {
      cal = TailCalibrator.fit(this.heldOutModelStats(settings));
      this.combined.set(key, cal);
    }
    return cal;
  }

  /** The summed statistic of every held-back unit, from its models' evidence against the others. */
  private heldOutModelStats(settings: ModelSettings): Float64Array {
    if (!MODEL_NAMES.some((m) => settings[m].enabled && settings[m].weight > 0)) {
      throw new Error('at least one model must be enabled with a positive weight');
    }
    const n = this.heldOutUnits;
    const stats = new Float64Array(n);
    const ev = {} as ModelScores;
    for (let i = 0; i < n; i++) {
      for (const m of MODEL_NAMES) ev[m] = this.s.heldOut[m][i]! / Math.LN10;
      stats[i] = combine(ev, settings);
    }
    return stats;
  }
}

function settingsKey(settings: ModelSettings): string {
  return MODEL_NAMES.map((m) => (settings[m].enabled ? settings[m].weight : 0)).join(',');
}

/** Weighted sum of the enabled models' evidence (Fisher's statistic, up to a constant factor). */
export function combine(evidence: ModelScores, settings: ModelSettings): number {
  let sum = 0;
  for (const m of MODEL_NAMES)
    if (settings[m].enabled && settings[m].weight > 0) sum += settings[m].weight * evidence[m];
  return sum;
}

/**
 * The second-smallest p-value of the enabled members times half their number: by Ruger's bound,
 * P(two of n members at p <= t) <= n t / 2 whatever their dependence, so the result is a valid
 * p-value. It rests on each member's own calibration, never on the few held-back units where some
 * member happens to be extreme, and one member alone (whose far tail is an extrapolation, and
 * whose oddities the others do not share) cannot raise it: that needs the sum.
 */
export function pairP(evidence: ModelScores, settings: ModelSettings): number {
  const ev: number[] = [];
  for (const m of MODEL_NAMES)
    if (settings[m].enabled && settings[m].weight > 0) ev.push(settings[m].weight * evidence[m]);
  ev.sort((x, y) => y - x);
  const k = Math.min(2, ev.length);
  return Math.min(1, (ev.length / k) * 10 ** -ev[k - 1]!);
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
