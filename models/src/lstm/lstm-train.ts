import { Adam } from '../autoencoder/adam';
import { denseForward, denseInputGrad, denseParamGrad, type Dense } from '../autoencoder/dense';
import { shuffleInPlace } from '../autoencoder/shuffle';
import {
  cellStep,
  GATE_CELL,
  GATE_FORGET,
  GATE_INPUT,
  GATE_OUTPUT,
  inputTable,
  softmaxRows,
  START_ID,
  weightArrays,
  type LstmWeights,
} from './lstm-weights';

/** A distinct training sequence and how many times it occurred. */
export interface WeightedSequence {
  seq: number[];
  weight: number;
}

/** Identical sequences train once with their multiplicity as weight: same loss, far fewer steps. */
export function dedupe(seqs: number[][]): WeightedSequence[] {
  const byKey = new Map<string, WeightedSequence>();
  for (const seq of seqs) {
    const key = seq.join(',');
    const hit = byKey.get(key);
    if (hit) hit.weight++;
    else byKey.set(key, { seq, weight: 1 });
  }
  return [...byKey.values()];
}

export interface TrainSettings {
  epochs: number;
  /** More passes are made until this many optimiser steps are taken: deduplicated data can be a handful of batches. */
  minUpdates: number;
  batchSize: number;
  learningRate: number;
  /** Truncation length of backpropagation through time; state still carries across chunks. */
  bptt: number;
  random: () => number;
}

/**
 * Forward and backward passes over one mini-batch of sequences, a chunk of time steps at a
 * time (truncated BPTT): the state carries from chunk to chunk, the gradient does not.
 */
export class LstmBackprop {
  private readonly hs: Float64Array;
  private readonly cs: Float64Array;
  private readonly gates: Float64Array;
  private readonly ids: Int32Array;
  private readonly dhOut: Float64Array;
  /** Per step: the softmax output, turned into dLoss/dlogits. */
  private readonly probs: Float64Array;
  /** Per step: dLoss/d(gate pre-activations). */
  private readonly dz: Float64Array;
  private readonly dhNext: Float64Array;
  private readonly dcNext: Float64Array;
  private readonly dTable: Float64Array;
  private readonly recurrent: Dense;

  constructor(
    private readonly w: LstmWeights,
    private readonly maxRows: number,
    private readonly maxSteps: number,
  ) {
    const { vocab: V, hidden: H } = w;
    const G = 4 * H;
    this.hs = new Float64Array((maxSteps + 1) * maxRows * H);
    this.cs = new Float64Array((maxSteps + 1) * maxRows * H);
    this.gates = new Float64Array(maxSteps * maxRows * G);
    this.ids = new Int32Array(maxSteps * maxRows);
    this.dhOut = new Float64Array(maxSteps * maxRows * H);
    this.probs = new Float64Array(maxSteps * maxRows * V);
    this.dz = new Float64Array(maxSteps * maxRows * G);
    this.dhNext = new Float64Array(maxRows * H);
    this.dcNext = new Float64Array(maxRows * H);
    this.dTable = new Float64Array(V * G);
    this.recurrent = { inputs: H, outputs: G, w: w.wh, b: w.b };
  }

  /** Zero state for a new batch. */
  reset(): void {
    this.hs.fill(0);
    this.cs.fill(0);
  }

