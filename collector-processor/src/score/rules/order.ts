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
import { poissonUpper } from './surprise';

const DRIVER_MIN = 1.3;
const WINDOW_MIN_DISTINCT = 2;
/** No previous template (sequence start in a window, or after a never-seen template). */
const START = -1;

interface Model {
  /** Known template ids and their index; transitions are keyed a * (size + 1) + b. */
  index: Map<string, number>;
  transitions: Set<number>;
  /** Whether sequences start at a real beginning (sessions), so "start -> first" is a transition. */
  sessions: boolean;
  /** Chance that a transition has not been seen before (Good-Turing: share of singletons). */
  q: number;
}

interface ModelJSON {
  ids: string[];
  transitions: number[];
  sessions: boolean;
  q: number;
}

export interface OrderJSON {
  rule: 'order';
  models: PerStreamJSON<ModelJSON>;
}

/**
 * Order violations: transitions "template A then template B" (and, for sessions, "B first")
 * between templates known from training that no training sequence of the stream contained. The
 * statistic is the Poisson surprise of the unit's distinct unseen transitions, given its number of
 * transitions and the stream's chance of a new one: a session stream with fixed workflows (HDFS
 * blocks, a checkout) scores an out-of-order step high; windows of a busy stream, whose
 * interleaved requests make new pairs routine, score low by the same estimate.
 * Transitions touching never-seen templates are left to the novelty rule.
 */
export class OrderRule implements RuleDetector {
  readonly name = 'order' as const;

  constructor(
    private readonly models: PerStream<Model>,
    private readonly ctx: RuleContext = {},
  ) {}

  score(u: Unit): RuleScore {
    const m = this.models.get(u.stream);
    const stride = m.index.size + 1;
    let prev = m.sessions && u.kind === 'session' ? m.index.size : START;
    let distinct = 0;
    let firstA = -2;
    let firstB = -2;
    let found: Set<number> | null = null;
    let steps = 0;
    for (const id of u.sequence) {
      const i = m.index.get(id);
      if (i === undefined) {
        prev = START;
        continue;
      }
      if (prev !== START) {
        steps++;
        const key = prev * stride + i;
        if (!m.transitions.has(key)) {
          found ??= new Set();
          if (!found.has(key)) {
            found.add(key);
            distinct++;
            if (firstA === -2) {
              firstA = prev;
              firstB = i;
            }
          }
        }
      }
      prev = i;
    }
    // In a window one unseen pair is how two requests happened to interleave; two steps swapped
    // make up to three (X A B Y -> X B A Y: B after X, A after B, Y after A).
    if (distinct < (u.kind === 'window' ? WINDOW_MIN_DISTINCT : 1)) return NOTHING;
    const value = poissonUpper(distinct, m.q * steps);
    if (value <= 0) return NOTHING;
    if (value < DRIVER_MIN) return { value };
    const ids = [...m.index.keys()];
    const a = firstA === m.index.size ? '(start)' : `"${describeTemplate(ids[firstA]!, u, this.ctx)}"`;
    const b = `"${describeTemplate(ids[firstB]!, u, this.ctx)}"`;
    const more = distinct > 1 ? ` (${distinct} unseen transitions in all)` : '';
    return { value, driver: `${b} after ${a}, an order never seen in training${more}` };
  }

  observe(): void {}

  toJSON(): OrderJSON {
    return {
      rule: 'order',
      models: this.models.toJSON((m) => ({
        ids: [...m.index.keys()],
        transitions: [...m.transitions],
        sessions: m.sessions,
        q: m.q,
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
      })),
      ctx,
    );
  }
}

export function fitOrder(units: Unit[], ctx: RuleContext = {}): OrderRule {
  return new OrderRule(PerStream.fit(units, ctx, fitModel), ctx);
}

function fitModel(units: Unit[]): Model {
  const index = new Map<string, number>();
  for (const u of units) for (const id of u.sequence) if (!index.has(id)) index.set(id, index.size);
  const sessions = units.length > 0 && units.every((u) => u.kind === 'session');
  const stride = index.size + 1;
  const seen = new Map<number, number>();
  let total = 0;
  for (const u of units) {
    let prev = sessions ? index.size : START;
    for (const id of u.sequence) {
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
  const q = (once + 1) / (total + 2);
  return { index, transitions: new Set(seen.keys()), sessions, q };
}
