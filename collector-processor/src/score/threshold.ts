import { scoreFromP, type ModelSettings } from '@logsieve/models';

/**
 * When a unit is an anomaly, for one stream: two limits, both must be passed. `minScore` is the
 * 0-100 score a person reads; `falseAlarmRate` bounds the unit's tail probability itself, so a rate
 * below 1/10,000 (where scores stop at 100) still tells units apart. Whichever is stricter decides.
 */
export interface UnitThreshold {
  minScore: number;
  /** Absent: the score alone decides (bundles' defaults agree with their own minScore). */
  falseAlarmRate?: number;
  models: ModelSettings;
}

/** The ensemble's verdict on one unit: tail probability under normal data and its 0-100 score. */
export interface Verdict {
  p: number;
  score: number;
}

export function passes(v: Verdict, t: Pick<UnitThreshold, 'minScore' | 'falseAlarmRate'>): boolean {
  return v.score >= t.minScore && (t.falseAlarmRate === undefined || v.p <= t.falseAlarmRate);
}

/** The score from which a single model's own 0-100 score counts as flagging (metrics, per-model views). */
export function flaggingScore(t: Pick<UnitThreshold, 'minScore' | 'falseAlarmRate'>): number {
  if (t.falseAlarmRate === undefined) return t.minScore;
  return Math.max(t.minScore, scoreFromP(t.falseAlarmRate));
}