  /**
   * Steps [start, start + steps) of the batch: adds d(loss / norm)/d(weights) to grads (in the
   * order of weightArrays) and returns the weighted loss sum (not divided by norm).
   */
  chunk(
    batch: WeightedSequence[],
    start: number,
    steps: number,
    norm: number,
    grads: Float64Array[],
  ): number {
    const { w, hs, cs, gates, ids, dhOut, probs, dz, dhNext, dcNext, dTable } = this;
    const { vocab: V, hidden: H, embed: E } = w;
    const G = 4 * H;
    const rows = batch.length;
    if (rows > this.maxRows || steps > this.maxSteps) throw new Error('lstm batch exceeds its buffers');
    const [gEmb, gWx, gWh, gB, gOutW, gOutB] = grads as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const table = inputTable(w);
    let loss = 0;

    for (let t = 0; t < steps; t++) {
      const pos = start + t;
      const stepIds = ids.subarray(t * rows, (t + 1) * rows);
      for (let r = 0; r < rows; r++) {
        const seq = batch[r]!.seq;
        stepIds[r] = pos === 0 || pos > seq.length ? START_ID : seq[pos - 1]!;
      }
      const hNew = hs.subarray((t + 1) * rows * H, (t + 2) * rows * H);
      cellStep(
        w,
        table,
        stepIds,
        rows,
        hs.subarray(t * rows * H, (t + 1) * rows * H),
        cs.subarray(t * rows * H, (t + 1) * rows * H),
        gates.subarray(t * rows * G, (t + 1) * rows * G),
        cs.subarray((t + 1) * rows * H, (t + 2) * rows * H),
        hNew,
      );
      const p = probs.subarray(t * rows * V, (t + 1) * rows * V);
      denseForward(w.out, hNew, rows, p);
      softmaxRows(p, rows, V);
      // p becomes dLoss/dlogits: weight * (p - onehot); padded positions contribute nothing.
      for (let r = 0; r < rows; r++) {
        const { seq, weight } = batch[r]!;
        const o = r * V;
        if (pos >= seq.length) {
          p.fill(0, o, o + V);
          continue;
        }
        const scale = weight / norm;
        const y = seq[pos]!;
        loss += -weight * Math.log(Math.max(p[o + y]!, 1e-300));
        for (let j = 0; j < V; j++) p[o + j] = p[o + j]! * scale;
        p[o + y] -= scale;
      }
    }
    // The output layer has no recurrence: its gradients for all steps are one product each
    // (long inner loops run much faster than one short product per step).
    const n = steps * rows;
    const hAfter = hs.subarray(rows * H, (steps + 1) * rows * H);
    denseParamGrad(w.out, hAfter, n, probs, gOutW, gOutB);
    denseInputGrad(w.out, probs, n, dhOut);

    dhNext.fill(0);
    dcNext.fill(0);
    dTable.fill(0);
    for (let t = steps - 1; t >= 0; t--) {
      const gt = t * rows * G;
      const ht = t * rows * H;
      const dzt = dz.subarray(gt, gt + rows * G);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < H; j++) {
          const hj = r * H + j;
          const g0 = gt + r * G;
          const i = gates[g0 + GATE_INPUT * H + j]!;
          const o = gates[g0 + GATE_OUTPUT * H + j]!;
          const f = gates[g0 + GATE_FORGET * H + j]!;
          const g = gates[g0 + GATE_CELL * H + j]!;
          const c = cs[(t + 1) * rows * H + hj]!;
          const cPrev = cs[ht + hj]!;
          const tc = Math.tanh(c);
          const dh = dhOut[ht + hj]! + dhNext[hj]!;
          const dc = dcNext[hj]! + dh * o * (1 - tc * tc);
          const d0 = r * G;
          dzt[d0 + GATE_INPUT * H + j] = dc * g * i * (1 - i);
          dzt[d0 + GATE_OUTPUT * H + j] = dh * tc * o * (1 - o);
          dzt[d0 + GATE_FORGET * H + j] = dc * cPrev * f * (1 - f);
          dzt[d0 + GATE_CELL * H + j] = dc * i * (1 - g * g);
          dcNext[hj] = dc * f;
        }
        const row = ids[t * rows + r]! * G;
        for (let j = 0; j < G; j++) dTable[row + j] += dzt[r * G + j]!;
      }
      denseInputGrad(this.recurrent, dzt, rows, dhNext);
    }
    // Recurrent weights and bias over all steps at once: gWh += hPrev^T dz, gB += sum dz.
    denseParamGrad(this.recurrent, hs.subarray(0, n * H), n, dz, gWh, gB);
    // The input table was emb · Wx (+ b, handled above): push its gradient into both factors.
    for (let v = 0; v < V; v++) {
      const row = v * G;
      for (let e = 0; e < E; e++) {
        const x = w.emb[v * E + e]!;
        const w0 = e * G;
        let acc = 0;
        for (let j = 0; j < G; j++) {
          const d = dTable[row + j]!;
          acc += d * w.wx[w0 + j]!;
          gWx[w0 + j] += x * d;
        }
        gEmb[v * E + e] += acc;
      }
    }
    // Carry the final state into the next chunk.
    hs.copyWithin(0, steps * rows * H, (steps + 1) * rows * H);
    cs.copyWithin(0, steps * rows * H, (steps + 1) * rows * H);
    return loss;
  }
}

/**
 * Trains next-event prediction (input: start marker then the events; target: the events) with
 * Adam on mini-batches of length-sorted sequences. Returns the weighted mean cross-entropy of
 * each epoch.
 */
export function trainLstm(w: LstmWeights, data: WeightedSequence[], s: TrainSettings): number[] {
  // Length-sorted batches waste little work on padding; Array.prototype.sort is stable, so this is deterministic.
  const sorted = [...data].filter((d) => d.seq.length > 0).sort((a, b) => a.seq.length - b.seq.length);
  const batches: WeightedSequence[][] = [];
  for (let i = 0; i < sorted.length; i += s.batchSize) batches.push(sorted.slice(i, i + s.batchSize));
  let totalEvents = 0;
  for (const d of sorted) totalEvents += d.weight * d.seq.length;
  if (totalEvents === 0) throw new Error('lstm training data has no events');
  // Dividing every batch by the same constant makes one pass's mean gradient the gradient of the weighted mean loss.
  const norm = totalEvents / batches.length;

  const params = weightArrays(w);
  const grads = params.map((p) => new Float64Array(p.length));
  const adam = new Adam(params, { learningRate: s.learningRate, clipNorm: 5 });
  const backprop = new LstmBackprop(w, s.batchSize, s.bptt);
  const epochs = Math.max(s.epochs, Math.ceil(s.minUpdates / batches.length));
  const losses: number[] = [];
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffleInPlace(batches, s.random);
    // Linear decay to a tenth of the rate: large early steps, then settle instead of bouncing.
    adam.learningRate = s.learningRate * (1 - (0.9 * epoch) / Math.max(1, epochs - 1));
    let loss = 0;
    for (const batch of batches) {
      const maxLen = batch[batch.length - 1]!.seq.length;
      backprop.reset();
      for (let start = 0; start < maxLen; start += s.bptt) {
        for (const g of grads) g.fill(0);
        loss += backprop.chunk(batch, start, Math.min(s.bptt, maxLen - start), norm, grads);
        adam.step(grads);
      }
    }
    losses.push(loss / totalEvents);
  }
  return losses;
}
