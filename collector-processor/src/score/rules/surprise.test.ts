import { describe, expect, it } from 'vitest';
import {
  binomialLower,
  binomialUpper,
  dispersion,
  normalUpper,
  poissonLower,
  poissonUpper,
} from './surprise';

/** -log10 of a binomial tail by direct summation (small n only). */
function directBinomial(k: number, n: number, p: number, upper: boolean): number {
  let lnC = 0;
  let sum = 0;
  for (let i = 0; i <= n; i++) {
    if (i > 0) lnC += Math.log((n - i + 1) / i);
    const term = Math.exp(lnC + i * Math.log(p) + (n - i) * Math.log1p(-p));
    if (upper ? i >= k : i <= k) sum += term;
  }
  return -Math.log10(sum);
}

describe('surprise', () => {
  it('Poisson tails match closed forms', () => {
    expect(poissonUpper(1, 1)).toBeCloseTo(-Math.log10(1 - Math.exp(-1)), 6);
    expect(poissonLower(0, 20)).toBeCloseTo(20 / Math.LN10, 6);
    // P(X >= 10 | 1) = 1.1142e-7
    expect(poissonUpper(10, 1)).toBeCloseTo(-Math.log10(1.1142e-7), 3);
    expect(poissonUpper(0, 5)).toBe(0);
  });

  it('binomial tails match direct sums, far into the tail', () => {
    for (const [k, n, p] of [
      [3, 20, 0.1],
      [40, 400, 0.01],
      [1, 50, 0.001],
      [200, 300, 0.2],
    ] as const) {
      expect(binomialUpper(k, n, p)).toBeCloseTo(directBinomial(k, n, p, true), 4);
      expect(binomialLower(k, n, p)).toBeCloseTo(directBinomial(k, n, p, false), 4);
    }
  });

  it('stays finite and ordered past double precision', () => {
    const a = binomialUpper(400, 10_000, 0.001);
    const b = binomialUpper(800, 10_000, 0.001);
    expect(a).toBeGreaterThan(100);
    expect(b).toBeGreaterThan(a);
    expect(b).toBeLessThan(100_000);
  });

  it('normal tail', () => {
    expect(normalUpper(3)).toBeCloseTo(-Math.log10(0.0013499), 3);
    expect(normalUpper(10)).toBeCloseTo(-Math.log10(7.6199e-24), 2);
    expect(normalUpper(-3)).toBeCloseTo(-Math.log10(1 - 0.0013499), 5);
  });

  it('dispersion is 1 for binomial counts and large for bursty ones', () => {
    const ns = Array.from({ length: 200 }, () => 1000);
    const calm = ns.map((_, j) => 10 + ((j * 7) % 7) - 3);
    const bursty = ns.map((_, j) => (j % 2 ? 0 : 20) + ((j * 13) % 9));
    expect(dispersion(calm, ns, 0.01)).toBeLessThan(2);
    expect(dispersion(bursty, ns, 0.014)).toBeGreaterThan(5);
  });
});
