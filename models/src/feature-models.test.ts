import { describe, expect, it } from 'vitest';
import { IsolationForest } from './isolation-forest/isolation-forest';
import { Lof } from './lof/lof';
import { matrix, rng, type Matrix } from './matrix';
import { OneClassSvm } from './one-class-svm/one-class-svm';
import { createSession, runMatrix } from './onnx/onnx-session';

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** Two Gaussian blobs in D dims; the last dimension is always 0 in training (a never-seen template). */
function blobs(n: number, D: number, seed: number): Matrix {
  const r = rng(seed);
  const m = matrix(n, D);
  for (let i = 0; i < n; i++) {
    const centre = i % 2 ? 2 : -2;
    for (let d = 0; d < D - 1; d++) m.data[i * D + d] = centre + gaussian(r);
  }
  return m;
}

/** Outliers: far from both blobs, or normal except for the constant dimension. */
function outliers(n: number, D: number, seed: number, kind: 'far' | 'novel'): Matrix {
  const r = rng(seed);
  const m = blobs(n, D, seed + 1);
  for (let i = 0; i < n; i++) {
    if (kind === 'far') for (let d = 0; d < D - 1; d++) m.data[i * D + d] = 8 + gaussian(r);
    else m.data[i * D + D - 1] = 3;
  }
  return m;
}

function auc(normal: ArrayLike<number>, anomalous: ArrayLike<number>): number {
  let wins = 0;
  for (const a of Array.from(anomalous))
    for (const b of Array.from(normal)) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (normal.length * anomalous.length);
}

const D = 6;
const train = blobs(600, D, 1);
const testNormal = blobs(200, D, 2);
const models = {
  isolation_forest: (X = train) => new IsolationForest().fit(X, { seed: 3 }),
  one_class_svm: (X = train) => new OneClassSvm().fit(X, { seed: 3, nu: 0.05 }),
  lof: (X = train) => new Lof().fit(X, { seed: 3, k: 15 }),
};

describe.each(Object.entries(models))('%s', (_name, make) => {
  const model = make();

  it('ranks far outliers above fresh normal rows', () => {
    expect(auc(model.score(testNormal), model.score(outliers(50, D, 4, 'far')))).toBeGreaterThan(0.97);
  });

  it('gives the same scores through onnxruntime as in TypeScript', async () => {
    const X = matrix(testNormal.rows + 20, D);
    X.data.set(testNormal.data);
    X.data.set(outliers(20, D, 5, 'far').data, testNormal.data.length);
    const session = await createSession(model.toOnnx());
    const { score } = await runMatrix(session, X, ['score'], 64);
    await session.release();
    const ts = model.score(X);
    for (let i = 0; i < X.rows; i++) expect(score![i]!).toBeCloseTo(ts[i]!, Math.abs(ts[i]!) > 10 ? 1 : 3);
  });

  it('is deterministic given the seed', () => {
    expect(Buffer.from(make().toOnnx()).equals(Buffer.from(model.toOnnx()))).toBe(true);
  });

  it('refuses a matrix of the wrong width and non-finite training values', () => {
    expect(() => model.score(matrix(1, D + 1))).toThrow(/expects 6 features/);
    const bad = matrix(4, 2, Float32Array.from([0, 1, 2, NaN, 4, 5, 6, 7]));
    expect(() => make(bad)).toThrow(/not finite/);
  });

  it('describes itself in a model card', () => {
    const card = model.card('v9');
    expect(card.version).toBe('v9');
    expect(card.inputs[0]!.shape).toEqual(['N', D]);
    expect(card.training['rows']).toBe(600);
  });
});

describe('novelty in a dimension that never varied in training', () => {
  // Plain isolation forests cannot split on a constant feature, so such rows look normal; the
  // widened split range is what makes them isolated.
  it.each(Object.entries(models))('%s ranks them above normal rows', (_name, make) => {
    const m = make();
    expect(auc(m.score(testNormal), m.score(outliers(50, D, 6, 'novel')))).toBeGreaterThan(0.95);
  });
});
