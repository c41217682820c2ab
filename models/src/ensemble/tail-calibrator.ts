/**
 * Turns a raw anomaly score into a tail probability P(score >= s | normal), estimated on held-back
 * normal units: the conformal p-value (1 + #{calibration >= s}) / (n + 1) up to the largest
 * calibration score, which holds its false-alarm rate for any score distribution; beyond it an
 * exponential tail fitted to the exceedances over the 90th percentile (peaks over threshold), so
 * scores past anything seen still get distinct, ever smaller probabilities.
 */
export interface TailCalibratorJSON {
  sorted: number[];
  /** The largest calibration score: the exponential tail starts there. */
  tailStart: number;
  tailProb: number;
  tailScale: number;
}

const TAIL_QUANTILE = 0.9;

export class TailCalibrator {
  private constructor(private readonly s: TailCalibratorJSON) {}

  /**
   * `minScale`: the slowest-falling tail allowed past the largest score. A statistic that is
   * already a surprise in decades (the rule detectors') passes 1 / ln 10: past every held-back
   * unit its p-value then falls no faster than its own surprise says, where a held-back set of
   * zeros would otherwise give a zero-width tail and p = 0 to the first small surprise.
   */
  static fit(scores: ArrayLike<number>, minScale = 1e-6): TailCalibrator {
    const sorted = Array.from(scores)
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    if (sorted.length === 0) throw new Error('calibration needs at least one finite score');
    const n = sorted.length;
    const q = Math.min(n - 1, Math.floor(TAIL_QUANTILE * n));
    const q90 = sorted[q]!;
    const exceed = sorted.slice(q + 1).filter((v) => v > q90);
    const spread = sorted[n - 1]! - sorted[0]!;
    // Mean excess is the MLE of an exponential tail; floor it so a calibration set with no spread
    // above the quantile (all equal scores) does not give a zero-width tail.
    const meanExcess = exceed.length ? exceed.reduce((a, v) => a + (v - q90), 0) / exceed.length : 0;
    const tailScale = Math.max(meanExcess, spread * 0.01, Math.abs(q90) * 1e-3, minScale);
    return new TailCalibrator({ sorted, tailStart: sorted[n - 1]!, tailProb: 1 / (n + 1), tailScale });
  }

  static fromJSON(json: TailCalibratorJSON): TailCalibrator {
    return new TailCalibrator(json);
  }

  toJSON(): TailCalibratorJSON {
    return this.s;
  }

  /**
   * The p-value of each calibration score against the other n - 1 (a score above all of them
   * in their tail, with this fit's scale): what a new normal unit gets against n scores. A score's
   * p-value against a set that holds it never goes below 1/(n+1), so statistics built from those
   * would miss the tail that new units reach.
   */
  leaveOneOutPValues(scores: ArrayLike<number>): Float64Array {
    const { sorted, tailScale } = this.s;
    const n = sorted.length;
    const out = new Float64Array(scores.length);
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i]!;
      if (!Number.isFinite(s)) {
        out[i] = this.pValue(s);
        continue;
      }
      const others = countAtLeast(sorted, s) - 1;
      out[i] =
        others > 0 || n === 1
          ? (1 + others) / n
          : Math.max(Number.MIN_VALUE, (1 / n) * Math.exp(-(s - sorted[n - 2]!) / tailScale));
    }
    return out;
  }

  /** Tail probability in (0, 1]. */
  pValue(score: number): number {
    if (Number.isNaN(score)) return 1;
    const { sorted, tailStart, tailProb, tailScale } = this.s;
    if (score <= tailStart) return pEmpirical(sorted, score);
    return Math.max(Number.MIN_VALUE, tailProb * Math.exp(-(score - tailStart) / tailScale));
  }
}

/** (1 + #{x >= s}) / (n + 1): the conformal p-value, never zero. */
function pEmpirical(sorted: number[], s: number): number {
  return (1 + countAtLeast(sorted, s)) / (sorted.length + 1);
}

function countAtLeast(sorted: number[], s: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < s) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}
