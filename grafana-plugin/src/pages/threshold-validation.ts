import { MODEL_NAMES, type ModelName, type Threshold } from '../api/types';

/** The form keeps what the person typed; numbers are parsed only when validating. */
export interface ThresholdDraft {
  falseAlarmRate: string;
  minScore: string;
  models: Record<ModelName, { enabled: boolean; weight: string }>;
}

export type ThresholdErrors = Partial<
  Record<'falseAlarmRate' | 'minScore' | 'models' | `weight.${ModelName}`, string>
>;

export function toDraft(t: Threshold): ThresholdDraft {
  const models = {} as ThresholdDraft['models'];
  for (const m of MODEL_NAMES)
    models[m] = { enabled: t.models[m]?.enabled ?? true, weight: String(t.models[m]?.weight ?? 1) };
  return { falseAlarmRate: String(t.falseAlarmRate), minScore: String(t.minScore), models };
}

function num(s: string): number {
  return s.trim() === '' ? NaN : Number(s);
}

/** The contract's limits (docs/rest-api.md): 0 < falseAlarmRate < 0.5, minScore 0..100, weight 0..10. */
export function validateThreshold(d: ThresholdDraft): { errors: ThresholdErrors; value: Threshold | null } {
  const errors: ThresholdErrors = {};
  const far = num(d.falseAlarmRate);
  if (!(far > 0 && far < 0.5)) errors.falseAlarmRate = 'Must be greater than 0 and less than 0.5';
  const minScore = num(d.minScore);
  if (!(minScore >= 0 && minScore <= 100)) errors.minScore = 'Must be a number from 0 to 100';
  const models = {} as Threshold['models'];
  for (const m of MODEL_NAMES) {
    const w = num(d.models[m].weight);
    if (!(w >= 0 && w <= 10)) errors[`weight.${m}`] = 'Weight from 0 to 10';
    models[m] = { enabled: d.models[m].enabled, weight: w };
  }
  if (!MODEL_NAMES.some((m) => d.models[m].enabled && num(d.models[m].weight) > 0))
    errors.models = 'Enable at least one model with a weight above 0';
  const ok = Object.keys(errors).length === 0;
  return { errors, value: ok ? { falseAlarmRate: far, minScore, models } : null };
}
