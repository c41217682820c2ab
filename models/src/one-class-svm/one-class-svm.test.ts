import { describe, expect, it } from 'vitest';
import { matrix } from '../matrix';
import { auc, blobs, expectOnnxMatches, stack } from '../onnx/test-fixtures';
import { OneClassSvm } from './one-class-svm';

const D = 5;
const train = blobs(800, D, 1);
const normal = blobs(300, D, 2);
const far = blobs(40, D, 3, [7]);

describe('OneClassSvm', () => {
  it('satisfies the nu property: outliers <= nu * n <= support vectors', () => {
    const nu = 0.1;
    const svm = new OneClassSvm().fit(train, { seed: 1, nu, tolerance: 1e-4 });
    const s = svm.score(train);
    const outside = Array.from(s).filter((v) => v > 1e-3).length;
    const { supportVectors } = svm.card().training;
    expect(outside).toBeLessThanOrEqual(nu * train.rows + 1);
    expect(supportVectors).toBeGreaterThanOrEqual(nu * train.rows - 1);
  });

  it('defaults gamma to 1 / (D * var(X))', () => {
    let mean = 0;
    for (const v of train.data) mean += v / train.data.length;
    let variance = 0;
    for (const v of train.data) variance += (v - mean) ** 2 / train.data.length;
    const card = new OneClassSvm().fit(train, { seed: 1 }).card();
    expect(card.hyperparameters['gamma']).toBeCloseTo(1 / (D * variance), 6);
  });

  it('treats merged duplicate rows as the rows they stand for', () => {
    // Every row twice is the same problem with all coefficients and rho doubled.
    const small = blobs(200, D, 4);
    const twice = stack(small, small);
    const once = new OneClassSvm().fit(small, { seed: 1, tolerance: 1e-5 });
    const doubled = new OneClassSvm().fit(twice, {
      seed: 1,
      tolerance: 1e-5,
      gamma: once.card().hyperparameters['gamma'] as number,
    });
    expect(doubled.card().training['distinctRows']).toBe(200);
    const a = once.score(normal);
    const b = doubled.score(normal);
    const scale = Math.max(...Array.from(a, Math.abs));
    for (let i = 0; i < a.length; i++) expect(Math.abs(b[i]! - 2 * a[i]!)).toBeLessThan(1e-2 * scale);
  });

  it('ranks far outliers above normal rows', () => {
    const svm = new OneClassSvm().fit(train, { seed: 1 });
    expect(auc(svm.score(normal), svm.score(far))).toBeGreaterThan(0.97);
  });

  it('gives the TypeScript scores through onnxruntime', async () => {
    await expectOnnxMatches(new OneClassSvm().fit(train, { seed: 1 }), stack(normal, far));
  });

  it('is deterministic given the seed when rows are subsampled', () => {
    const a = new OneClassSvm().fit(train, { seed: 3, maxRows: 300 });
    const b = new OneClassSvm().fit(train, { seed: 3, maxRows: 300 });
    const other = new OneClassSvm().fit(train, { seed: 4, maxRows: 300 });
    expect(Buffer.from(a.toOnnx()).equals(Buffer.from(b.toOnnx()))).toBe(true);
    expect(Buffer.from(a.toOnnx()).equals(Buffer.from(other.toOnnx()))).toBe(false);
  });

  it('refuses NaN, the wrong width and scoring before fit', () => {
    const svm = new OneClassSvm().fit(train, { seed: 1, maxRows: 100 });
    const bad = matrix(2, D);
    bad.data[D + 1] = Infinity;
    expect(() => svm.score(bad)).toThrow(/row 1, column 1 is not finite/);
    expect(() => svm.score(matrix(1, 2))).toThrow(/expects 5 features, got 2/);
    expect(() => new OneClassSvm().toOnnx()).toThrow(/not fitted/);
  });
});
