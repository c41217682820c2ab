import { MODEL_NAMES, type ModelName } from './ensemble';

export interface ConsensusTrimOptions {
  /** A unit is extreme for a model when it is in the model's top `top` share of the units kept. */
  top?: number;
  /** Models that must find a unit extreme at once (default: all). */
  votes?: number;
  /** At most this share of the units is ever left out (a baseline holding more is not a baseline). */
  maxShare?: number;
  /** Units never left out (they still count in the quantiles). */
  keep?: (i: number) => boolean;
}

const TOP = 0.03;
const MAX_SHARE = 0.1;
const MAX_ROUNDS = 10;

/**
 * The units of a baseline that look like incidents: extreme for (nearly) every model at once. Real
 * baselines hold a few incidents; left in, they teach the models their pattern and, held back for
 * calibration, they set the threshold at their own level, so the next incident of that kind scores
 * as normal. Rare normal units are extreme for some models but seldom for all, which is what
 * separates the two without labels. Repeated on what is left until nothing more is found, since
 * a cluster of incidents hides its own members from the quantiles.
 *
 * `raw[m][i]`: raw score of model m on unit i (larger = more anomalous). Returns the indices left out.
 */
export function consensusOutliers(
  raw: Record<ModelName, ArrayLike<number>>,
  opts: ConsensusTrimOptions = {},
): Set<number> {
  const models = MODEL_NAMES.filter((m) => raw[m] && raw[m].length > 0);
  const n = models.length ? raw[models[0]!].length : 0;
  const top = opts.top ?? TOP;
  const votes = opts.votes ?? models.length;
  const budget = Math.floor(n * (opts.maxShare ?? MAX_SHARE));
  const out = new Set<number>();
  // Too few units for a top share to mean anything.
  if (n < 2 / top || models.length === 0) return out;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const cut = models.map((m) => upperQuantile(raw[m], out, top));
    const found: number[] = [];
    for (let i = 0; i < n; i++) {
      if (out.has(i) || opts.keep?.(i)) continue;
      let v = 0;
      for (let k = 0; k < models.length; k++) if (raw[models[k]!][i]! > cut[k]!) v++;
      if (v >= votes) found.push(i);
    }
    if (found.length === 0 || out.size + found.length > budget) break;
    for (const i of found) out.add(i);
  }
  return out;
}

/** The value a share `top` of the kept scores lies strictly above. */
function upperQuantile(scores: ArrayLike<number>, skip: Set<number>, top: number): number {
  const kept: number[] = [];
  for (let i = 0; i < scores.length; i++)
    if (!skip.has(i) && Number.isFinite(scores[i]!)) kept.push(scores[i]!);
  kept.sort((a, b) => a - b);
  return kept[Math.min(kept.length - 1, Math.floor((1 - top) * kept.length))] ?? Infinity;
}
