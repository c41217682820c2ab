import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from './graph-builder';

async function run(
  bytes: Uint8Array,
  feeds: Record<string, ort.Tensor>,
): Promise<Record<string, ort.Tensor>> {
  const s = await ort.InferenceSession.create(bytes);
  try {
    return (await s.run(feeds)) as Record<string, ort.Tensor>;
  } finally {
    await s.release();
  }
}

describe('GraphBuilder', () => {
  it('writes a MatMul + Add graph that onnxruntime runs with the expected numbers', async () => {
    const g = new GraphBuilder('affine');
    const x = g.input('X', 'float', ['N', 2]);
    g.output('Y', 'float', ['N', 1]);
    const w = g.initializer('W', Float32Array.from([2, -1]), [2, 1]);
    const b = g.initializer('B', [0.5], [1]);
    const [xw] = g.node('MatMul', [x, w], 1);
    g.node('Add', [xw!, b], ['Y']);
    g.metadata({ version: 't1' });
    const out = await run(g.toBytes(), {
      X: new ort.Tensor('float32', Float32Array.from([1, 2, 3, 1]), [2, 2]),
    });
    expect(Array.from(out['Y']!.data as Float32Array)).toEqual([0.5, 5.5]);
  });

  it('writes int, float, ints and string attributes (TopK smallest, Gather on int64)', async () => {
    const g = new GraphBuilder('topk');
    const x = g.input('X', 'float', ['N', 4]);
    g.output('values', 'float', ['N', 2]);
    g.output('picked', 'float', ['N', 2]);
    const k = g.initializer('k', BigInt64Array.from([2n]), [1]);
    const [, idx] = g.node('TopK', [x, k], ['values', 'idx'], { axis: 1, largest: 0, sorted: 1 });
    const table = g.initializer('table', Float32Array.from([10, 20, 30, 40]), [4]);
    g.node('Gather', [table, idx!], ['picked'], { axis: 0 });
    const out = await run(g.toBytes(), {
      X: new ort.Tensor('float32', Float32Array.from([4, 1, 3, 2]), [1, 4]),
    });
    expect(Array.from(out['values']!.data as Float32Array)).toEqual([1, 2]);
    expect(Array.from(out['picked']!.data as Float32Array)).toEqual([20, 40]);
  });

  it('writes ai.onnx.ml TreeEnsembleRegressor', async () => {
    const g = new GraphBuilder('tree');
    const x = g.input('X', 'float', ['N', 1]);
    g.output('Y', 'float', ['N', 1]);
    // One stump: x <= 0.5 -> 1, else 3.
    g.node(
      'TreeEnsembleRegressor',
      [x],
      ['Y'],
      {
        n_targets: 1,
        nodes_treeids: [0, 0, 0],
        nodes_nodeids: [0, 1, 2],
        nodes_featureids: [0, 0, 0],
        nodes_values: [0.5, 0, 0],
        nodes_modes: ['BRANCH_LEQ', 'LEAF', 'LEAF'],
        nodes_truenodeids: [1, 0, 0],
        nodes_falsenodeids: [2, 0, 0],
        target_treeids: [0, 0],
        target_nodeids: [1, 2],
        target_ids: [0, 0],
        target_weights: [1, 3],
      },
      'ai.onnx.ml',
    );
    const out = await run(g.toBytes(), {
      X: new ort.Tensor('float32', Float32Array.from([0.2, 0.9]), [2, 1]),
    });
    expect(Array.from(out['Y']!.data as Float32Array)).toEqual([1, 3]);
  });

  it('writes FLOAT and TENSOR attributes (LeakyRelu alpha, Constant value)', async () => {
    const g = new GraphBuilder('attrs');
    const x = g.input('X', 'float', [3]);
    g.output('Y', 'float', [3]);
    const [c] = g.node('Constant', [], 1, {
      value: { tensor: { data: Float32Array.from([1, 1, 1]), dims: [3] } },
    });
    const [lr] = g.node('LeakyRelu', [x], 1, { alpha: 0.25 });
    g.node('Add', [lr!, c!], ['Y']);
    const out = await run(g.toBytes(), { X: new ort.Tensor('float32', Float32Array.from([-4, 0, 2]), [3]) });
    expect(Array.from(out['Y']!.data as Float32Array)).toEqual([0, 1, 3]);
  });

  it('refuses duplicate names and mismatched initializer sizes', () => {
    const g = new GraphBuilder('bad');
    g.input('X', 'float', [1]);
    expect(() => g.input('X', 'float', [1])).toThrow(/duplicate/);
    expect(() => g.initializer('W', [1, 2, 3], [2])).toThrow(/3 values/);
  });
});
