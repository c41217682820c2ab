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
  /** Per-model -ln p of every held-back unit against the others: the combined score is
   * recalibrated from these when weights change, so a new setting keeps its false-alarm rate
   * without retraining. */
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
 * into evidence (decades of improbability) and sums the weighted evidence over the enabled models
 * (Fisher's method). The sum is itself calibrated on the held-back units, each scored against the
 * others, so it sees the same spread of evidence a new normal unit has, and correlated detectors
 * cannot inflate the false-alarm rate: the threshold keeps its promised rate, and one detector
 * that is sure (far past every held-back unit) can raise an alarm the others miss.
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
      heldOut[m] = Array.from(cal.leaveOneOutPValues(raw), (p) => -Math.log(p));
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

  score(raw: ModelScores, settings: ModelSettings = defaultModelSettings()): EnsembleResult {
    const models = {} as ModelScores;
    const evidence = {} as ModelScores;
    for (const m of MODEL_NAMES) {
      const p = this.calibrators[m].pValue(raw[m]);
      models[m] = round2(scoreFromP(p));
      evidence[m] = -Math.log10(p);
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
        for (const m of MODEL_NAMES) ev[m] = this.s.heldOut[m][i]! / Math.LN10;
        stats[i] = combine(ev, settings);
      }
      cal = TailCalibrator.fit(stats);
      this.combined.set(key, cal);
    }
    return cal;
  }
}

/** Weighted sum of the enabled models' evidence (Fisher's statistic, up to a constant factor). */
export function combine(evidence: ModelScores, settings: ModelSettings): number {
  let sum = 0;
  for (const m of MODEL_NAMES)
    if (settings[m].enabled && settings[m].weight > 0) sum += settings[m].weight * evidence[m];
  return sum;
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
