import { describe, expect, it } from 'vitest';
import { fitSilence, SilenceRule } from './silence';
import { rand, repeat, webWindow, unit, type Line } from './testing/units';

/** Traffic plus a heartbeat every window and a job every 5th window. */
const lines = (i: number, heartbeat = true, job = i % 5 === 0): Line[] => [
  ...(heartbeat ? [{ id: 'heartbeat', sev: 9 }] : []),
  ...(job ? repeat(3, { id: 'job', sev: 9 }) : []),
];
const train = (stream: string, seed: number) => {
  const r = rand(seed);
  return Array.from({ length: 200 }, (_, i) => webWindow(stream, i, r, { extra: lines(i) }));
};

describe('silence rule', () => {
  const r = rand(4);

  it('fires when a busy stream goes nearly silent, not when traffic grows 2.5x', () => {
    const rule = fitSilence(train('web', 1));
    const quiet = rule.score(webWindow('web', 300, r, { traffic: 0.05, extra: lines(300) }));
    expect(quiet.value).toBeGreaterThan(5);
    expect(quiet.driver).toMatch(/lines \(normally about 28\d\)/);
    expect(rule.score(unit('web', 301, [])).driver).toMatch(/^no log lines at all/);
    let worst = 0;
    for (let i = 0; i < 40; i++)
      worst = Math.max(
        worst,
        rule.score(webWindow('web', 400 + i, r, { traffic: 2.5, extra: lines(400 + i) })).value,
      );
    expect(worst).toBe(0);
  });

  it('fires when a periodic job stops, and says since when', () => {
    const rule = fitSilence(train('web', 2));
    let fired = -1;
    let driver = '';
    for (let i = 500; i < 520; i++) {
      // The job ran at 500 and then stops; heartbeats go on.
      const u = webWindow('web', i, r, { extra: lines(i, true, i === 500) });
      const s = rule.score(u);
      if (fired < 0 && s.value > 2) {
        fired = i;
        driver = s.driver ?? '';
      }
      rule.observe(u);
    }
    expect(fired).toBeGreaterThan(504);
    expect(fired).toBeLessThanOrEqual(507);
    expect(driver).toMatch(
      /^"job" missing since 08:21 UTC: \d windows without it \(normally at least every 5 windows\)$/,
    );
  });

  it('pages at the onset of a missing heartbeat, not in every window after a job is retired', () => {
    const rule = fitSilence(train('web', 4));
    const firing: number[] = [];
    for (let i = 600; i < 660; i++) {
      const u = webWindow('web', i, r, { extra: lines(i, false) });
      if (rule.score(u).value > 2) firing.push(i);
      rule.observe(u);
    }
    expect(firing[0]).toBe(600);
    expect(firing.length).toBeGreaterThanOrEqual(5);
    expect(firing.length).toBeLessThanOrEqual(10);
  });

  it('fires in the first window a heartbeat is missing', () => {
    const rule = fitSilence(train('web', 3));
    const s = rule.score(webWindow('web', 600, r, { extra: lines(600, false) }));
    expect(s.value).toBeGreaterThan(2);
    expect(s.driver).toMatch(/"heartbeat" missing .*normally in every window/);
  });

  it('reads gaps from the whole timeline where a fifth of the windows is held back', () => {
    const all = train('web', 8);
    const r2 = rand(8);
    const fitted = all.filter(() => r2() >= 0.2);
    const heartbeatGone = webWindow('web', 600, r, { extra: lines(600, false) });
    // Holes in the fitted windows are no gaps of the heartbeat: it still pages in the first window.
    expect(fitSilence(fitted, { timeline: all }).score(heartbeatGone).value).toBeGreaterThan(2);
    expect(fitSilence(fitted).score(heartbeatGone).value).toBeLessThan(1);
  });

  it('leaves a busy template missing for a window to the volume check: traffic is no heartbeat', () => {
    const rule = fitSilence(train('web', 9));
    // webWindow's "get" lines (about 200 a window) are in every training window, like the heartbeat.
    // The same volume, every request a post this window.
    const noGets = webWindow('web', 700, r, { rates: { post: 260, login: 20 }, extra: lines(700) });
    expect(rule.score(noGets).value).toBeLessThan(1);
    // An endpoint with a few requests a window by day and one or two by night: random, and rarely
    // absent for long, but no job that stopped when it is.
    const r3 = rand(10);
    const quiet = fitSilence(
      Array.from({ length: 400 }, (_, i) =>
        webWindow('api', i, r3, { rates: { get: 200, post: i % 4 ? 5 : 1.5 } }),
      ),
    );
    let worst = 0;
    for (let i = 0; i < 30; i++)
      worst = Math.max(worst, quiet.score(webWindow('api', 500 + i, r3, { rates: { get: 200 } })).value);
    expect(worst).toBeLessThan(1);
  });

  it('ignores sessions, and round-trips JSON with a stream named constructor', () => {
    const fitted = fitSilence(train('constructor', 5));
    const back = SilenceRule.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
    const u = webWindow('constructor', 700, r, { traffic: 0.05 });
    expect(back.score(u)).toEqual(fitted.score(u));
    expect(back.score(u).value).toBeGreaterThan(5);
    expect(back.score({ ...u, kind: 'session' }).value).toBe(0);
  });
});

describe('silence rule beside a stream that is mostly quiet', () => {
  it('judges the quiet stream by its own (empty) model after a JSON round trip, not the pooled one', () => {
    // A quiet stream (a line now and then, at no regular interval) beside a busy one with a heartbeat.
    const now = new Set([3, 50, 51, 120, 190]);
    const quietTrain = Array.from({ length: 200 }, (_, i) =>
      unit('quiet', i, now.has(i) ? [{ id: 'ntp' }] : []),
    );
    const fitted = fitSilence([...train('web', 6), ...quietTrain]);
    const back = SilenceRule.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
    let worst = 0;
    for (let i = 300; i < 330; i++) {
      const u = unit('quiet', i, []);
      worst = Math.max(worst, back.score(u).value);
      back.observe(u);
    }
    expect(worst).toBe(0);
  });
});

describe('silence rule for a stream with too few training windows of its own', () => {
  it('does not judge it by the periodic lines of the other streams pooled together', () => {
    const short = Array.from({ length: 10 }, (_, i) => unit('api', i, [{ id: 'get' }, { id: 'get' }]));
    const rule = fitSilence([...train('worker', 7), ...short]);
    let worst = 0;
    for (let i = 20; i < 40; i++) {
      const u = unit('api', i, [{ id: 'get' }, { id: 'get' }]);
      worst = Math.max(worst, rule.score(u).value);
      rule.observe(u);
    }
    expect(worst).toBe(0);
  });
});
