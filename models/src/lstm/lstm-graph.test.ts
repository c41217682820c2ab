import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { rng } from '../matrix';
import { createSession } from '../onnx/onnx-session';
import { LstmModel } from './lstm-model';
import { scoreSequences } from './score-sequences';

/** Agreement to 1e-4 relative, with an absolute floor for values near zero. */
function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(expected[i]!) + 1e-6);
  }
}

function randomSequences(n: number, vocab: number, seed: number): number[][] {
  const random = rng(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: Math.floor(random() * 12) }, () => 1 + Math.floor(random() * (vocab - 1))),
  );
}

describe('LSTM ONNX step graph', () => {
  const V = 9;
  // Random walks train every gate and embedding row, so a transposed or reordered gate block shows up.
  const model = new LstmModel().fit(randomSequences(200, V, 1), {
    seed: 2,
    vocabSize: V,
    hidden: 12,
    embed: 5,
    minUpdates: 50,
    endMarker: true,
  });
  let session: InferenceSession;
  beforeAll(async () => {
    session = await createSession(model.toOnnx());
  });

  it('declares the streaming contract, as its model card says', () => {
    expect([...session.inputNames].sort()).toEqual(['c_in', 'event', 'h_in']);
    expect([...session.outputNames].sort()).toEqual(['c_out', 'h_out', 'probs']);
    const card = model.card('7');
    expect(card.inputs.map((i) => i.name).sort()).toEqual([...session.inputNames].sort());
    expect(card.outputs.map((o) => o.name).sort()).toEqual([...session.outputNames].sort());
    expect(card).toMatchObject({
      name: 'lstm',
      version: '7',
      hyperparameters: { vocabSize: V, hidden: 12, topK: model.training.topK },
    });
  });

  it('matches the TypeScript step for a batch of streams with arbitrary state', async () => {
    const H = 12;
    const N = 7;
    const random = rng(3);
    const h = Float64Array.from({ length: N * H }, () => 2 * random() - 1);
    const c = Float64Array.from({ length: N * H }, () => 4 * random() - 2);
    const events = Array.from({ length: N }, (_, i) => i % V);
    const out = await session.run({
      event: new Tensor('int64', BigInt64Array.from(events.map(BigInt)), [N]),
      h_in: new Tensor('float32', Float32Array.from(h), [1, N, H]),
      c_in: new Tensor('float32', Float32Array.from(c), [1, N, H]),
    });
    const probs = model.step(events, h, c);
    expect(out.probs!.dims).toEqual([N, V]);
    expect(out.h_out!.dims).toEqual([1, N, H]);
    expectClose(out.probs!.data as Float32Array, probs);
    expectClose(out.h_out!.data as Float32Array, h);
    expectClose(out.c_out!.data as Float32Array, c);
  });

  it('scores sequences like the TypeScript reference', async () => {
    const seqs = [...randomSequences(40, V, 4), [], [3]];
    const onnx = await scoreSequences(session, seqs, model.scoringConfig, { batchSize: 16, worst: 2 });
    const ts = model.score(seqs, { worst: 2 });
    expect(onnx).toHaveLength(seqs.length);
    onnx.forEach((o, k) => {
      const r = ts[k]!;
      expect(o.events).toBe(seqs[k]!.length + 1);
      expect(o.topkMisses).toBe(r.topkMisses);
      expectClose([o.nll, o.meanNll, o.maxSurprise], [r.nll, r.meanNll, r.maxSurprise]);
      expect(o.worst.map((w) => [w.index, w.event])).toEqual(r.worst.map((w) => [w.index, w.event]));
      expectClose(
        o.worst.map((w) => w.probability),
        r.worst.map((w) => w.probability),
      );
    });
  });

  it('rejects events outside the vocabulary', async () => {
    await expect(scoreSequences(session, [[2, V]], model.scoringConfig)).rejects.toThrow(
      /outside the vocabulary/,
    );
    await expect(scoreSequences(session, [[0]], model.scoringConfig)).rejects.toThrow(
      /outside the vocabulary/,
    );
  });
});
