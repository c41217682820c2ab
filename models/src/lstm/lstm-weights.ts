import { dense, type Dense } from '../autoencoder/dense';

/** Vocabulary ids every caller shares; templates known at training time are 2, 3, ... */
export const START_ID = 0;
export const UNKNOWN_ID = 1;

/**
 * One LSTM layer over embedded template ids, then a dense softmax over the vocabulary. Gate
 * blocks inside the 4H-wide arrays follow ONNX's order (input, output, forget, cell) so the
 * export is a transpose and nothing is reordered.
 */
export interface LstmWeights {
  vocab: number;
  embed: number;
  hidden: number;
  /** [vocab, embed] */
  emb: Float64Array;
  /** [embed, 4 * hidden] */
  wx: Float64Array;
  /** [hidden, 4 * hidden] */
  wh: Float64Array;
  /** [4 * hidden] */
  b: Float64Array;
  /** hidden -> vocab logits */
  out: Dense;
}

export const GATE_INPUT = 0;
export const GATE_OUTPUT = 1;
export const GATE_FORGET = 2;
export const GATE_CELL = 3;

export function initWeights(vocab: number, embed: number, hidden: number, random: () => number): LstmWeights {
  const uniform = (n: number, limit: number) =>
    Float64Array.from({ length: n }, () => (2 * random() - 1) * limit);
  const b = new Float64Array(4 * hidden);
  // A forget bias of 1 lets early training carry the cell state instead of wiping it.
  b.fill(1, GATE_FORGET * hidden, (GATE_FORGET + 1) * hidden);
  return {
    vocab,
    embed,
    hidden,
    emb: uniform(vocab * embed, 1 / Math.sqrt(embed)),
    wx: uniform(embed * 4 * hidden, Math.sqrt(6 / (embed + 4 * hidden))),
    wh: uniform(hidden * 4 * hidden, Math.sqrt(6 / (hidden + 4 * hidden))),
    b,
    out: dense(hidden, vocab, random),
  };
}

export function weightArrays(w: LstmWeights): Float64Array[] {
  return [w.emb, w.wx, w.wh, w.b, w.out.w, w.out.b];
}

/** emb · Wx + b for every id: the input half of the gate pre-activations, looked up per event. */
export function inputTable(w: LstmWeights): Float64Array {
  const G = 4 * w.hidden;
  const table = new Float64Array(w.vocab * G);
  for (let v = 0; v < w.vocab; v++) {
    table.set(w.b, v * G);
    for (let e = 0; e < w.embed; e++) {
      const x = w.emb[v * w.embed + e]!;
      for (let j = 0; j < G; j++) table[v * G + j] += x * w.wx[e * G + j]!;
    }
  }
  return table;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * One time step for a batch of rows: writes the activated gates [rows, 4H], the new cell state
 * and hidden state. hPrev/cPrev and hOut/cOut may not alias.
 */
export function cellStep(
  w: LstmWeights,
  table: Float64Array,
  ids: ArrayLike<number>,
  rows: number,
  hPrev: Float64Array,
  cPrev: Float64Array,
  gates: Float64Array,
  cOut: Float64Array,
  hOut: Float64Array,
): void {
  const H = w.hidden;
  const G = 4 * H;
  const wh = w.wh;
  for (let r = 0; r < rows; r++) {
    const g0 = r * G;
    const t0 = ids[r]! * G;
    const h0 = r * H;
    // Summing in a local (not += into gates) keeps the dot product in a register.
    for (let j = 0; j < G; j++) {
      let acc = table[t0 + j]!;
      for (let k = 0, wk = j; k < H; k++, wk += G) acc += hPrev[h0 + k]! * wh[wk]!;
      gates[g0 + j] = acc;
    }
    for (let j = 0; j < H; j++) {
      const i = sigmoid(gates[g0 + GATE_INPUT * H + j]!);
      const o = sigmoid(gates[g0 + GATE_OUTPUT * H + j]!);
      const f = sigmoid(gates[g0 + GATE_FORGET * H + j]!);
      const g = Math.tanh(gates[g0 + GATE_CELL * H + j]!);
      gates[g0 + GATE_INPUT * H + j] = i;
      gates[g0 + GATE_OUTPUT * H + j] = o;
      gates[g0 + GATE_FORGET * H + j] = f;
      gates[g0 + GATE_CELL * H + j] = g;
      const c = f * cPrev[h0 + j]! + i * g;
      cOut[h0 + j] = c;
      hOut[h0 + j] = o * Math.tanh(c);
    }
  }
}

/** In-place softmax over each row of `rows` x `width` logits. */
export function softmaxRows(a: Float64Array, rows: number, width: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * width;
    let max = -Infinity;
    for (let j = 0; j < width; j++) if (a[o + j]! > max) max = a[o + j]!;
    let sum = 0;
    for (let j = 0; j < width; j++) {
      const e = Math.exp(a[o + j]! - max);
      a[o + j] = e;
      sum += e;
    }
    for (let j = 0; j < width; j++) a[o + j] = a[o + j]! / sum;
  }
}
