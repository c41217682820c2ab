import type { Unit } from '../../features/unit';
import {
  NOTHING,
  PerStream,
  describeTemplate,
  overRecent,
  type PerStreamJSON,
  type RuleContext,
  type RuleDetector,
  type RuleScore,
} from './rule';
import { poissonUpper } from './surprise';

const DRIVER_MIN = 1.3;
const WINDOW_MIN_DISTINCT = 2;
/** Fewest identifiers out of order in the recent windows: one is the window's own rule's. */
const RECENT_MIN_SEQUENCES = 2;
/** No previous template (sequence start in a window, or after a never-seen template). */
const START = -1;

interface Transitions {
  seen: Set<number>;
  /** Chance that a transition has not been seen before (Good-Turing: share of singletons). */
  q: number;
}

interface Model {
  /** Known template ids and their index; transitions are keyed a * (size + 1) + b. */
  index: Map<string, number>;
  transitions: Set<number>;
  /** Whether sequences start at a real beginning (sessions), so "start -> first" is a transition. */
  sessions: boolean;
  q: number;
  /** Windows: transitions within the lines of one identifier (Unit.keyed). */
  keyed?: Transitions;
}

interface ModelJSON {
  ids: string[];
  transitions: number[];
  sessions: boolean;
  q: number;
  /** Absent in bundles written before keyed sequences. */
  keyed?: { transitions: number[]; q: number };
}

export interface OrderJSON {
  rule: 'order' | 'order_recent';
  models: PerStreamJSON<ModelJSON>;
}

/**
 * Order violations: transitions "template A then template B" (and, for sessions, "B first")
 * between templates known from training that no training sequence of the stream contained. The
 * statistic is the Poisson surprise of the unit's distinct unseen transitions, given its number of
 * transitions and the stream's chance of a new one: a session stream with fixed workflows (HDFS
 * blocks, a checkout) scores an out-of-order step high; windows of a busy stream, whose
 * interleaved requests make new pairs routine, score low by the same estimate.
 * Transitions touching never-seen templates are left to the novelty rule. `recent` (order_recent):
 * the identifiers out of order over the window merged with its stream's recent windows.
 */
export class OrderRule implements RuleDetector {
  readonly name: 'order' | 'order_recent';

  constructor(
    private readonly models: PerStream<Model>,
    private readonly ctx: RuleContext = {},
    readonly recent = false,
  ) {
    this.name = recent ? 'order_recent' : 'order';
  }

  score(u: Unit, now?: Unit): RuleScore {
    const m = this.models.get(u.stream);
    if (this.recent) return this.scoreRecent(m, u, now);
    const start = m.sessions && u.kind === 'session' ? m.index.size : START;
    const flat = unseen(m, { seen: m.transitions, q: m.q }, [u.sequence], start);
    // In a window one unseen pair is how two requests happened to interleave; two steps swapped
    // make up to three (X A B Y -> X B A Y: B after X, A after B, Y after A).
    const least = u.kind === 'window' ? WINDOW_MIN_DISTINCT : 1;
    let best = flat.distinct >= least ? poissonUpper(flat.distinct, m.q * flat.steps) : 0;
    let found = flat;
    // One identifier's lines (an order's steps) are not interleaved with other requests': a swap
    // among them is unseen in training however busy the stream.
    if (m.keyed && u.keyed.size > 0) {
      const keyed = unseen(m, m.keyed, u.keyed.values(), START);
      const v =
        keyed.distinct >= WINDOW_MIN_DISTINCT ? poissonUpper(keyed.distinct, m.keyed.q * keyed.steps) : 0;
      if (v > best) {
        best = v;
        found = keyed;
      }
    }
    return this.finding(m, u, best, found, found === flat ? '' : ' for one identifier');
  }

  /**
   * order_recent: identifiers whose steps came in an order never seen, over the stream's recent
   * windows, against the chance of an unseen transition; while the latest windows still hold one.
   * Half the orders of a quiet shop swapped is one or two a minute, and a minute may hold none.
   */
  private scoreRecent(m: Model, u: Unit, now: Unit | undefined): RuleScore {
    if (!m.keyed || u.keyed.size === 0 || !now) return NOTHING;
    const span = unseen(m, m.keyed, u.keyed.values(), START);
    if (span.sequences < RECENT_MIN_SEQUENCES) return NOTHING;
    if (unseen(m, m.keyed, now.keyed.values(), START).sequences === 0) return NOTHING;
    const best = poissonUpper(span.sequences, m.keyed.q * span.steps);
    return this.finding(m, u, best, span, ` for ${span.sequences} identifiers`);
  }

