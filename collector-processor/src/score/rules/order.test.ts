import { describe, expect, it } from 'vitest';
import { RecentUnits } from '../../features/recent-units';
import { fitOrder, OrderRule } from './order';
import type { RuleScore } from './rule';
import { rand, unit } from './testing/units';

const FLOW = ['receive', 'validate', 'reserve', 'charge', 'ship'];
const session = (i: number, steps: string[], stream = 'checkout') =>
  unit(
    stream,
    i,
    steps.map((id) => ({ id, sev: 9 })),
    'session',
    `order-${i}`,
  );

describe('order rule', () => {
  const r = rand(1);
  // Normal sessions: the flow, sometimes with a retry of reserve, sometimes abandoned after validate.
  const train = Array.from({ length: 300 }, (_, i) => {
    const x = r();
    return session(
      i,
      x < 0.1
        ? ['receive', 'validate']
        : x < 0.2
          ? ['receive', 'validate', 'reserve', 'reserve', 'charge', 'ship']
          : FLOW,
    );
  });
  const rule = fitOrder(train);

  it('stays at 0 on known orders, including the rarer ones', () => {
    expect(rule.score(session(1000, FLOW)).value).toBe(0);
    expect(rule.score(session(1001, ['receive', 'validate'])).value).toBe(0);
  });

  it('fires on a step out of order and names the transition', () => {
    const s = rule.score(session(1002, ['receive', 'charge', 'validate', 'reserve', 'ship']));
    expect(s.value).toBeGreaterThan(3);
    expect(s.driver).toMatch(
      /^"charge line" after "receive line", an order never seen in training \(\d unseen transitions in all\)$/,
    );
    // A session that starts in the middle.
    expect(rule.score(session(1003, ['charge', 'ship'])).value).toBeGreaterThan(2);
  });

  it('leaves never-seen templates to the novelty rule', () => {
    expect(
      rule.score(session(1004, ['receive', 'validate', 'fraud-check', 'reserve', 'charge', 'ship'])).value,
    ).toBe(0);
  });

  it('scores interleaved windows of a busy stream low: new pairs are routine there', () => {
    const ids = Array.from({ length: 40 }, (_, i) => `t${i}`);
    const w = (i: number, n: number) =>
      unit(
        'web',
        i,
        Array.from({ length: n }, () => ({ id: ids[Math.floor(r() * ids.length)]! })),
      );
    const windows = fitOrder(Array.from({ length: 100 }, (_, i) => w(i, 20)));
    const scores = Array.from({ length: 20 }, (_, i) => windows.score(w(200 + i, 20)).value);
    expect(Math.max(...scores)).toBeLessThan(2);
  });

  it('in windows of a workflow stream, fires on a swapped step but not on one unseen pair', () => {
    // A quiet worker: a status line, then one checkout's steps, per window.
    const win = (i: number, steps: string[]) =>
      unit(
        'worker',
        i,
        ['status', ...steps].map((id) => ({ id })),
      );
    const rule = fitOrder(Array.from({ length: 200 }, (_, i) => win(i, FLOW)));
    expect(rule.score(win(300, ['receive', 'validate', 'charge', 'reserve', 'ship'])).value).toBeGreaterThan(
      2,
    );
    // Two requests interleaving once: "status" after "ship" is new, and alone.
    expect(
      rule.score(
        unit(
          'worker',
          301,
          [...FLOW, 'status'].map((id) => ({ id })),
        ),
      ).value,
    ).toBe(0);
  });

  it('round-trips JSON with a stream named constructor', () => {
    const fitted = fitOrder(train.map((u) => ({ ...u, stream: 'constructor' })));
    const back = OrderRule.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
    const u = session(1005, ['receive', 'ship'], 'constructor');
    expect(back.score(u)).toEqual(fitted.score(u));
    expect(back.score(u).value).toBeGreaterThan(2);
  });
});

describe('order rule in windows, per identifier', () => {
  const STEPS = ['reserve', 'capture', 'ship', 'mail'];
  /** A window of checkouts, each step naming its order, the orders interleaved at random. */
  const window = (i: number, r: () => number, swapped = 0) => {
    const orders = Array.from({ length: 3 + Math.floor(r() * 3) }, (_, k) => ({
      key: `o-${i * 10 + k}0000`,
      steps: k < swapped ? ['capture', 'reserve', 'ship', 'mail'] : [...STEPS],
    }));
    const lines = [];
    while (orders.some((o) => o.steps.length > 0)) {
      const live = orders.filter((o) => o.steps.length > 0);
      const o = live[Math.floor(r() * live.length)]!;
      lines.push({ id: o.steps.shift()!, sev: 9, params: [`${o.key}:`] });
    }
    return unit('worker', i, lines);
  };
  const r = rand(4);
  const rule = fitOrder(Array.from({ length: 300 }, (_, i) => window(i, r)));

  it("finds one order's steps swapped where interleaving made every pair of templates routine", () => {
    for (let i = 0; i < 20; i++) expect(rule.score(window(400 + i, r)).value).toBe(0);
    const s = rule.score(window(500, r, 2));
    expect(s.value).toBeGreaterThan(3);
    expect(s.driver).toMatch(/^"reserve line" after "capture line" for one identifier, an order never seen/);
  });

  it("round-trips the identifiers' transitions through JSON", () => {
    const back = OrderRule.fromJSON(JSON.parse(JSON.stringify(rule.toJSON())));
    const u = window(600, r, 2);
    expect(back.score(u)).toEqual(rule.score(u));
  });

  it('over recent windows: a spell of swaps flags its windows that hold none, until the latest hold none', () => {
    const recent = fitOrder(
      Array.from({ length: 300 }, (_, i) => window(i, r)),
      {},
      true,
    );
    expect(OrderRule.fromJSON(JSON.parse(JSON.stringify(recent.toJSON()))).name).toBe('order_recent');
    const live = new RecentUnits();
    const scores = new Map<number, RuleScore>();
    // One swapped order every other minute from window 700 to 709, then none.
    for (let i = 690; i < 720; i++) {
      const u = window(i, r, i >= 700 && i < 710 && i % 2 === 0 ? 1 : 0);
      const { span, latest } = live.with(u)!;
      scores.set(i, recent.score(span, latest));
      live.push(u);
    }
    const at = (i: number) => scores.get(i)!.value;
    // Quiet before; the minutes of the spell without a swap are flagged too, from the second swap on.
    for (let i = 690; i < 700; i++) expect(at(i)).toBe(0);
    for (const i of [703, 705, 707, 709]) expect(at(i)).toBeGreaterThan(3);
    expect(scores.get(705)!.driver).toMatch(
      /^over the last \d+ min: "reserve line" after "capture line" for 3 identifiers, an order never seen/,
    );
    // Once the latest three windows hold no swap, nothing, though the swaps stay in the span.
    for (let i = 712; i < 720; i++) expect(at(i)).toBe(0);
  });
});
