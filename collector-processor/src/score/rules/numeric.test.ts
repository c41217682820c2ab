import { describe, expect, it } from 'vitest';
import { fitNumeric, NumericRule } from './numeric';
import { paramInfo } from '../../features/slot';
import { poisson, rand, unit, type Line } from './testing/units';

const TEXT: Record<string, string> = {
  orders: 'GET /api/orders status=<*> rt=<*>',
  users: 'GET /api/users status=<*> rt=<*>',
};
const ctx = { templateText: (id: string) => TEXT[id] };

/** Request lines with log-normal response times (ms) around `orders`/`users` medians. */
function window(i: number, r: () => number, traffic = 1, ordersMs = 50, usersMs = 20, seconds = false) {
  const lines: Line[] = [];
  for (const [id, ms] of [
    ['orders', ordersMs],
    ['users', usersMs],
  ] as const) {
    const n = poisson(r, 40 * traffic);
    for (let k = 0; k < n; k++) {
      const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
      const rt = Math.round(ms * Math.exp(0.5 * z));
      const v = seconds ? (rt / 1000).toFixed(3) : `${rt}ms`;
      lines.push({ id, sev: 9, params: ['200', v], body: `GET /api/${id} status=200 rt=${v}` });
    }
  }
  return unit('api', i, lines);
}

describe('numeric rule', () => {
  const r = rand(1);
  const rule = fitNumeric(
    Array.from({ length: 120 }, (_, i) => window(i, r)),
    ctx,
  );

  it('sees a latency written in seconds get 3x slower (0.05 s moves log1p by 0.09, not ln 3)', () => {
    const rs = rand(4);
    const secs = fitNumeric(
      Array.from({ length: 120 }, (_, i) => window(i, rs, 1, 50, 20, true)),
      ctx,
    );
    expect(secs.score(window(300, rs, 1, 150, 20, true)).value).toBeGreaterThan(8);
    let worst = 0;
    for (let i = 0; i < 30; i++)
      worst = Math.max(worst, secs.score(window(400 + i, rs, 1, 52, 20, true)).value);
    expect(worst).toBeLessThan(3);
  });

  it('fires when one endpoint gets 3x slower and names it', () => {
    const s = rule.score(window(300, r, 1, 150));
    expect(s.value).toBeGreaterThan(8);
    expect(s.driver).toMatch(
      /^mean of rt for "GET \/api\/orders status=<\*> rt=<\*>" 1\d\d ms \(normally 5\d ms\)$/,
    );
  });

  it('stays quiet at 2.5x traffic and on ordinary variation', () => {
    let worst = 0;
    for (let i = 0; i < 40; i++) worst = Math.max(worst, rule.score(window(400 + i, r, 2.5)).value);
    expect(worst).toBeLessThan(3);
  });

  it('lists the templates whose parameters it reads', () => {
    expect([...rule.templates()].sort()).toEqual(['orders', 'users']);
  });

  it('round-trips JSON with a stream named constructor', () => {
    const r2 = rand(2);
    const us = Array.from({ length: 60 }, (_, i) => ({ ...window(i, r2), stream: 'constructor' }));
    const fitted = fitNumeric(us, ctx);
    const back = NumericRule.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())), ctx);
    const u = { ...window(300, r2, 1, 150), stream: 'constructor' };
    expect(back.score(u)).toEqual(fitted.score(u));
    expect(back.score(u).value).toBeGreaterThan(5);
  });

  it('names parameters from the template', () => {
    expect(paramInfo('GET <*> rt=<*>', 1, 'x GET /a rt=12ms')).toEqual({ name: 'rt', suffix: 'ms' });
    expect(paramInfo('backup took <*> s', 0)).toEqual({ name: 'took', suffix: 's' });
    expect(paramInfo('<*> <*>', 1)).toEqual({ name: 'parameter 2', suffix: '' });
  });

  it('keeps numbers of structured lines per route, so one slow endpoint is not averaged away', () => {
    const r = rand(9);
    const ROUTES = { '/api/products/{id}': 30, '/api/orders/{id}': 50, '/api/cart': 40 } as const;
    const json = (i: number, slow = 1) => {
      const lines: Line[] = [];
      for (const [route, ms] of Object.entries(ROUTES))
        for (let k = poisson(r, route === '/api/orders/{id}' ? 3 : 15); k > 0; k--) {
          const z = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
          const d = Math.round(ms * Math.exp(0.35 * z) * (route === '/api/orders/{id}' ? slow : 1));
          lines.push({ id: 'handled', sev: 9, fields: { route, status: 200, duration_ms: d, user: 'u1' } });
        }
      return unit('api', i, lines);
    };
    const rule = fitNumeric(
      Array.from({ length: 200 }, (_, i) => json(i)),
      { templateText: () => 'request handled' },
    );
    const s = rule.score(json(300, 3));
    expect(s.value).toBeGreaterThan(4);
    expect(s.driver).toMatch(
      /^mean of duration_ms of \/api\/orders\/\{id\} for "request handled" 1\d\d ms \(normally 5\d ms\)$/,
    );
    let worst = 0;
    for (let i = 0; i < 40; i++) worst = Math.max(worst, rule.score(json(400 + i)).value);
    expect(worst).toBeLessThan(3);
  });

  it('judges a value by how often the baseline held it, not by a normal curve (short last blocks)', () => {
    const r = rand(5);
    // 64 MB blocks, and one in twelve the short last block of a file, of any size from 1 MB.
    const block = (i: number, bytes: number) =>
      unit(
        'hdfs',
        i,
        [0, 1, 2].map(() => ({ id: 'recv', sev: 9, params: [`${bytes}`] })),
      );
    const size = () => (r() < 1 / 12 ? Math.round(1e6 * Math.exp(r() * Math.log(60))) : 67108864);
    const rule = fitNumeric(
      Array.from({ length: 1200 }, (_, i) => block(i, size())),
      { templateText: () => 'Received block of size <*>' },
    );
    // As short as the shortest blocks of the baseline: about one in a few hundred.
    expect(rule.score(block(5000, 1_100_000)).value).toBeLessThan(3.5);
    // A size the baseline never came near still stands out.
    expect(rule.score(block(5001, 2_000)).value).toBeGreaterThan(6);
  });
});
