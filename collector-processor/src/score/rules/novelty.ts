import type { Unit } from '../../features/unit';
import {
  NOTHING,
  PerStream,
  describeTemplate,
  type PerStreamJSON,
  type RuleContext,
  type RuleDetector,
  type RuleScore,
} from './rule';
import { LEXICON_ERROR, LEXICON_WARN, LexiconCache } from './severity-lexicon';

/** Units a low-severity new template must appear in before it counts as part of the stream. */
export const WARMUP_UNITS = 3;
/** Weight of a new template by the band of its lines: a new INFO line is rarely an incident. */
const WEIGHT_LOW = 0.1;
const WEIGHT_WARN = 0.5;
/** New templates a stream's warm-up state remembers; past it, further ones are not tracked. */
const MAX_TRACKED = 10_000;

interface Model {
  known: Set<string>;
  /** -log10 of the chance that a unit of this stream shows a template not seen before (Good-Turing). */
  base: number;
}

interface ModelJSON {
  known: string[];
  base: number;
}

export interface NoveltyJSON {
  rule: 'novelty';
  models: PerStreamJSON<ModelJSON>;
}

/**
 * Never-seen templates. Each new template in a unit adds the stream's surprise at a new template
 * at all (a stable stream that never shows one scores high; a chatty one with many one-off
 * templates low), weighted by the severity of its lines (header level, else the message's
 * words, whichever is higher: a new INFO-level "Exception in receiveBlock" is not routine) and by
 * its line count in decades.
 *
 * A new line below WARN that reads as a process starting or stopping ("server started",
 * "shutting down: received SIGTERM") counts for nothing: each deploy brings its own.
 *
 * Warm-up: a new template below ERROR that has already appeared in earlier units of the stream
 * counts half as much per such unit and not at all after WARMUP_UNITS of them, so a deploy's new
 * INFO lines and new parameter values stop scoring once they have shown up a few times. ERROR and
 * FATAL templates never warm up: a failure that keeps happening is still a failure. The running
 * state advances in `observe`, which batch `detect` calls per stream in time order, after scoring.
 */
export class NoveltyRule implements RuleDetector {
  readonly name = 'novelty' as const;
  private readonly lexicon: LexiconCache;
  /** Per stream: units each new template has appeared in so far. */
  private readonly seen = new Map<string, Map<string, number>>();

  constructor(
    private readonly models: PerStream<Model>,
    private readonly ctx: RuleContext = {},
  ) {
    this.lexicon = new LexiconCache(ctx.templateText);
  }

  score(u: Unit): RuleScore {
    const m = this.models.get(u.stream);
    const seen = this.seen.get(u.stream);
    let value = 0;
    let top = 0;
    let topId = '';
    let topBand = 0;
    let fresh = 0;
    for (const [id, count] of u.counts) {
      if (m.known.has(id)) continue;
      fresh++;
      const band = this.lexicon.strongest(id, u);
      // "server started version=2.4.0": every deploy brings its own; not an incident by itself.
      if (this.lifecycle(id, u, band)) continue;
      let w = band >= LEXICON_ERROR ? 1 : band === LEXICON_WARN ? WEIGHT_WARN : WEIGHT_LOW;
      if (band < LEXICON_ERROR) {
        const k = seen?.get(id) ?? 0;
        w = k >= WARMUP_UNITS ? 0 : w * 0.5 ** k;
      }
      const c = w * (m.base + Math.log10(count));
      value += c;
      if (c > top) {
        top = c;
        topId = id;
        topBand = band;
      }
    }
    if (value <= 0) return NOTHING;
    const count = u.counts.get(topId)!;
    const more = fresh > 1 ? ` (${fresh} new templates in all)` : '';
    return {
      value,
      driver: `${count} line${count === 1 ? '' : 's'} of never-seen ${BAND_NAMES[topBand]}template "${describeTemplate(topId, u, this.ctx)}"${more}`,
    };
  }

  observe(u: Unit): void {
    const m = this.models.get(u.stream);
    let seen = this.seen.get(u.stream);
    for (const id of u.counts.keys()) {
      if (m.known.has(id)) continue;
      if (!seen) this.seen.set(u.stream, (seen = new Map()));
      const k = seen.get(id);
      if (k !== undefined) seen.set(id, k + 1);
      else if (seen.size < MAX_TRACKED) seen.set(id, 1);
    }
  }

  /**
   * Whether a new template is routine already in the unit's stream: below ERROR and seen in
   * WARMUP_UNITS earlier units, or below WARN and reading as a process starting or stopping. The
   * models may then take its lines as routine, as this rule does.
   */
  acquainted(u: Unit, id: string): boolean {
    const band = this.lexicon.strongest(id, u);
    if (band >= LEXICON_ERROR) return false;
    if (this.lifecycle(id, u, band)) return true;
    return (this.seen.get(u.stream)?.get(id) ?? 0) >= WARMUP_UNITS;
  }

  /** A new line below WARN that reads as a process starting or stopping: how a deploy reads. */
  private lifecycle(id: string, u: Unit, band: number): boolean {
    return band < LEXICON_WARN && this.lexicon.lifecycle(id, u);
  }

  /** Warm-up state, for the service to snapshot with the stream. */
  exportState(stream: string): [string, number][] {
    return [...(this.seen.get(stream) ?? [])];
  }

  importState(stream: string, state: [string, number][]): void {
    this.seen.set(stream, new Map(state));
  }

  toJSON(): NoveltyJSON {
    return { rule: 'novelty', models: this.models.toJSON((m) => ({ known: [...m.known], base: m.base })) };
  }

  static fromJSON(json: NoveltyJSON, ctx: RuleContext = {}): NoveltyRule {
    return new NoveltyRule(
      PerStream.fromJSON(json.models, (j: ModelJSON) => ({ known: new Set(j.known), base: j.base })),
      ctx,
    );
  }
}

const BAND_NAMES = ['', '', '', '', 'WARN ', 'ERROR ', 'FATAL '];

export function fitNovelty(units: Unit[], ctx: RuleContext = {}): NoveltyRule {
  return new NoveltyRule(PerStream.fit(units, ctx, fitModel), ctx);
}

function fitModel(units: Unit[]): Model {
  const unitsWith = new Map<string, number>();
  for (const u of units) for (const id of u.counts.keys()) unitsWith.set(id, (unitsWith.get(id) ?? 0) + 1);
  let once = 0;
  for (const n of unitsWith.values()) if (n === 1) once++;
  // Good-Turing: the share of units that brought a template seen in no other unit estimates the
  // chance that the next unit brings a new one.
  const q = (once + 1) / (units.length + 2);
  return { known: new Set(unitsWith.keys()), base: -Math.log10(q) };
}