  private finding(m: Model, u: Unit, best: number, found: Unseen, of: string): RuleScore {
    if (best <= 0) return NOTHING;
    if (best < DRIVER_MIN) return { value: best };
    const ids = [...m.index.keys()];
    const a =
      found.firstA === m.index.size ? '(start)' : `"${describeTemplate(ids[found.firstA]!, u, this.ctx)}"`;
    const b = `"${describeTemplate(ids[found.firstB]!, u, this.ctx)}"`;
    const more = found.distinct > 1 ? ` (${found.distinct} unseen transitions in all)` : '';
    const over = this.recent ? overRecent(u) : '';
    return { value: best, driver: `${over}${b} after ${a}${of}, an order never seen in training${more}` };
  }

  observe(): void {}

  toJSON(): OrderJSON {
    return {
      rule: this.name,
      models: this.models.toJSON((m) => ({
        ids: [...m.index.keys()],
        transitions: [...m.transitions],
        sessions: m.sessions,
        q: m.q,
        ...(m.keyed ? { keyed: { transitions: [...m.keyed.seen], q: m.keyed.q } } : {}),
      })),
    };
  }

  static fromJSON(json: OrderJSON, ctx: RuleContext = {}): OrderRule {
    return new OrderRule(
      PerStream.fromJSON(json.models, (j: ModelJSON) => ({
        index: new Map(j.ids.map((id, i) => [id, i])),
        transitions: new Set(j.transitions),
        sessions: j.sessions,
        q: j.q,
        keyed: j.keyed ? { seen: new Set(j.keyed.transitions), q: j.keyed.q } : undefined,
      })),
      ctx,
      json.rule === 'order_recent',
    );
  }
}

export function fitOrder(units: Unit[], ctx: RuleContext = {}, recent = false): OrderRule {
  return new OrderRule(PerStream.fit(units, ctx, fitModel), ctx, recent);
}

function fitModel(units: Unit[]): Model {
  const index = new Map<string, number>();
  for (const u of units) for (const id of u.sequence) if (!index.has(id)) index.set(id, index.size);
  const sessions = units.length > 0 && units.every((u) => u.kind === 'session');
  const flat = fitTransitions(
    index,
    units.map((u) => u.sequence),
    sessions ? index.size : START,
  );
  const keyed = sessions
    ? undefined
    : fitTransitions(
        index,
        units.flatMap((u) => [...u.keyed.values()]),
        START,
      );
  return { index, transitions: flat.seen, sessions, q: flat.q, keyed };
}

function fitTransitions(
  index: Map<string, number>,
  sequences: Iterable<string[]>,
  start: number,
): Transitions {
  const stride = index.size + 1;
  const seen = new Map<number, number>();
  let total = 0;
  for (const sequence of sequences) {
    let prev = start;
    for (const id of sequence) {
      const i = index.get(id)!;
      if (prev !== START) {
        const key = prev * stride + i;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        total++;
      }
      prev = i;
    }
  }
  let once = 0;
  for (const n of seen.values()) if (n === 1) once++;
  return { seen: new Set(seen.keys()), q: (once + 1) / (total + 2) };
}

interface Unseen {
  distinct: number;
  steps: number;
  /** Sequences holding at least one unseen transition. */
  sequences: number;
  firstA: number;
  firstB: number;
}

/** Distinct transitions between known templates that training never held, over the sequences. */
function unseen(m: Model, known: Transitions, sequences: Iterable<string[]>, start: number): Unseen {
  const stride = m.index.size + 1;
  const out: Unseen = { distinct: 0, steps: 0, sequences: 0, firstA: -2, firstB: -2 };
  const found = new Set<number>();
  for (const sequence of sequences) {
    let prev = start;
    let holds = false;
    for (const id of sequence) {
      const i = m.index.get(id);
      if (i === undefined) {
        prev = START;
        continue;
      }
      if (prev !== START) {
        out.steps++;
        const key = prev * stride + i;
        if (!known.seen.has(key)) holds = true;
        if (!known.seen.has(key) && !found.has(key)) {
          found.add(key);
          if (out.distinct++ === 0) {
            out.firstA = prev;
            out.firstB = i;
          }
        }
      }
      prev = i;
    }
    if (holds) out.sequences++;
  }
  return out;
}
