import { TailCalibrator, type TailCalibratorJSON } from './tail-calibrator';
import { scoreFromP } from './score-scale';

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
  /** Per-model -ln p of every held-back unit: the combined score is recalibrated from these when
   * weights change, so a new setting keeps its false-alarm rate without retraining. */
  heldOut: Record<ModelName, number[]>;
}

export interface EnsembleResult {
  /** Each model's own calibrated 0-100 score. */
  models: ModelScores;
  /** Tail probability of the weighted combination, calibrated on held-back normal units. */
  p: number;
  score: number;
}

/**
 * Calibrates each detector's raw score into a tail probability on held-back normal units, turns it
 * into evidence (decades of improbability, capped where the held-back set can no longer resolve
 * it), and combines the evidence as its second largest value over the enabled models: an alarm
 * needs two detectors that agree, so one detector's blind spot (a benign but novel unit that only
 * the autoencoder or only the isolation forest finds strange) cannot page anyone alone. The
 * combination is itself calibrated on the held-back units, so correlated detectors cannot inflate
 * the false-alarm rate. Weights scale each model's evidence before the ranking.
 */
export class Ensemble {
  private readonly calibrators: Record<ModelName, TailCalibrator>;
  private readonly combined = new Map<string, TailCalibrator>();

  private constructor(private readonly s: EnsembleJSON) {
    this.calibrators = Object.fromEntries(
      MODEL_NAMES.map((m) => [m, TailCalibrator.fromJSON(s.calibrators[m])]),
    ) as Record<ModelName, TailCalibrator>;
  }

  /** `heldOutRaw[m][i]`: raw score of model m on held-back normal unit i. */
  static fit(heldOutRaw: Record<ModelName, ArrayLike<number>>): Ensemble {
    const calibrators = {} as Record<ModelName, TailCalibratorJSON>;
    const heldOut = {} as Record<ModelName, number[]>;
    for (const m of MODEL_NAMES) {
      const raw = heldOutRaw[m];
      if (!raw || raw.length === 0) throw new Error(`no held-back scores for model ${m}`);
      const cal = TailCalibrator.fit(raw);
      calibrators[m] = cal.toJSON();
      heldOut[m] = Array.from(raw, (v) => -Math.log(cal.pValue(v)));
    }
    return new Ensemble({ calibrators, heldOut });
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

  /**
   * Most decades of improbability one model may contribute: ten times past what n held-back units
   * resolve, and never less than four (score 100), so a small baseline can still reach the threshold.
   */
  get evidenceCap(): number {
    return Math.max(4, Math.log10(10 * (this.heldOutUnits + 1)));
  }

  score(raw: ModelScores, settings: ModelSettings = defaultModelSettings()): EnsembleResult {
    const models = {} as ModelScores;
    const evidence = {} as ModelScores;
    for (const m of MODEL_NAMES) {
      const p = this.calibrators[m].pValue(raw[m]);
      models[m] = round2(scoreFromP(p));
      evidence[m] = Math.min(this.evidenceCap, -Math.log10(p));
    }
    const p = this.combinedCalibrator(settings).pValue(combine(evidence, settings));
    return { models, p, score: round2(scoreFromP(p)) };
  }

  private combinedCalibrator(settings: ModelSettings): TailCalibrator {
    const key = MODEL_NAMES.map((m) => (settings[m].enabled ? settings[m].weight : 0)).join(',');
    let cal = this.combined.get(key);
    if (!cal) {
      if (!MODEL_NAMES.some((m) => settings[m].enabled && settings[m].weight > 0)) {
        throw new Error('at least one model must be enabled with a positive weight');
      }
      const n = this.heldOutUnits;
      const stats = new Float64Array(n);
      const ev = {} as ModelScores;
      for (let i = 0; i < n; i++) {
        for (const m of MODEL_NAMES) ev[m] = Math.min(this.evidenceCap, this.s.heldOut[m][i]! / Math.LN10);
        stats[i] = combine(ev, settings);
      }
      cal = TailCalibrator.fit(stats);
      this.combined.set(key, cal);
    }
    return cal;
  }
}

/** Second largest weighted evidence among the enabled models (the only one when just one is enabled). */
export function combine(evidence: ModelScores, settings: ModelSettings): number {
  const v = MODEL_NAMES.filter((m) => settings[m].enabled && settings[m].weight > 0)
    .map((m) => settings[m].weight * evidence[m])
    .sort((a, b) => b - a);
  return v.length === 0 ? 0 : (v[1] ?? v[0]!);
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
