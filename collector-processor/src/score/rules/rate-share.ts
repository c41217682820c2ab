import type { Unit } from '../../features/unit';
import {
  NOTHING,
  PerStream,
  describeTemplate,
  overRecent,
  percent,
  type PerStreamJSON,
  type RuleContext,
  type RuleDetector,
  type RuleScore,
} from './rule';
import { binomialLower, binomialUpper, dispersion } from './surprise';
import { LEXICON_WARN, LexiconCache } from './severity-lexicon';
import { ValueDistribution, type ValueDistributionJSON } from './value-distribution';

/** Fewest lines of a template in a unit before a share increase is judged (one line is novelty's or chance's). */
const MIN_LINES = 3;
/** Fewest expected lines before a share decrease is judged: below it a gap is ordinary. */
const MIN_EXPECTED_FOR_DROP = 10;
/** Quick screen: exact tails are computed only for shares this many binomial sd from normal. */
const SCREEN_Z = 2;
const DRIVER_MIN = 1.3;
/** A template at this many times its expected lines is a burst, left out when judging drops. */
const BURST = 2;

/** A routine template whose training units already reached this surprise bursts as a habit. */
const HABIT_LEVEL = 3;
/** Slowest fall past the largest training share (share units per e-fold). */
const SHARE_TAIL_SCALE = 0.01;

interface Share {
  p: number;
  phi: number;
  /** The training units' shares, kept for a routine template that bursts (a nightly backup's
   * uploads): its share is judged against them as well, and the less surprised view counts. */
  habit?: ValueDistribution;
}

interface Volume {
  /** The most lines a training unit held (the 99th percentile): a unit is judged as if it held no more. */
  maxLines: number;
}

interface Model extends Volume {
  shares: Map<string, Share>;
  /** Templates by training share, largest first: the drop check stops at the first too rare to judge. */
  byShare: [string, Share][];
}

function model(shares: Map<string, Share>, volume: Volume): Model {
  return { ...volume, shares, byShare: [...shares].sort((a, b) => b[1].p - a[1].p) };
}

type ShareJSON = [string, number, number, ValueDistributionJSON?];
/** Bundles written before the volume was kept hold the shares alone. */
type ModelJSON = ShareJSON[] | (Volume & { shares: ShareJSON[] });

export interface RateShareJSON {
  rule: 'rate_share' | 'rate_share_recent';
  models: PerStreamJSON<ModelJSON>;
}

/**
 * A template's share of its stream's volume against its training share: binomial surprise of the
 * unit's count given the unit's line total (quasi-binomial with the template's own overdispersion
 * from training, so bursty templates need more). Shares make a stream-wide 2.5x surge neutral and
 * make an error template going from 0.1 % to 4 % loud. Both directions: a template whose share
 * collapses (a checkout that stops completing) counts too; a template that vanishes completely
 * from a busy stream is also the silence rule's. `recent`: the same test on the window merged with
 * its stream's recent windows (rate_share_recent), for streams too quiet to show a share in one.
 */
export class RateShareRule implements RuleDetector {
  readonly name: 'rate_share' | 'rate_share_recent';

  constructor(
    private readonly models: PerStream<Model>,
    private readonly ctx: RuleContext = {},
    readonly recent = false,
  ) {
    this.name = recent ? 'rate_share_recent' : 'rate_share';
  }

  score(u: Unit, now?: Unit): RuleScore {
    if (u.lines === 0) return NOTHING;
    const m = this.models.get(u.stream);
    // Past the busiest training unit, a share is tested as if the unit held no more lines: the mix of
    // a stream drifts more than a binomial spread says, and a surge would turn that drift into evidence.
    const scale = Math.min(1, m.maxLines / u.lines);
    const up = increases(u, m, scale, now);
    const down = drops(u, m, scale, up.bursts, now);
    const f = down && (!up.found || down.value > up.found.value) ? down : up.found;
    if (!f) return NOTHING;
    if (f.value < DRIVER_MIN) return { value: f.value };
    return {
      value: f.value,
      driver: `${this.recent ? overRecent(u) : ''}share of "${describeTemplate(f.id, u, this.ctx)}" ${percent(f.k / f.n)} (normally ${percent(f.p)}): ${f.k} of ${Math.round(f.n)} lines`,
    };
  }

  observe(): void {}

  toJSON(): RateShareJSON {
    return {
      rule: this.name,
      models: this.models.toJSON((m): ModelJSON => ({
        maxLines: m.maxLines,
        shares: [...m.shares].map(([id, s]): ShareJSON =>
          s.habit ? [id, s.p, s.phi, s.habit.toJSON()] : [id, s.p, s.phi],
        ),
      })),
    };
  }

  static fromJSON(json: RateShareJSON, ctx: RuleContext = {}): RateShareRule {
    return new RateShareRule(
      PerStream.fromJSON(json.models, (j: ModelJSON) => {
        const shares = Array.isArray(j) ? j : j.shares;
        const volume = Array.isArray(j) ? { maxLines: Infinity } : j;
        return model(
          new Map(
            shares.map(([id, p, phi, habit]) => [
              id,
              { p, phi, habit: habit ? ValueDistribution.fromJSON(habit) : undefined },
            ]),
          ),
          volume,
        );
      }),
      ctx,
      json.rule === 'rate_share_recent',
    );
  }
}

/** The strongest share change of a unit: its template, lines of it among `n`, and the normal share. */
interface Finding {
  value: number;
  id: string;
  k: number;
  n: number;
  p: number;
}

