import { Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { matrix, rng } from '../matrix';
import { createSession } from '../onnx/onnx-session';
import { Autoencoder } from './autoencoder';

describe('autoencoder ONNX graph', () => {
  it("gives the same scores and per-feature errors as the TypeScript reference, under its card's names", async () => {
    const random = rng(1);
    const D = 6;
    const X = matrix(300, D);
    for (let r = 0; r < X.rows; r++) {
      const z = random();
      for (let j = 0; j < D; j++) X.data[r * D + j] = Math.sin(z * (j + 1)) + 0.1 * random();
    }
    const model = new Autoencoder().fit(X, { seed: 2, epochs: 30 });
    const test = matrix(
      5,
      D,
      Float32Array.from({ length: 5 * D }, () => 3 * random() - 1.5),
    );
    const session = await createSession(model.toOnnx());
    const card = model.card();
    expect(card.inputs.map((i) => i.name)).toEqual([...session.inputNames]);
    expect(card.outputs.map((o) => o.name).sort()).toEqual([...session.outputNames].sort());
    expect(card.outputs.find((o) => o.name === 'errors')!.shape).toEqual(['N', D]);
    const out = await session.run({ X: new Tensor('float32', test.data, [5, D]) });
    expect(out.score!.dims).toEqual([5]);
    expect(out.errors!.dims).toEqual([5, D]);
    const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      expect(a.length).toBe(b.length);
      for (let i = 0; i < b.length; i++)
        expect(Math.abs(a[i]! - b[i]!)).toBeLessThanOrEqual(1e-4 * Math.abs(b[i]!) + 1e-6);
    };
    close(out.score!.data as Float32Array, model.score(test));
    close(out.errors!.data as Float32Array, model.errors(test).data);
  });
});
