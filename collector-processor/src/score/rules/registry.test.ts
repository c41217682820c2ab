import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { unitFromJson, unitToJson, type UnitJson } from '../../features/unit';
import { RULE_NAMES } from './rule';
import { fitRules, rulesFromJSON } from './registry';
import { rand, repeat, webWindow } from './testing/units';

describe('rule registry', () => {
  const r = rand(1);
  const train = Array.from({ length: 200 }, (_, i) =>
    webWindow('constructor', i, r, { sev: { err: 17 }, extra: [{ id: 'heartbeat', sev: 9 }] }),
  );
  const rules = fitRules(train, { templateText: (id) => `template ${id}` });

  it('fits all six rules and scores every one, 0 on a normal unit', () => {
    expect(rules.names).toEqual(RULE_NAMES);
    const s = rules.score(
      webWindow('constructor', 300, r, { sev: { err: 17 }, extra: [{ id: 'heartbeat', sev: 9 }] }),
    );
    expect(Object.keys(s).sort()).toEqual([...RULE_NAMES].sort());
    expect(Math.max(...Object.values(s).map((x) => x.value))).toBeLessThan(3);
  });

  it('round-trips through JSON with identical scores', () => {
    const back = rulesFromJSON(JSON.parse(JSON.stringify(rules.toJSON())), {
      templateText: (id) => `template ${id}`,
    });
    for (let i = 0; i < 10; i++) {
      const u = webWindow('constructor', 400 + i, r, {
        sev: { err: 17 },
        traffic: i % 2 ? 0.1 : 1,
        extra: repeat(i, { id: 'new', sev: 21 }),
      });
      expect(back.score(u)).toEqual(rules.score(u));
    }
    expect(() => rulesFromJSON({ version: 2 } as never)).toThrow(/unsupported rules version/);
  });

  it('scores fast: per unit, not per line', () => {
    const units = Array.from({ length: 500 }, (_, i) =>
      webWindow('constructor', 1000 + i, r, { traffic: 4 }),
    );
    const t0 = performance.now();
    for (const u of units) {
      rules.score(u);
      rules.observe(u);
    }
    const perUnit = (performance.now() - t0) / units.length;
    // About 1,100 lines a unit; a shared 2-core machine still does this in well under a millisecond.
    expect(perUnit).toBeLessThan(2);
  });
});

describe('Unit JSON', () => {
  it('keeps header levels and numeric squares, and reads snapshots written before them', () => {
    const u = webWindow('s', 0, rand(2), {
      extra: [
        { id: 'x', sev: 17, params: ['12ms'] },
        { id: 'x', params: ['3'] },
      ],
    });
    const back = unitFromJson(JSON.parse(JSON.stringify(unitToJson(u))) as UnitJson);
    expect(back.levels.get('x')).toBe(5);
    expect(back.numeric.get('x#0')).toEqual(u.numeric.get('x#0'));
    expect(u.numeric.get('x#0')!.sq).toBeCloseTo(Math.log1p(12) ** 2 + Math.log1p(3) ** 2, 9);
    const old = JSON.parse(JSON.stringify(unitToJson(u))) as UnitJson;
    delete old.levels;
    old.numeric = old.numeric.map(([k, v]) => [k, { sum: v.sum, n: v.n }]);
    const restored = unitFromJson(old);
    expect(restored.levels.size).toBe(0);
    expect(restored.numeric.get('x#0')!.sq).toBeCloseTo(u.numeric.get('x#0')!.sum ** 2 / 2, 9);
  });
});
