import { describe, expect, it } from 'vitest';
import { fitNewValues, NewValuesRule } from './new-values';
import { poisson, rand, unit, type Line } from './testing/units';

const TEXT: Record<string, string> = {
  ok: 'login succeeded user=<*> ip=<*> session=<*>',
  refresh: 'token refreshed user=<*>',
};
const ctx = { templateText: (id: string) => TEXT[id] };
const USERS = Array.from({ length: 200 }, (_, i) => ({ user: `u${1000 + i}`, ip: `10.0.${i % 50}.${i}` }));

/** Logins of known users from their own addresses; sessions are always new (an id slot). */
function window(i: number, r: () => number, extra: Line[] = []) {
  const lines: Line[] = [];
  for (let k = poisson(r, 6); k > 0; k--) {
    const u = USERS[Math.floor(r() * USERS.length)]!;
    lines.push({ id: 'ok', params: [u.user, u.ip, `s${Math.floor(r() * 1e9)}`] });
  }
  return unit('auth', i, [...lines, ...extra]);
}

const stranger = (r: () => number): Line => ({
  id: 'ok',
  params: [
    USERS[Math.floor(r() * USERS.length)]!.user,
    `185.220.${Math.floor(r() * 255)}.${1 + Math.floor(r() * 250)}`,
    's1',
  ],
});

describe('new-values rule', () => {
  const r = rand(4);
  const rule = fitNewValues(
    Array.from({ length: 400 }, (_, i) => window(i, r)),
    ctx,
  );

  it('fires on successful logins from many never-seen addresses and names them', () => {
    const s = rule.score(window(500, r, [stranger(r), stranger(r), stranger(r)]));
    expect(s.value).toBeGreaterThan(5);
    expect(s.driver).toMatch(
      /^3 of \d+ ip values never seen in "login succeeded user=<\*> ip=<\*> session=<\*>" \(normally .* new\): 185\.220\./,
    );
  });

  it('ignores slots whose values are always new, and one new value', () => {
    expect([...rule.templates()]).toEqual(['ok']);
    let worst = 0;
    for (let i = 0; i < 50; i++) worst = Math.max(worst, rule.score(window(600 + i, r, [stranger(r)])).value);
    expect(worst).toBe(0);
  });

  it('knows a value from the unit after the one it first came in', () => {
    const live = NewValuesRule.fromJSON(JSON.parse(JSON.stringify(rule.toJSON())), ctx);
    const deploy = (i: number) =>
      window(i, r, [
        { id: 'ok', params: ['u9001', '172.16.0.1', 's2'] },
        { id: 'ok', params: ['u9002', '172.16.0.2', 's3'] },
      ]);
    const first = deploy(700);
    expect(live.score(first).value).toBeGreaterThan(0);
    live.observe(first);
    expect(live.score(deploy(701)).value).toBe(0);
  });
});
