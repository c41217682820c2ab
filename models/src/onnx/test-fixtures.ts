/** Synthetic data and checks shared by the feature-vector models' tests. */
import { expect } from 'vitest';
import { matrix, rng, type Matrix } from '../matrix';
import { OnnxScorer } from './onnx-scorer';

export function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

/** n rows from `centres.length` unit Gaussian blobs in D dims, round robin over the centres. */
export function blobs(n: number, D: number, seed: number, centres = [-2, 2]): Matrix {
  const r = rng(seed);
  const m = matrix(n, D);
  for (let i = 0; i < n; i++)
    for (let d = 0; d < D; d++) m.data[i * D + d] = centres[i % centres.length]! + gaussian(r);
  return m;
}

/** Rows of a then rows of b. */
export function stack(a: Matrix, b: Matrix): Matrix {
  const m = matrix(a.rows + b.rows, a.cols);
  m.data.set(a.data);
  m.data.set(b.data, a.data.length);
  return m;
}

/** Probability that a random anomalous row outscores a random normal one (ties count half). */
export function auc(normal: ArrayLike<number>, anomalous: ArrayLike<number>): number {
  let wins = 0;
  for (let i = 0; i < anomalous.length; i++)
    for (let j = 0; j < normal.length; j++)
      wins += anomalous[i]! > normal[j]! ? 1 : anomalous[i] === normal[j] ? 0.5 : 0;
  return wins / (normal.length * anomalous.length);
}

/**
 * The ONNX graph must give the TypeScript scorer's numbers within `rel` of the largest score
 * magnitude (onnxruntime computes in float32, TS in float64, so scores near 0 differ in relative
 * terms by float32 rounding of the larger terms they are a difference of).
 */
export async function expectOnnxMatches(
  model: { toOnnx(): Uint8Array; score(X: Matrix): ArrayLike<number> },
  X: Matrix,
  rel = 1e-4,
): Promise<void> {
  const scorer = await OnnxScorer.load(model.toOnnx());
  const onnx = await scorer.scoreMatrix(X, 100);
  await scorer.release();
  const ts = model.score(X);
  let scale = 0;
  for (let i = 0; i < ts.length; i++) scale = Math.max(scale, Math.abs(ts[i]!));
  let worst = 0;
  for (let i = 0; i < ts.length; i++) worst = Math.max(worst, Math.abs(onnx[i]! - ts[i]!));
  expect(onnx.length).toBe(X.rows);
  expect(worst / scale).toBeLessThan(rel);
}
