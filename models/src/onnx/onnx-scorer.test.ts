import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { matrix } from '../matrix';
import { GraphBuilder } from './graph-builder';
import { OnnxScorer } from './onnx-scorer';

/** score = X . w, a model whose numbers are easy to check by hand. */
function linearModel(w: number[]): Uint8Array {
  const g = new GraphBuilder('linear');
  const x = g.input('X', 'float', ['N', w.length]);
  g.output('score', 'float', ['N']);
  const [xw] = g.node('MatMul', [x, g.initializer('w', w, [w.length, 1])], 1);
  g.node('Reshape', [xw!, g.initializer('flat', BigInt64Array.from([-1n]), [1])], ['score']);
  return g.toBytes();
}

const w = [1, -2, 0.5];
const expected = (r: number[]) => r.reduce((a, v, i) => a + v * w[i]!, 0);

describe('OnnxScorer', () => {
  let scorer: OnnxScorer | undefined;
  afterEach(async () => {
    await scorer?.release();
    scorer = undefined;
  });

  it('loads from a path and scores a matrix in batches with one call per batch', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'scorer-')), 'linear.onnx');
    writeFileSync(file, linearModel(w));
    scorer = await OnnxScorer.load(file);
    expect(scorer.dims).toBe(3);
    const rows = Array.from({ length: 25 }, (_, i) => [i, i % 3, -i / 4]);
    const X = matrix(25, 3, Float32Array.from(rows.flat()));
    const calls = vi.spyOn(scorer.session, 'run');
    const s = await scorer.scoreMatrix(X, 10);
    expect(calls).toHaveBeenCalledTimes(3);
    expect(Array.from(s)).toEqual(rows.map(expected));
  });

  it('coalesces single rows that arrive together into one call', async () => {
    scorer = await OnnxScorer.load(linearModel(w), { windowMs: 5 });
    const calls = vi.spyOn(scorer.session, 'run');
    const rows = Array.from({ length: 40 }, (_, i) => [i, 1, 2]);
    const scores = await Promise.all(rows.map((r) => scorer!.scoreRow(r)));
    expect(scores).toEqual(rows.map(expected));
    expect(calls).toHaveBeenCalledTimes(1);
  });

  it('runs a full queue at once without waiting for the window', async () => {
    scorer = await OnnxScorer.load(linearModel(w), { windowMs: 60_000, maxBatch: 4 });
    const calls = vi.spyOn(scorer.session, 'run');
    const scores = await Promise.all([0, 1, 2, 3].map((i) => scorer!.scoreRow([i, 0, 0])));
    expect(scores).toEqual([0, 1, 2, 3]);
    expect(calls).toHaveBeenCalledTimes(1);
  });

  it('refuses wrong widths, non-finite values and models without X -> score', async () => {
    scorer = await OnnxScorer.load(linearModel(w));
    await expect(scorer.scoreRow([1, 2])).rejects.toThrow(/expects 3 features, got 2/);
    await expect(scorer.scoreRow([1, NaN, 2])).rejects.toThrow(/column 1 is not finite/);
    await expect(scorer.scoreMatrix(matrix(1, 4))).rejects.toThrow(/expects 3 features/);
    const g = new GraphBuilder('other');
    g.node('Identity', [g.input('A', 'float', [1])], ['B']);
    g.output('B', 'float', [1]);
    await expect(OnnxScorer.load(g.toBytes())).rejects.toThrow(/expected X -> score/);
  });
});