/**
 * Templates above their share, the strongest first; and the bursts among all lines. Shares are parts
 * of one whole: a nightly burst of one template (or a new one's lines) lowers every other template's
 * share without any of them changing, so drops are judged among the known templates that did not burst.
 */
function increases(
  u: Unit,
  m: Model,
  scale: number,
  now: Unit | undefined,
): { found: Finding | null; bursts: { lines: number; share: number } } {
  const n = u.lines * scale;
  let found: Finding | null = null;
  const bursts = { lines: 0, share: 0 };
  for (const [id, count] of u.counts) {
    const k = count * scale;
    const s = m.shares.get(id);
    if (!s) {
      // Never seen: the novelty rule's; its lines are no part of the known templates' whole.
      bursts.lines += k;
      continue;
    }
    const e = n * s.p;
    if ((k - e) / Math.sqrt(s.phi * e * (1 - s.p)) < SCREEN_Z) continue;
    // At least twice its share: others gain a little share whenever one template drops.
    if (k >= BURST * e) {
      bursts.lines += k;
      bursts.share += s.p;
    }
    if (count < MIN_LINES || (now && contradicts(now, id, s.p, count / u.lines))) continue;
    const binomial = binomialUpper(k / s.phi, n / s.phi, s.p);
    const value = s.habit
      ? Math.min(binomial, s.habit.surprise(count / u.lines, SHARE_TAIL_SCALE))
      : binomial;
    if (value > (found?.value ?? 0)) found = { value, id, k: count, n: u.lines, p: s.p };
  }
  return { found, bursts };
}

/** The strongest drop among the templates that did not burst; only those with enough expected lines
 * (absent ones are found through the model). */
function drops(
  u: Unit,
  m: Model,
  scale: number,
  bursts: { lines: number; share: number },
  now: Unit | undefined,
): Finding | null {
  const rest = u.lines * scale - bursts.lines;
  const restShare = Math.max(1e-9, 1 - bursts.share);
  let found: Finding | null = null;
  for (const [id, s] of m.byShare) {
    const p = s.p / restShare;
    // The whole of what did not burst cannot lose share.
    if (p >= 1 - 1e-9) continue;
    const e = rest * p;
    if (e < MIN_EXPECTED_FOR_DROP) break;
    if (e < MIN_EXPECTED_FOR_DROP * s.phi) continue;
    const count = u.counts.get(id) ?? 0;
    const k = count * scale;
    if ((e - k) / Math.sqrt(s.phi * e * (1 - p)) < SCREEN_Z) continue;
    if (now && contradicts(now, id, s.p, count / u.lines)) continue;
    const value = binomialLower(k / s.phi, rest / s.phi, p);
    if (value > (found?.value ?? 0)) found = { value, id, k: count, n: rest / scale, p };
  }
  return found;
}

/**
 * Whether the window itself, with lines enough to show it, holds the template nearer its normal
 * share than the recent windows' share: the spell has ended (a brute force stopped), though its
 * lines stay in the recent windows for a while. A quiet stream's window shows nothing either way.
 */
function contradicts(now: Unit, id: string, normal: number, recent: number): boolean {
  if (now.lines * Math.max(normal, recent) < 1) return false;
  const share = (now.counts.get(id) ?? 0) / now.lines;
  return Math.abs(share - normal) < Math.abs(share - recent);
}

export function fitRateShare(units: Unit[], ctx: RuleContext = {}, recent = false): RateShareRule {
  const lexicon = new LexiconCache(ctx.templateText);
  return new RateShareRule(
    PerStream.fit(units, ctx, (us) => fitModel(us, lexicon)),
    ctx,
    recent,
  );
}

/**
 * Shares and their overdispersion (its burstiest units left out: likely the baseline's incidents).
 * A routine template's bursts are how the system works (a nightly backup's uploads): where they lie
 * far past what that spread explains, its shares themselves are kept (the habit). A template that
 * reads as a warning or error gets none: its bursts are presumed incidents.
 */
function fitModel(units: Unit[], lexicon: LexiconCache): Model {
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
    let band = 0;
    units.forEach((u, j) => {
      ks[j] = u.counts.get(id) ?? 0;
      if (ks[j] > 0 && band === 0) band = Math.max(1, lexicon.strongest(id, u));
    });
    const phi = dispersion(ks, ns, p);
    shares.set(id, { p, phi, habit: band < LEXICON_WARN ? habit(ks, ns, p, phi) : undefined });
  }
  const sorted = Float64Array.from(ns).sort();
  const maxLines = Math.max(1, sorted[Math.floor(0.99 * (sorted.length - 1))] ?? 1);
  return model(shares, { maxLines });
}

/** The template's training shares, when some unit's share is a habit the binomial spread misses. */
function habit(ks: Float64Array, ns: Float64Array, p: number, phi: number): ValueDistribution | undefined {
  let most = 0;
  for (let j = 0; j < ks.length; j++) {
    const k = ks[j]!;
    const e = ns[j]! * p;
    if (k < MIN_LINES || (k - e) / Math.sqrt(phi * e * (1 - p)) < SCREEN_Z) continue;
    most = Math.max(most, binomialUpper(k / phi, ns[j]! / phi, p));
    if (most >= HABIT_LEVEL) return ValueDistribution.fit(ks.map((k, i) => (ns[i]! > 0 ? k / ns[i]! : 0)));
  }
  return undefined;
}
