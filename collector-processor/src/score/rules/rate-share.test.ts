import { describe, expect, it } from 'vitest';
import { fitRateShare, RateShareRule } from './rate-share';
import { rand, repeat, unit, webWindow } from './testing/units';
import { ValueDistribution } from './value-distribution';

const train = (stream: string, seed: number) => {
  const r = rand(seed);
  return Array.from({ length: 150 }, (_, i) => webWindow(stream, i, r));
};
const RATES = { get: 200, post: 60, login: 20, err: 0.3 };

describe('rate_share rule', () => {
  const rule = fitRateShare(train('shop', 1));
  const r = rand(7);

  it('fires when a template goes from 0.1 % to 4 % of its stream', () => {
    const s = rule.score(webWindow('shop', 300, r, { rates: { ...RATES, err: 12 } }));
    expect(s.value).toBeGreaterThan(8);
    expect(s.driver).toMatch(/^share of "err line" [345](\.\d)? % \(normally 0\.1\d? %\)/);
  });

  it('does not fire when every template grows 2.5x together', () => {
    let worst = 0;
    for (let i = 0; i < 40; i++)
      worst = Math.max(worst, rule.score(webWindow('shop', 400 + i, r, { traffic: 2.5 })).value);
    expect(worst).toBeLessThan(3);
  });

  it('fires when a large template collapses (logins stop while traffic goes on)', () => {
    const s = rule.score(webWindow('shop', 500, r, { rates: { ...RATES, login: 1 } }));
    expect(s.value).toBeGreaterThan(5);
    expect(s.driver).toMatch(/share of "login line"/);
  });

  it('needs more for a template that is bursty in training', () => {
    const r2 = rand(3);
    const bursty = Array.from({ length: 150 }, (_, i) =>
      webWindow('batch', i, r2, { rates: { ...RATES, err: i % 10 === 0 ? 30 : 0 } }),
    );
    const b = fitRateShare(bursty);
    const u = webWindow('batch', 300, r, { rates: { ...RATES, err: 30 } });
    expect(b.score(u).value).toBeLessThan(3);
  });

  it("takes a routine template's bursts in training for a habit, an error template's for incidents", () => {
    // A nightly upload burst: 2 % of the windows (the spread leaves out as many of a warning's).
    const r3 = rand(5);
    const nightly = (id: string, sev: number) =>
      Array.from({ length: 300 }, (_, i) =>
        webWindow('jobs', i, r3, {
          rates: { get: 20, err: 0.05 },
          extra: i % 50 === 1 ? repeat(15, { id, sev }) : [],
        }),
      );
    const burst = (id: string, sev: number) =>
      webWindow('jobs', 400, r, { rates: { get: 20 }, extra: repeat(15, { id, sev }) });
    expect(fitRateShare(nightly('upload', 9)).score(burst('upload', 9)).value).toBeLessThan(3.5);
    expect(fitRateShare(nightly('failed', 17)).score(burst('failed', 17)).value).toBeGreaterThan(8);
  });

  it('judges drops among the templates that did not burst: a burst is not every other share falling', () => {
    // Uploads burst now and then as a habit (their shares kept); sync runs steadily.
    const rule = RateShareRule.fromJSON({
      rule: 'rate_share',
      models: {
        streams: [],
        pooled: [
          ['sync', 0.45, 1],
          ['get', 0.45, 1],
          [
            'upload',
            0.1,
            1,
            ValueDistribution.fit([...Array(95).fill(0.05), 0.9, 0.9, 0.92, 0.95, 0.95]).toJSON(),
          ],
        ],
      },
    });
    const lines = (sync: number) => [
      ...repeat(sync, { id: 'sync' }),
      ...repeat(40, { id: 'get' }),
      ...repeat(200, { id: 'upload' }),
    ];
    expect(rule.score(unit('jobs', 0, lines(40))).value).toBeLessThan(3);
    const shutdown = unit('jobs', 2, [...lines(40), ...repeat(300, { id: 'never seen' })]);
    expect(rule.score(shutdown).value).toBeLessThan(3);
    const stalled = rule.score(unit('jobs', 1, lines(2)));
    expect(stalled.value).toBeGreaterThan(5);
    expect(stalled.driver).toMatch(/^share of "sync line" 4\.8 % \(normally 50 %\): 2 of 42 lines/);
  });

  it('judges a surge past the busiest training window as if it held no more lines', () => {
    // The mix of gets and posts drifts from window to window more than a binomial spread says.
    const r6 = rand(9);
    const drift = (i: number, traffic: number) => {
      const g = 0.6 + 0.2 * r6();
      return webWindow('mix', i, r6, { rates: { get: 40 * g * traffic, post: 40 * (1 - g) * traffic } });
    };
    const rule = fitRateShare(Array.from({ length: 300 }, (_, i) => drift(i, 1)));
    let worst = 0;
    for (let i = 0; i < 40; i++) worst = Math.max(worst, rule.score(drift(400 + i, 10)).value);
    expect(worst).toBeLessThan(4);
  });

  it('over recent windows: fires while the window itself keeps the share up, not once a spell has ended', () => {
    const recent = fitRateShare(train('shop', 3), {}, true);
    const merged = webWindow('shop', 600, r, { rates: { ...RATES, err: 12 } });
    const during = webWindow('shop', 601, r, { rates: { ...RATES, err: 12 } });
    const after = webWindow('shop', 602, r);
    expect(recent.score(merged, during).value).toBeGreaterThan(8);
    expect(recent.score(merged, during).driver).toMatch(/^over the last \d+ min: share of "err line"/);
    expect(recent.score(merged, after).value).toBe(0);
    // A window too quiet to show the share either way does not end it.
    const quiet = unit('shop', 603, [{ id: 'get' }]);
    expect(recent.score(merged, quiet).value).toBeGreaterThan(8);
  });

  it('round-trips JSON with a stream named constructor', () => {
    const fitted = fitRateShare(train('constructor', 2));
    const back = RateShareRule.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
    const u = webWindow('constructor', 300, r, { rates: { ...RATES, err: 12 } });
    expect(back.score(u)).toEqual(fitted.score(u));
  });
});
