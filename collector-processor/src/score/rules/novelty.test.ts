import { describe, expect, it } from 'vitest';
import { fitNovelty, NoveltyRule, WARMUP_UNITS } from './novelty';
import { rand, repeat, webWindow } from './testing/units';

const train = (stream: string, seed = 1) => {
  const r = rand(seed);
  return Array.from({ length: 120 }, (_, i) => webWindow(stream, i, r, { sev: { err: 17 } }));
};

describe('novelty rule', () => {
  const rule = fitNovelty(train('web'));
  const r = rand(9);

  it('stays at 0 on units of known templates', () => {
    for (let i = 0; i < 20; i++) expect(rule.score(webWindow('web', 200 + i, r)).value).toBe(0);
  });

  it('scores a new ERROR template far above a new INFO template of the same size', () => {
    const info = rule.score(webWindow('web', 300, r, { extra: repeat(40, { id: 'v2', sev: 9 }) }));
    const error = rule.score(webWindow('web', 301, r, { extra: repeat(40, { id: 'boom', sev: 17 }) }));
    expect(info.value).toBeGreaterThan(0);
    expect(error.value).toBeGreaterThan(5 * info.value);
    expect(error.driver).toMatch(/40 lines of never-seen ERROR template/);
  });

  it('reads the level from the message when the header has none', () => {
    const u = webWindow('web', 302, r, {
      extra: repeat(70, { id: 'ib', sev: 0, body: 'mlx4_core: Catastrophic error detected on adapter 3' }),
    });
    const quiet = webWindow('web', 303, r, {
      extra: repeat(70, { id: 'hello', sev: 0, body: 'hello from node 3' }),
    });
    expect(rule.score(u).value).toBeGreaterThan(5 * rule.score(quiet).value);
    expect(rule.score(u).driver).toMatch(/FATAL template/);
  });

  it('warms up: a deploy line seen in a few units stops counting, an error never does', () => {
    const live = fitNovelty(train('web'));
    const scores: number[] = [];
    const errors: number[] = [];
    for (let i = 0; i <= WARMUP_UNITS; i++) {
      const u = webWindow('web', 400 + i, r, {
        extra: [...repeat(5, { id: 'cache warmed v2', sev: 9 }), ...repeat(5, { id: 'oom', sev: 21 })],
      });
      const s = live.score(u);
      scores.push(s.value);
      live.observe(u);
      const onlyErr = webWindow('web', 400 + i, r, { extra: repeat(5, { id: 'oom', sev: 21 }) });
      errors.push(live.score(onlyErr).value);
    }
    expect(scores[1]).toBeLessThan(scores[0]!);
    // After the warm-up only the error template scores.
    expect(scores[WARMUP_UNITS]).toBeCloseTo(errors[WARMUP_UNITS]!, 6);
    expect(errors[WARMUP_UNITS]).toBeCloseTo(errors[0]!, 6);
  });

  it('takes a new INFO line of a process starting or stopping as a deploy, not as news', () => {
    const deploy = webWindow('web', 500, r, {
      extra: [
        { id: 'down', sev: 9, body: '[main] shutting down: received SIGTERM' },
        { id: 'up', sev: 9, body: 'server started port=8080 version=2.4.0' },
      ],
    });
    expect(rule.score(deploy).value).toBe(0);
    const news = webWindow('web', 501, r, {
      extra: [{ id: 'cache', sev: 9, body: 'cache evicted 40 keys' }],
    });
    expect(rule.score(news).value).toBeGreaterThan(0);
    // A stop that reads as a failure is no routine stop.
    const crash = webWindow('web', 502, r, {
      extra: [{ id: 'crash', sev: 9, body: 'worker stopped: fatal error, out of memory' }],
    });
    expect(rule.score(crash).value).toBeGreaterThan(1);
  });

  it('keeps models per stream in a Map (a stream named constructor) and round-trips JSON', () => {
    const fitted = fitNovelty([...train('constructor', 2), ...train('__proto__', 3)]);
    const back = NoveltyRule.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
    const u = webWindow('constructor', 500, r, { extra: repeat(3, { id: 'new', sev: 17 }) });
    expect(fitted.score(u).value).toBeGreaterThan(0);
    expect(back.score(u)).toEqual(fitted.score(u));
    expect(back.score(webWindow('__proto__', 501, r)).value).toBe(0);
    // A stream not seen in training uses the pooled model.
    expect(back.score(webWindow('elsewhere', 502, r)).value).toBe(0);
  });
});
