import { describe, expect, it } from 'vitest';
import { ValueDistribution } from './value-distribution';

const uniform = (n: number) => Array.from({ length: n }, (_, i) => i / (n - 1));

describe('ValueDistribution', () => {
  it('gives the two-sided conformal surprise of a value inside the range', () => {
    const d = ValueDistribution.fit(uniform(1001));
    expect(d.surprise(0.5, 0.01)).toBeCloseTo(0, 2);
    // One in a hundred below: twice that, two-sided.
    expect(d.surprise(0.01, 0.01)).toBeCloseTo(-Math.log10((2 * 11) / 1002), 1);
    expect(d.surprise(0.75, 0.01)).toBeCloseTo(-Math.log10(0.5), 1);
  });

  it('keeps growing past the range, faster for a short tail than for a long one', () => {
    const d = ValueDistribution.fit(uniform(1001));
    const edge = Math.log10(1002 / 2);
    expect(d.surprise(1.05, 0.01)).toBeGreaterThan(edge);
    expect(d.surprise(1.5, 0.01)).toBeGreaterThan(d.surprise(1.05, 0.01) + 10);
    const long = ValueDistribution.fit([
      ...uniform(985),
      2,
      3,
      4,
      5,
      6,
      7,
      8,
      9,
      10,
      11,
      12,
      13,
      14,
      15,
      16,
      17,
    ]);
    expect(long.surprise(18, 0.01)).toBeLessThan(edge + 1);
  });

  it('treats equal values as one point and survives a JSON round trip', () => {
    const d = ValueDistribution.fit(Array.from({ length: 50 }, () => 3));
    expect(d.surprise(3, 0.01)).toBe(0);
    const back = ValueDistribution.fromJSON(JSON.parse(JSON.stringify(d.toJSON())));
    expect(back.surprise(3.2, 0.01)).toBe(d.surprise(3.2, 0.01));
    expect(d.surprise(3.2, 0.01)).toBeGreaterThan(8);
  });
});
