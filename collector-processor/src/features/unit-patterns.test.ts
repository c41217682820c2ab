import { describe, expect, it } from 'vitest';
import { newUnit, type Unit } from './unit';
import { largestRepeat, repeatedUnits, unitPattern } from './unit-patterns';

function unit(stream: string, counts: Record<string, number>): Unit {
  const u = newUnit(stream, `k${Math.random()}`, 'session', 0);
  for (const [id, n] of Object.entries(counts)) u.counts.set(id, n);
  return u;
}

describe('unit patterns', () => {
  it('keys a unit by its stream and template counts, whatever the order they came in', () => {
    expect(unitPattern(unit('a', { x: 1, y: 2 }))).toBe(unitPattern(unit('a', { y: 2, x: 1 })));
    expect(unitPattern(unit('a', { x: 1, y: 2 }))).not.toBe(unitPattern(unit('a', { x: 1, y: 3 })));
    expect(unitPattern(unit('a', { x: 1 }))).not.toBe(unitPattern(unit('b', { x: 1 })));
  });

  it('finds the units whose pattern repeats at least the given number of times', () => {
    const common = [1, 2, 3].map(() => unit('a', { x: 15, y: 3 }));
    const twice = [1, 2].map(() => unit('a', { x: 1 }));
    const found = repeatedUnits([...common, ...twice, unit('a', { z: 1 })], 3);
    expect([...found]).toEqual(common);
  });

  it('counts the most times one pattern occurs', () => {
    expect(largestRepeat([])).toBe(0);
    const us = [unit('a', { x: 1 }), unit('a', { x: 1 }), unit('a', { y: 1 }), unit('a', { x: 1 })];
    expect(largestRepeat(us)).toBe(3);
  });
});
