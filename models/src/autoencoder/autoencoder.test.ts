import { describe, expect, it } from 'vitest';
import { matrix, rng, type Matrix } from '../matrix';
import { Autoencoder } from './autoencoder';

const D = 10;

/** Rows on a 2-d plane inside 10-d space, plus a little noise. */
function planeRows(n: number, seed: number): Matrix {
  const basis = rng(99);
  const A = Array.from({ length: 2 * D }, () => 2 * basis() - 1);
  const random = rng(seed);
  const X = matrix(n, D);
  for (let r = 0; r < n; r++) {
    const z0 = 2 * random() - 1;
    const z1 = 2 * random() - 1;
    for (let j = 0; j < D; j++) X.data[r * D + j] = z0 * A[j]! + z1 * A[D + j]! + 0.02 * (random() - 0.5);
  }
  return X;
}

const opts = { seed: 5, epochs: 300, patience: 15, bottleneck: 2, hidden: 16, learningRate: 3e-3 };

describe('Autoencoder', () => {
  const train = planeRows(600, 1);
  const model = new Autoencoder().fit(train, opts);

  it('lowers its reconstruction loss and holds out 10% for early stopping', () => {
    const t = model.training;
    expect(t.validationRows).toBe(60);
    expect(t.rows).toBe(540);
    expect(t.trainLoss.at(-1)!).toBeLessThan(t.trainLoss[0]! * 0.1);
    expect(t.validationLoss).toHaveLength(t.epochs);
    // Stopped early once the held-out loss stopped improving; the best epoch's weights are kept.
    expect(t.epochs).toBeLessThan(opts.epochs);
    expect(t.epochs - 1 - t.bestEpoch).toBeLessThanOrEqual(opts.patience);
    expect(t.validationLoss[t.bestEpoch]).toBe(Math.min(...t.validationLoss));
  });

  it('scores rows off the training plane above rows on it', () => {
    const normal = model.score(planeRows(200, 2));
    const off = planeRows(50, 3);
    const random = rng(4);
    for (let i = 0; i < off.data.length; i++) off.data[i] += random() - 0.5;
    const anomalous = model.score(off);
    const sorted = [...normal].sort((a, b) => a - b);
    const p99 = sorted[Math.floor(0.99 * sorted.length)]!;
    expect(anomalous.filter((s) => s > p99).length).toBeGreaterThanOrEqual(48);
  });

  it('explains a row by the feature it failed to reconstruct', () => {
    const X = planeRows(3, 6);
    X.data[1 * D + 7] += 3;
    const errors = model.errors(X);
    const scores = model.score(X);
    const row1 = Array.from(errors.data.subarray(D, 2 * D));
    expect(row1.indexOf(Math.max(...row1))).toBe(7);
    for (let r = 0; r < 3; r++) {
      const mean = errors.data.subarray(r * D, (r + 1) * D).reduce((a, b) => a + b, 0) / D;
      expect(scores[r]).toBeCloseTo(mean, 6);
    }
    expect(scores[1]).toBeGreaterThan(10 * Math.max(scores[0]!, scores[2]!));
  });

  it('is deterministic given the seed', () => {
    const weights = (m: Autoencoder) =>
      m.network.map(({ layer }) => [Array.from(layer.w), Array.from(layer.b)]);
    const small = planeRows(100, 7);
    const a = new Autoencoder().fit(small, { ...opts, epochs: 20 });
    const b = new Autoencoder().fit(small, { ...opts, epochs: 20 });
    const c = new Autoencoder().fit(small, { ...opts, epochs: 20, seed: 6 });
    expect(weights(a)).toEqual(weights(b));
    expect(weights(a)).not.toEqual(weights(c));
  });

  it('trains on a seeded sample of at most maxRows rows', () => {
    const capped = new Autoencoder().fit(train, { ...opts, epochs: 3, maxRows: 100 });
    expect(capped.training.rows).toBe(100);
    expect(capped.training.validationRows).toBe(60);
  });

  it('rejects bad input with a clear error', () => {
    expect(() => new Autoencoder().score(train)).toThrow(/not fitted/);
    expect(() => new Autoencoder().fit(matrix(1, D), opts)).toThrow(/at least 2/);
    expect(() => new Autoencoder().fit(matrix(5, 0), opts)).toThrow(/no columns/);
    const nan = planeRows(20, 8);
    nan.data[33] = NaN;
    expect(() => new Autoencoder().fit(nan, opts)).toThrow(/non-finite value at row 3, column 3/);
    expect(() => model.score(matrix(2, D + 1))).toThrow(/fitted on 10 features, input has 11/);
    expect(() => new Autoencoder().fit(train, { ...opts, hidden: 1.5 })).toThrow(/hidden/);
    expect(() => new Autoencoder().fit(train, { ...opts, validationFraction: 1 })).toThrow(
      /validationFraction/,
    );
  });
});
