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
import { binomialLower, binomialUpper, dispersion } from './surprise';

/** Fewest lines of a template in a unit before a share increase is judged (one line is novelty's or chance's). */
const MIN_LINES = 3;
/** Fewest expected lines before a share decrease is judged: below it a gap is ordinary. */
const MIN_EXPECTED_FOR_DROP = 10;
/** Quick screen: exact tails are computed only for shares this many binomial sd from normal. */
const SCREEN_Z = 2;
const DRIVER_MIN = 1.3;

interface Share {
  p: number;
  phi: number;
}

interface Model {
  shares: Map<string, Share>;
  /** Templates by training share, largest first: the drop check stops at the first too rare to judge. */
  byShare: [string, Share][];
}

function model(shares: Map<string, Share>): Model {
  return { shares, byShare: [...shares].sort((a, b) => b[1].p - a[1].p) };
}

export interface RateShareJSON {
  rule: 'rate_share';
  models: PerStreamJSON<[string, number, number][]>;
}

/**
 * A template's share of its stream's volume against its training share: binomial surprise of the
 * unit's count given the unit's line total (quasi-binomial with the template's own overdispersion
 * from training, so bursty templates need more). Shares make a stream-wide 2.5x surge neutral and
 * make an error template going from 0.1 % to 4 % loud. Both directions: a template whose share
 * collapses (a checkout that stops completing) counts too; a template that vanishes completely
 * from a busy stream is also the silence rule's.
 */
export class RateShareRule implements RuleDetector {
  readonly name = 'rate_share' as const;

  constructor(
    private readonly models: PerStream<Model>,
    private readonly ctx: RuleContext = {},
  ) {}

  score(u: Unit): RuleScore {
    const n = u.lines;
    if (n === 0) return NOTHING;
    const m = this.models.get(u.stream);
    let best = 0;
    let bestId = '';
    let bestK = 0;
    for (const [id, k] of u.counts) {
      if (k < MIN_LINES) continue;
      const s = m.shares.get(id);
      if (!s) continue; // never seen: the novelty rule's
      const e = n * s.p;
      if ((k - e) / Math.sqrt(s.phi * e * (1 - s.p)) < SCREEN_Z) continue;
      const v = binomialUpper(k / s.phi, n / s.phi, s.p);
      if (v > best) {
        best = v;
        bestId = id;
        bestK = k;
      }
    }
    // Drops: only templates with enough expected lines; absent ones are found through the model.
    for (const [id, s] of m.byShare) {
      const e = n * s.p;
      if (e < MIN_EXPECTED_FOR_DROP) break;
      if (e < MIN_EXPECTED_FOR_DROP * s.phi) continue;
      const k = u.counts.get(id) ?? 0;
      if ((e - k) / Math.sqrt(s.phi * e * (1 - s.p)) < SCREEN_Z) continue;
      const v = binomialLower(k / s.phi, n / s.phi, s.p);
      if (v > best) {
        best = v;
        bestId = id;
        bestK = k;
      }
    }
    if (best <= 0) return NOTHING;
    if (best < DRIVER_MIN) return { value: best };
    const p = m.shares.get(bestId)!.p;
    return {
      value: best,
      driver: `share of "${describeTemplate(bestId, u, this.ctx)}" ${percent(bestK / n)} (normally ${percent(p)}): ${bestK} of ${n} lines`,
    };
  }

  observe(): void {}

  toJSON(): RateShareJSON {
    return {
      rule: 'rate_share',
      models: this.models.toJSON((m) => [...m.shares].map(([id, s]) => [id, s.p, s.phi])),
    };
  }

  static fromJSON(json: RateShareJSON, ctx: RuleContext = {}): RateShareRule {
    return new RateShareRule(
      PerStream.fromJSON(json.models, (j: [string, number, number][]) =>
        model(new Map(j.map(([id, p, phi]) => [id, { p, phi }]))),
      ),
      ctx,
    );
  }
}

export function fitRateShare(units: Unit[], ctx: RuleContext = {}): RateShareRule {
  return new RateShareRule(PerStream.fit(units, ctx, fitModel), ctx);
}

function fitModel(units: Unit[]): Model {
  const total = new Map<string, number>();
  let lines = 0;
  for (const u of units) {
    lines += u.lines;
    for (const [id, c] of u.counts) total.set(id, (total.get(id) ?? 0) + c);
  }
  const ns = Float64Array.from(units, (u) => u.lines);
  const ks = new Float64Array(units.length);
  const shares = new Map<string, Share>();
  for (const [id, c] of total) {
    const p = (c + 0.5) / (lines + 1);
    units.forEach((u, j) => (ks[j] = u.counts.get(id) ?? 0));
    shares.set(id, { p, phi: dispersion(ks, ns, p) });
  }
  return model(shares);
}
