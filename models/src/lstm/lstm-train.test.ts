import { describe, expect, it } from 'vitest';
import { rng } from '../matrix';
import { dedupe, LstmBackprop, type WeightedSequence } from './lstm-train';
import { initWeights, weightArrays } from './lstm-weights';

const batch: WeightedSequence[] = [
  { seq: [2, 3, 4], weight: 1 },
  { seq: [2, 5, 3, 3, 1], weight: 3 },
  { seq: [4, 0], weight: 2 },
];
const maxLen = 5;

function lossAndGrads(chunks: number[]) {
  const w = initWeights(6, 3, 4, rng(7));
  const grads = weightArrays(w).map((p) => new Float64Array(p.length));
  const bp = new LstmBackprop(w, batch.length, maxLen);
  const loss = () => {
    bp.reset();
    let sum = 0;
    let start = 0;
    for (const steps of chunks) {
      sum += bp.chunk(batch, start, steps, 1, grads);
      start += steps;
    }
    return sum;
  };
  return { w, grads, loss };
}

describe('LstmBackprop', () => {
  it('gives the gradient of its own loss (finite differences on every weight array)', () => {
    const { w, grads, loss } = lossAndGrads([maxLen]);
    loss();
    const analytic = grads.map((g) => g.slice());
    const random = rng(11);
    weightArrays(w).forEach((p, k) => {
      for (let n = 0; n < 8; n++) {
        const i = Math.floor(random() * p.length);
        const keep = p[i]!;
        const eps = 1e-6;
        p[i] = keep + eps;
        const up = loss();
        p[i] = keep - eps;
        const down = loss();
        p[i] = keep;
        const numeric = (up - down) / (2 * eps);
        expect(Math.abs(numeric - analytic[k]![i]!)).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
      }
    });
  });

  it('carries the state across truncation chunks: the loss matches one full-length pass', () => {
    const whole = lossAndGrads([maxLen]).loss();
    const chunked = lossAndGrads([2, 2, 1]).loss();
    expect(chunked).toBeCloseTo(whole, 10);
    expect(whole).toBeGreaterThan(0);
  });
});

describe('dedupe', () => {
  it('keeps one copy of each sequence with its multiplicity', () => {
    const d = dedupe([[2, 3], [2, 3], [3], [2, 3], [3, 2]]);
    expect(d).toEqual([
      { seq: [2, 3], weight: 3 },
      { seq: [3], weight: 1 },
      { seq: [3, 2], weight: 1 },
    ]);
  });
});
