import { describe, expect, it } from 'vitest';
import { rng } from '../matrix';
import { consensusOutliers } from './consensus-trim';
import { MODEL_NAMES, type ModelName } from './ensemble';

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** Independent normal scores per model, the last `incidents` units far out for every model. */
function scores(n: number, incidents: number, seed: number): Record<ModelName, number[]> {
  const r = rng(seed);
  const out = {} as Record<ModelName, number[]>;
  for (const m of MODEL_NAMES)
    out[m] = Array.from({ length: n }, (_, i) => gaussian(r) + (i >= n - incidents ? 4 + r() : 0));
  return out;
}

describe('consensusOutliers', () => {
  it("finds a baseline's incidents, extreme for every model, even when they hide each other", () => {
    const n = 1000;
    const out = consensusOutliers(scores(n, 30, 1));
    const found = [...out].filter((i) => i >= n - 30).length;
    expect(found).toBeGreaterThanOrEqual(27);
    expect(out.size - found).toBeLessThanOrEqual(2);
  });

  it('leaves a clean baseline alone: rare units are extreme for some models, not for all', () => {
    for (const seed of [2, 3, 4])
      expect(consensusOutliers(scores(1000, 0, seed)).size).toBeLessThanOrEqual(1);
  });

  it('never leaves out more than its share, and nothing of a set too small to judge', () => {
    expect(consensusOutliers(scores(1000, 300, 5), { maxShare: 0.1 }).size).toBeLessThanOrEqual(100);
    expect(consensusOutliers(scores(30, 3, 6)).size).toBe(0);
  });

  it('never leaves out a unit it is told to keep, though it still counts in the quantiles', () => {
    const n = 1000;
    const kept = (i: number) => i >= n - 10;
    const out = consensusOutliers(scores(n, 30, 1), { keep: kept });
    expect([...out].some(kept)).toBe(false);
    expect([...out].filter((i) => i >= n - 30).length).toBeGreaterThanOrEqual(17);
  });
});
