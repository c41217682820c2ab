import { GraphBuilder } from '../onnx/graph-builder';
import type { LstmWeights } from './lstm-weights';

/**
 * The streaming step graph: one event per stream for N independent streams.
 * Inputs `event` int64 [N], `h_in`/`c_in` float [1, N, H]; outputs `probs` float [N, V] (the
 * next-event distribution) and `h_out`/`c_out` (state to feed back with the next event).
 */
export function lstmStepGraph(w: LstmWeights, metadata: Record<string, string> = {}): Uint8Array {
  const { vocab: V, embed: E, hidden: H } = w;
  const G = 4 * H;
  const g = new GraphBuilder('logsieve_lstm_step');
  const event = g.input('event', 'int64', ['N']);
  const hIn = g.input('h_in', 'float', [1, 'N', H]);
  const cIn = g.input('c_in', 'float', [1, 'N', H]);
  g.output('probs', 'float', ['N', V]);
  g.output('h_out', 'float', [1, 'N', H]);
  g.output('c_out', 'float', [1, 'N', H]);

  const emb = g.initializer('embedding', Float32Array.from(w.emb), [V, E]);
  // ONNX wants W [1, 4H, E] and R [1, 4H, H] (gates i, o, f, c: already our order), so transpose.
  const W = g.initializer('lstm_W', transpose(w.wx, E, G), [1, G, E]);
  const R = g.initializer('lstm_R', transpose(w.wh, H, G), [1, G, H]);
  const bias = new Float32Array(2 * G);
  bias.set(w.b);
  const B = g.initializer('lstm_B', bias, [1, 2 * G]);
  const axis0 = g.initializer('axis0', new BigInt64Array([0n]), [1], 'int64');
  const outW = g.initializer('out_W', Float32Array.from(w.out.w), [H, V]);
  const outB = g.initializer('out_B', Float32Array.from(w.out.b), [V]);

  const [x] = g.node('Gather', [emb, event], 1, { axis: 0 });
  const [seq] = g.node('Unsqueeze', [x!, axis0], 1);
  g.node('LSTM', [seq!, W, R, B, '', hIn, cIn], ['', 'h_out', 'c_out'], {
    hidden_size: H,
    direction: 'forward',
  });
  const [h] = g.node('Squeeze', ['h_out', axis0], 1);
  const [logits] = g.node('MatMul', [h!, outW], 1);
  const [biased] = g.node('Add', [logits!, outB], 1);
  g.node('Softmax', [biased!], ['probs'], { axis: 1 });
  g.metadata(metadata);
  return g.toBytes();
}

/** [rows, cols] row-major -> [cols, rows] row-major, as float32. */
function transpose(a: Float64Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c]!;
  return out;
}
