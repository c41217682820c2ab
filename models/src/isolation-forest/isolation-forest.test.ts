import { describe, expect, it } from 'vitest';
import { matrix } from '../matrix';
import { auc, blobs, expectOnnxMatches, stack } from '../onnx/test-fixtures';
import { c, IsolationForest } from './isolation-forest';

const D = 8;
/** Training rows whose last column is always 0: the count of a template never seen in training. */
function withConstant(n: number, seed: number, value = 0) {
  const m = blobs(n, D, seed);
  for (let i = 0; i < n; i++) m.data[i * D + D - 1] = value;
  return m;
}

const train = withConstant(1000, 1);
const normal = withConstant(300, 2);

describe('IsolationForest', () => {
  it('normalises by the average unsuccessful-search path length c(n)', () => {
    expect(c(1)).toBe(0);
    expect(c(2)).toBe(1);
    // 2 (ln 255 + Euler's gamma) - 2 * 255 / 256
    expect(c(256)).toBeCloseTo(10.2448, 3);
  });

  it('ranks rows novel only in a training-constant dimension above normal rows, where a plain forest cannot', () => {
    const novelUp = withConstant(60, 3, 2);
    const novelDown = withConstant(60, 4, -1);
    const forest = new IsolationForest().fit(train, { seed: 5 });
    expect(auc(forest.score(normal), forest.score(novelUp))).toBeGreaterThan(0.95);
    expect(auc(forest.score(normal), forest.score(novelDown))).toBeGreaterThan(0.95);
    // margin 0 is the textbook forest: the constant column is never split, so novelty is invisible.
    const plain = new IsolationForest().fit(train, { seed: 5, margin: 0 });
    expect(auc(plain.score(normal), plain.score(novelUp))).toBeLessThan(0.7);
  });

  it('keeps units with a rare-but-seen value apart from units with a never-seen one', () => {
    // Column 5 is 3 in 0.4% of training rows (rare, normal); the last is never non-zero in training.
    const rows = (n: number, seed: number, rare: number, novel: number) => {
      const m = withConstant(n, seed, novel);
      for (let i = 0; i < n; i++) m.data[i * D + 5] = i < Math.round(n * rare) ? 3 : 0;
      return m;
    };
    const big = rows(4000, 11, 0.004, 0);
    const rare = rows(60, 12, 1, 0);
    const novel = rows(60, 13, 0, 3);
    const mean = (sampleSize?: number) =>
      [1, 2, 3].reduce((a, seed) => {
        const f = new IsolationForest().fit(big, { seed, sampleSize });
        return a + auc(f.score(rare), f.score(novel)) / 3;
      }, 0);
    const byDefault = mean();
    expect(byDefault).toBeGreaterThan(0.95);
    // With the paper's 256 rows a tree rarely sees the rare value, so it isolates it as fast.
    expect(mean(256)).toBeLessThan(byDefault);
  });

  it('ranks far outliers above normal rows, scores in (0, 1]', () => {
    const far = blobs(40, D, 6, [7]);
    for (let i = 0; i < far.rows; i++) far.data[i * D + D - 1] = 0;
    const s = new IsolationForest().fit(train, { seed: 5 });
    const sn = s.score(normal);
    expect(auc(sn, s.score(far))).toBeGreaterThan(0.97);
    expect(Math.min(...sn)).toBeGreaterThan(0);
    expect(Math.max(...sn)).toBeLessThanOrEqual(1);
  });

  it('gives the TypeScript scores through onnxruntime', async () => {
    const forest = new IsolationForest().fit(train, { seed: 5, trees: 150 });
    await expectOnnxMatches(forest, stack(normal, withConstant(50, 7, 3)));
  });

  it('is deterministic given the seed and varies with it', () => {
    const a = new IsolationForest().fit(train, { seed: 9, trees: 20 });
    const b = new IsolationForest().fit(train, { seed: 9, trees: 20 });
    const other = new IsolationForest().fit(train, { seed: 10, trees: 20 });
    expect(Buffer.from(a.toOnnx()).equals(Buffer.from(b.toOnnx()))).toBe(true);
    expect(Buffer.from(a.toOnnx()).equals(Buffer.from(other.toOnnx()))).toBe(false);
    expect(a.score(normal)).toEqual(b.score(normal));
  });

  it('refuses NaN, the wrong width and scoring before fit', () => {
    const forest = new IsolationForest().fit(train, { seed: 1, trees: 5 });
    const bad = matrix(1, D);
    bad.data[3] = NaN;
    expect(() => forest.score(bad)).toThrow(/row 0, column 3 is not finite/);
    expect(() => forest.score(matrix(1, D - 1))).toThrow(/expects 8 features, got 7/);
    expect(() => new IsolationForest().score(normal)).toThrow(/not fitted/);
  });

  it('writes a model card with the training summary', () => {
    const card = new IsolationForest().fit(train, { seed: 1, trees: 5 }).card('2');
    expect(card).toMatchObject({
      name: 'isolation_forest',
      version: '2',
      hyperparameters: { trees: 5, sampleSize: 4096 },
    });
    expect(card.training).toMatchObject({ rows: 1000, sampleSize: 1000 });
    expect(card.outputs[0]).toMatchObject({ name: 'score', shape: ['N'] });
  });
});
