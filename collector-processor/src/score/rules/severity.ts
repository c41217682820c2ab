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
import { LEXICON_ERROR, LEXICON_FATAL, LexiconCache } from './severity-lexicon';
import { binomialUpper, dispersion } from './surprise';

/** Share of the most error-heavy training units left out of the baseline rate (a baseline incident). */
const TRIM = 0.01;
/** Smallest surprise for which a driver is written (p < 0.05): normal units cost no strings. */
const DRIVER_MIN = 1.3;

interface Model {
  /** Share of lines at ERROR or above, and at FATAL, in the stream's training units. */
  errorShare: number;
  fatalShare: number;
  errorPhi: number;
  fatalPhi: number;
}

export interface SeverityJSON {
  rule: 'severity';
  models: PerStreamJSON<Model>;
}

/** Lines at ERROR or above and at FATAL: the header's level, else the message's words. */
export interface SeverityCount {
  error: number;
  fatal: number;
  /** The template with the most such lines, and whether its level came from the message. */
  topId: string;
  topFromMessage: boolean;
}

/**
 * Severity escalation: the unit's share of ERROR-or-worse and of FATAL lines against the stream's
 * training share, as a binomial surprise (quasi-binomial: evidence divided by the stream's
 * overdispersion). Shares, not counts, so 2.5x traffic with the same error mix stays quiet.
 * Lines without a header level are read with the severity lexicon ("Catastrophic", "Out of
 * memory", "failed").
 */
export class SeverityRule implements RuleDetector {
  readonly name = 'severity' as const;
  private readonly lexicon: LexiconCache;

  constructor(
    private readonly models: PerStream<Model>,
    private readonly ctx: RuleContext = {},
  ) {
    this.lexicon = new LexiconCache(ctx.templateText);
  }

  count(u: Unit): SeverityCount {
    return countSevere(u, this.lexicon);
  }

  score(u: Unit): RuleScore {
    if (u.lines === 0) return NOTHING;
    const m = this.models.get(u.stream);
    const c = countSevere(u, this.lexicon);
    if (c.error === 0) return NOTHING;
    const n = u.lines;
    const sErr =
      c.error / n > m.errorShare ? binomialUpper(c.error / m.errorPhi, n / m.errorPhi, m.errorShare) : 0;
    const sFat =
      c.fatal / n > m.fatalShare ? binomialUpper(c.fatal / m.fatalPhi, n / m.fatalPhi, m.fatalShare) : 0;
    const value = Math.max(sErr, sFat);
    if (value < DRIVER_MIN) return value > 0 ? { value } : NOTHING;
    const fatal = sFat >= sErr;
    const what = fatal ? 'FATAL' : 'error';
    const k = fatal ? c.fatal : c.error;
    const share = fatal ? m.fatalShare : m.errorShare;
    const src = c.topFromMessage ? ', level read from the message' : '';
    return {
      value,
      driver: `${what} share ${percent(k / n)} (normally ${percent(share)}): ${k} of ${n} lines, most "${describeTemplate(c.topId, u, this.ctx)}"${src}`,
    };
  }

  observe(): void {}

  toJSON(): SeverityJSON {
    return { rule: 'severity', models: this.models.toJSON((m) => ({ ...m })) };
  }

  static fromJSON(json: SeverityJSON, ctx: RuleContext = {}): SeverityRule {
    return new SeverityRule(
      PerStream.fromJSON(json.models, (m: Model) => ({ ...m })),
      ctx,
    );
  }
}

export function countSevere(u: Unit, lexicon: LexiconCache): SeverityCount {
  // The header's bands are exact; the lexicon adds the lines of templates that had no level.
  let error = u.severity[5]! + u.severity[6]!;
  let fatal = u.severity[6]!;
  let topId = '';
  let top = 0;
  let topFromMessage = false;
  for (const [id, count] of u.counts) {
    const header = u.levels.get(id) ?? 0;
    const band = header > 0 ? header : lexicon.band(id, u);
    if (band < LEXICON_ERROR) continue;
    if (header === 0) {
      error += count;
      if (band >= LEXICON_FATAL) fatal += count;
    }
    if (count > top) {
      top = count;
      topId = id;
      topFromMessage = header === 0;
    }
  }
  return { error, fatal, topId, topFromMessage };
}

export function fitSeverity(units: Unit[], ctx: RuleContext = {}): SeverityRule {
  const lexicon = new LexiconCache(ctx.templateText);
  return new SeverityRule(
    PerStream.fit(units, ctx, (us) => fitModel(us, lexicon)),
    ctx,
  );
}

function fitModel(units: Unit[], lexicon: LexiconCache): Model {
  const ns = new Float64Array(units.length);
  const es = new Float64Array(units.length);
  const fs = new Float64Array(units.length);
  units.forEach((u, j) => {
    const c = countSevere(u, lexicon);
    ns[j] = u.lines;
    es[j] = c.error;
    fs[j] = c.fatal;
  });
  const keep = untrimmed(ns, es);
  let n = 0;
  let e = 0;
  let f = 0;
  for (const j of keep) {
    n += ns[j]!;
    e += es[j]!;
    f += fs[j]!;
  }
  // Half a line of prior: a stream that never logged an error still gets a finite rate.
  const errorShare = (e + 0.5) / (n + 1);
  const fatalShare = (f + 0.5) / (n + 1);
  return {
    errorShare,
    fatalShare,
    errorPhi: dispersion(es, ns, errorShare),
    fatalPhi: dispersion(fs, ns, fatalShare),
  };
}

/** Units other than the TRIM share with the highest error share. */
function untrimmed(ns: Float64Array, es: Float64Array): number[] {
  const idx = Array.from(ns, (_, j) => j);
  const drop = Math.floor(idx.length * TRIM);
  if (drop === 0) return idx;
  const share = (j: number) => (ns[j]! > 0 ? es[j]! / ns[j]! : 0);
  idx.sort((a, b) => share(b) - share(a));
  return idx.slice(drop);
}
