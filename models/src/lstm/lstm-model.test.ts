import { describe, expect, it } from 'vitest';
import { rng } from '../matrix';
import { LstmModel } from './lstm-model';
import { UNKNOWN_ID, weightArrays } from './lstm-weights';

/** A job that always runs 2 3, then 4 or 6 (4 twice as often), then 5 once or twice. */
function jobs(n: number, seed: number): number[][] {
  const random = rng(seed);
  return Array.from({ length: n }, () => [2, 3, random() < 2 / 3 ? 4 : 6, 5, ...(random() < 0.5 ? [5] : [])]);
}

const fitOpts = { seed: 3, epochs: 15, hidden: 16, embed: 8, batchSize: 4, endMarker: true };

describe('LstmModel', () => {
  const train = jobs(300, 1);
  const model = new LstmModel().fit(train, fitOpts);

  it('lowers its loss while training', () => {
    const { loss } = model.training;
    // 4 distinct jobs make one batch per pass, so minUpdates (500) sets the number of passes.
    expect(loss).toHaveLength(500);
    expect(loss[loss.length - 1]!).toBeLessThan(loss[0]! * 0.5);
  });

  it('learns the job grammar: next-event distributions follow the training frequencies', () => {
    const [probs] = model.nextProbabilities([[2, 3, 4, 5]]);
    const V = model.weights.vocab;
    const p = (t: number, id: number) => probs![t * V + id]!;
    expect(p(0, 2)).toBeGreaterThan(0.95);
    expect(p(1, 3)).toBeGreaterThan(0.95);
    expect(p(2, 4)).toBeGreaterThan(0.45);
    expect(p(2, 4)).toBeLessThan(0.85);
    expect(p(2, 6)).toBeGreaterThan(0.15);
    // After 2 3 4 5 the job ends or logs 5 again, about half each.
    expect(p(4, 0) + p(4, 5)).toBeGreaterThan(0.9);
    expect(probs).toHaveLength(5 * V);
  });

  it('ranks broken jobs above normal ones', () => {
    const normal = model.score(jobs(50, 2));
    const broken = model.score([
      [2, 4, 3, 5],
      [2, 3, 5],
      [2, 3, 4],
      [2, 3, UNKNOWN_ID, 5],
    ]);
    const worstNormal = Math.max(...normal.map((s) => s.maxSurprise));
    for (const s of broken) expect(s.maxSurprise).toBeGreaterThan(worstNormal);
    expect(broken[2]!.worst[0]).toMatchObject({ index: 3, event: 0 });
    expect(broken[3]!.worst[0]).toMatchObject({ index: 2, event: UNKNOWN_ID });
    expect(normal.every((s) => s.topkMisses === 0)).toBe(true);
    expect(broken[3]!.topkMisses).toBeGreaterThan(0);
  });

  it('summarises each sequence consistently', () => {
    const [s] = model.score([[2, 3, 6, 5]], { worst: 2 });
    expect(s!.events).toBe(5);
    expect(s!.meanNll).toBeCloseTo(s!.nll / 5, 12);
    expect(s!.worst).toHaveLength(2);
    expect(s!.worst[0]!.probability).toBeLessThanOrEqual(s!.worst[1]!.probability);
    expect(s!.maxSurprise).toBeCloseTo(-Math.log(s!.worst[0]!.probability), 9);
  });

  it('chooses top-k from the training predictions', () => {
    // Two plausible successors at the branch (4 or 6; 5 or the end): k = 2 covers every training event.
    expect(model.training.topK).toBe(2);
    expect(new LstmModel().fit(train, { ...fitOpts, topKCoverage: 0.5 }).training.topK).toBe(1);
  });

  it('is deterministic given the seed', () => {
    const again = new LstmModel().fit(train, fitOpts);
    expect(weightArrays(again.weights)).toEqual(weightArrays(model.weights));
    const other = new LstmModel().fit(train, { ...fitOpts, seed: 4 });
    expect(weightArrays(other.weights)[0]).not.toEqual(weightArrays(model.weights)[0]);
  });

  it('steps a batch of independent streams like whole-sequence scoring does', () => {
    const { hidden, vocab } = model.weights;
    const h = new Float64Array(2 * hidden);
    const c = new Float64Array(2 * hidden);
    model.step([0, 0], h, c);
    const probs = model.step([2, 2], h, c);
    const [ref] = model.nextProbabilities([[2, 3]]);
    for (let j = 0; j < vocab; j++) {
      expect(probs[j]).toBeCloseTo(ref![vocab + j]!, 12);
      expect(probs[vocab + j]).toBeCloseTo(ref![vocab + j]!, 12);
    }
  });

  it('rejects bad input with a clear error', () => {
    expect(() => new LstmModel().score([[2]])).toThrow(/not fitted/);
    expect(() => new LstmModel().fit([[2, -1]], fitOpts)).toThrow(/outside the vocabulary/);
    expect(() => new LstmModel().fit([[2, 0, 3]], fitOpts)).toThrow(/outside the vocabulary/);
    expect(() => new LstmModel().fit([[2, 9]], { ...fitOpts, vocabSize: 5 })).toThrow(
      /outside the vocabulary/,
    );
    expect(() => new LstmModel().fit([[]], fitOpts)).toThrow(/at least one training event/);
    expect(() => new LstmModel().fit(train, { ...fitOpts, hidden: 0 })).toThrow(/hidden/);
    expect(() => model.score([[2, 2.5]])).toThrow(/outside the vocabulary/);
    expect(() => model.score([[2, model.weights.vocab]])).toThrow(/outside the vocabulary/);
    expect(() => model.step([0], new Float64Array(1), new Float64Array(1))).toThrow(/state/);
  });
});
