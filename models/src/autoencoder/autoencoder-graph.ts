import { GraphBuilder } from '../onnx/graph-builder';
import type { Activation } from './autoencoder';
import type { Dense } from './dense';

/**
 * Input `X` float [N, D]; outputs `score` float [N] (mean squared reconstruction error) and
 * `errors` float [N, D] (squared error per feature).
 */
export function autoencoderGraph(
  network: { layer: Dense; activation: Activation }[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const D = network[0]!.layer.inputs;
  const g = new GraphBuilder('logsieve_autoencoder');
  const X = g.input('X', 'float', ['N', D]);
  g.output('score', 'float', ['N']);
  g.output('errors', 'float', ['N', D]);
  let h = X;
  network.forEach(({ layer, activation }, k) => {
    const W = g.initializer(`layer${k}_W`, Float32Array.from(layer.w), [layer.inputs, layer.outputs]);
    const b = g.initializer(`layer${k}_b`, Float32Array.from(layer.b), [layer.outputs]);
    [h] = g.node('MatMul', [h, W], 1) as [string];
    [h] = g.node('Add', [h, b], 1) as [string];
    if (activation === 'tanh') [h] = g.node('Tanh', [h], 1) as [string];
  });
  const [diff] = g.node('Sub', [X, h], 1);
  g.node('Mul', [diff!, diff!], ['errors']);
  g.node('ReduceMean', ['errors'], ['score'], { axes: [1], keepdims: 0 });
  g.metadata(metadata);
  return g.toBytes();
}
