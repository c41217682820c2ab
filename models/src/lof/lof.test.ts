import { describe, expect, it } from 'vitest';
import { fromRows, matrix } from '../matrix';
import { auc, blobs, expectOnnxMatches, stack } from '../onnx/test-fixtures';
import { Lof } from './lof';

const D = 4;
const train = blobs(600, D, 1);
const normal = blobs(200, D, 2);
const far = blobs(40, D, 3, [7]);

/** A 20 x 20 grid of spacing 1: every interior point has 4 neighbours at distance 1. */
const grid = fromRows(Array.from({ length: 400 }, (_, i) => [i % 20, Math.floor(i / 20)]));

describe('Lof', () => {
  it('gives an evenly dense neighbourhood a LOF of 1 and a lone point a large one', () => {
    const lof = new Lof().fit(grid, { seed: 1, k: 4 });
    const [inside, between, lone] = lof.score(
      fromRows([
        [10, 10],
        [10.5, 10],
        [40, 40],
      ]),
    );
    expect(inside).toBeCloseTo(1, 4);
    // Midway between grid points: reach distances 1, 1, sqrt(1.25) x 2.
    expect(between).toBeCloseTo((2 + 2 * Math.sqrt(1.25)) / 4, 4);
    expect(lone!).toBeGreaterThan(20);
  });

  it('stays finite and unchanged when training rows repeat', () => {
    const repeated = stack(stack(train, train), train);
    const once = new Lof().fit(train, { seed: 1, k: 10 });
    const thrice = new Lof().fit(repeated, { seed: 1, k: 10 });
    expect(thrice.card().training).toMatchObject({ rows: 1800, referenceRows: 600 });
    const a = once.score(normal);
    const b = thrice.score(normal);
    expect(Array.from(b).every(Number.isFinite)).toBe(true);
    expect(b).toEqual(a);
  });

  it('ranks far outliers above normal rows', () => {
    const lof = new Lof().fit(train, { seed: 1, k: 15 });
    expect(auc(lof.score(normal), lof.score(far))).toBeGreaterThan(0.97);
  });

  it('gives the TypeScript scores through onnxruntime', async () => {
    await expectOnnxMatches(new Lof().fit(train, { seed: 1, k: 15 }), stack(normal, far));
  });

  it('keeps at most maxReference rows, chosen by the seed', () => {
    const a = new Lof().fit(train, { seed: 5, maxReference: 100 });
    const b = new Lof().fit(train, { seed: 5, maxReference: 100 });
    const other = new Lof().fit(train, { seed: 6, maxReference: 100 });
    expect(a.card().training['referenceRows']).toBe(100);
    expect(Buffer.from(a.toOnnx()).equals(Buffer.from(b.toOnnx()))).toBe(true);
    expect(Buffer.from(a.toOnnx()).equals(Buffer.from(other.toOnnx()))).toBe(false);
  });

  it('refuses NaN, the wrong width and too few distinct rows', () => {
    const lof = new Lof().fit(train, { seed: 1, maxReference: 50 });
    expect(() => lof.score(matrix(1, D, Float32Array.from([0, NaN, 0, 0])))).toThrow(
      /column 1 is not finite/,
    );
    expect(() => lof.score(matrix(1, 3))).toThrow(/expects 4 features, got 3/);
    expect(() =>
      new Lof().fit(
        fromRows([
          [1, 2],
          [1, 2],
          [1, 2],
        ]),
        { seed: 1 },
      ),
    ).toThrow(/2 distinct/);
  });
});
