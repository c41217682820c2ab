import { describe, expect, it } from 'vitest';
import { fitSeverity, SeverityRule } from './severity';
import { rand, repeat, unit, webWindow } from './testing/units';

// 'err' lines carry ERROR in the header: about 0.1 % of lines.
const SEV = { err: 17 };
const train = (stream: string, seed: number) => {
  const r = rand(seed);
  return Array.from({ length: 150 }, (_, i) => webWindow(stream, i, r, { sev: SEV }));
};

describe('severity rule', () => {
  const rule = fitSeverity(train('shop', 1));
  const r = rand(5);

  it('fires on an error share of 4 % and names the share', () => {
    const u = webWindow('shop', 300, r, { sev: SEV, rates: { get: 200, post: 60, login: 20, err: 12 } });
    const s = rule.score(u);
    expect(s.value).toBeGreaterThan(8);
    expect(s.driver).toMatch(/^error share [345](\.\d)? % \(normally 0\.1\d? %\)/);
  });

  it('stays quiet at 2.5x traffic with the same error share', () => {
    let worst = 0;
    for (let i = 0; i < 30; i++)
      worst = Math.max(worst, rule.score(webWindow('shop', 400 + i, r, { sev: SEV, traffic: 2.5 })).value);
    expect(worst).toBeLessThan(3);
  });

  it('reads escalation from messages when the header has no level', () => {
    const r2 = rand(2);
    const sys = Array.from({ length: 100 }, (_, i) =>
      unit('kern', i, [
        ...repeat(50 + Math.floor(r2() * 20), { id: 'cron', body: 'CMD (run-parts /etc/cron.hourly)' }),
        ...repeat(Math.floor(r2() * 3), { id: 'dhcp', body: 'DHCPREQUEST on eth0' }),
      ]),
    );
    const kern = fitSeverity(sys);
    const ok = unit('kern', 200, repeat(60, { id: 'cron', body: 'CMD (run-parts /etc/cron.hourly)' }));
    const bad = unit('kern', 201, [
      ...repeat(60, { id: 'cron', body: 'CMD (run-parts /etc/cron.hourly)' }),
      ...repeat(20, { id: 'ib', body: 'mlx4: Catastrophic error on adapter 2' }),
    ]);
    expect(kern.score(ok).value).toBe(0);
    const s = kern.score(bad);
    expect(s.value).toBeGreaterThan(10);
    expect(s.driver).toMatch(/^FATAL share 25 %.*level read from the message/);
    // The header wins: the same words at INFO level are not escalation.
    const info = unit('kern', 202, [
      ...repeat(60, { id: 'cron', body: 'CMD (run-parts /etc/cron.hourly)' }),
      ...repeat(20, { id: 'ib', sev: 9, body: 'mlx4: Catastrophic error on adapter 2' }),
    ]);
    expect(kern.score(info).value).toBe(0);
  });

  it('tolerates a baseline holding one error burst', () => {
    const base = train('shop', 3);
    base[50] = webWindow('shop', 50, r, { sev: SEV, extra: repeat(200, { id: 'err', sev: 17 }) });
    const contaminated = fitSeverity(base);
    const u = webWindow('shop', 300, r, { sev: SEV, rates: { get: 200, post: 60, login: 20, err: 12 } });
    expect(contaminated.score(u).value).toBeGreaterThan(8);
  });

  it('round-trips JSON with a stream named constructor', () => {
    const fitted = fitSeverity(train('constructor', 4));
    const back = SeverityRule.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
    const u = webWindow('constructor', 300, r, { sev: SEV, extra: repeat(30, { id: 'err', sev: 21 }) });
    expect(back.score(u)).toEqual(fitted.score(u));
    expect(back.score(u).value).toBeGreaterThan(5);
  });
});
