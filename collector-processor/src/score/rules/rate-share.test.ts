import { describe, expect, it } from 'vitest';
import { fitRateShare, RateShareRule } from './rate-share';
import { rand, webWindow } from './testing/units';

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

  it('round-trips JSON with a stream named constructor', () => {
    const fitted = fitRateShare(train('constructor', 2));
    const back = RateShareRule.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
    const u = webWindow('constructor', 300, r, { rates: { ...RATES, err: 12 } });
    expect(back.score(u)).toEqual(fitted.score(u));
  });
});
