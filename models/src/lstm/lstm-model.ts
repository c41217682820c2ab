import { roundToFloat32, denseForward } from '../autoencoder/dense';
import { rng } from '../matrix';
import type { ModelCard } from '../onnx/model-card';
import { lstmStepGraph } from './lstm-graph';
import { dedupe, trainLstm } from './lstm-train';
import {
  cellStep,
  initWeights,
  inputTable,
  softmaxRows,
  START_ID,
  weightArrays,
  type LstmWeights,
} from './lstm-weights';
import { SurpriseAccumulator, type SequenceScore } from './sequence-score';

export interface LstmFitOptions {
  seed: number;
  /** Number of vocabulary ids; defaults to the largest id seen + 1. */
  vocabSize?: number;
  embed?: number;
  hidden?: number;
  /** Passes over the distinct sequences (default 20); more when needed to reach minUpdates. */
  epochs?: number;
  /** Fewest optimiser steps (default 500), so a few distinct sequences still train. */
  minUpdates?: number;
  batchSize?: number;
  learningRate?: number;
  /** Truncated backpropagation length in steps. */
  bptt?: number;
  /**
   * The sequences are complete sessions: the model also learns to predict their end (the
   * boundary id 0), and scoring adds that end as a final event, so a session that stops early
   * is as surprising as one with a wrong event. Leave off for windows cut from a running stream.
   */
  endMarker?: boolean;
  /** top-k is the smallest k whose predictions cover this share of the training events. */
  topKCoverage?: number;
}

export interface LstmTraining {
  sequences: number;
  uniqueSequences: number;
  events: number;
  epochs: number;
  /** Weighted mean cross-entropy (nats per event) after each epoch. */
  loss: number[];
  topK: number;
  topKCoverage: number;
  endMarker: boolean;
}

/** What the ONNX scoring path needs besides the graph itself. */
export interface LstmScoringConfig {
  vocabSize: number;
  hiddenSize: number;
  topK: number;
  /** Score a final boundary event (id 0) after each sequence; see LstmFitOptions.endMarker. */
  endMarker: boolean;
}

export interface ScoreOptions {
  /** How many least-expected events to keep per sequence (default 3). */
  worst?: number;
  /** Rows scored together (default 256). */
  batchSize?: number;
}

/**
 * DeepLog-style next-template model: reads a stream's template ids one at a time and predicts
 * the next; events it did not expect make the stream anomalous.
 */
export class LstmModel {
  private w: LstmWeights | null = null;
  private table: Float64Array | null = null;
  private info: LstmTraining | null = null;
  private hyperparameters: Record<string, number | boolean> = {};

  get weights(): LstmWeights {
    if (!this.w) throw new Error('lstm model is not fitted');
    return this.w;
  }

  get training(): LstmTraining {
    if (!this.info) throw new Error('lstm model is not fitted');
    return this.info;
  }

  get scoringConfig(): LstmScoringConfig {
    const w = this.weights;
    return {
      vocabSize: w.vocab,
      hiddenSize: w.hidden,
      topK: this.training.topK,
      endMarker: this.training.endMarker,
    };
  }

  /** seqs: one array of vocabulary ids per session or stream (ids >= 1; 0 is the start marker). */
  fit(seqs: number[][], opts: LstmFitOptions): this {
    let maxId = 1;
    for (const s of seqs) for (const id of s) if (id > maxId) maxId = id;
    const vocab = positiveInt(opts.vocabSize ?? maxId + 1, 'vocabSize');
    if (vocab < 2) throw new Error(`vocabSize must be at least 2, got ${vocab}`);
    checkSequences(seqs, vocab);
    const endMarker = opts.endMarker ?? false;
    const data = dedupe(endMarker ? seqs.map(withEnd) : seqs);
    const events = seqs.reduce((n, s) => n + s.length, 0);
    if (events === 0) throw new Error('lstm needs at least one training event');
    const coverage = opts.topKCoverage ?? 0.999;
    if (!(coverage > 0 && coverage <= 1)) throw new Error(`topKCoverage must be in (0, 1], got ${coverage}`);

    const random = rng(opts.seed);
    const embed = positiveInt(opts.embed ?? 16, 'embed');
    const hidden = positiveInt(opts.hidden ?? 32, 'hidden');
    const settings = {
      epochs: positiveInt(opts.epochs ?? 20, 'epochs'),
      minUpdates: opts.minUpdates ?? 500,
      batchSize: positiveInt(opts.batchSize ?? 16, 'batchSize'),
      learningRate: opts.learningRate ?? 0.01,
      bptt: positiveInt(opts.bptt ?? 50, 'bptt'),
    };
    this.hyperparameters = {
      seed: opts.seed,
      vocabSize: vocab,
      embed,
      hidden,
      ...settings,
      topKCoverage: coverage,
      endMarker,
    };
    const w = initWeights(vocab, embed, hidden, random);
    const loss = trainLstm(w, data, { ...settings, random });
    for (const p of weightArrays(w)) roundToFloat32(p);
    this.w = w;
    this.table = inputTable(w);
    this.info = {
      sequences: seqs.length,
      uniqueSequences: data.length,
      events,
      epochs: loss.length,
      loss,
      topK: this.chooseTopK(data, coverage),
      topKCoverage: coverage,
      endMarker,
    };
    return this;
  }

  /**
   * One step for a batch of independent streams (the ONNX graph's contract): consumes events[r],
   * updates h and c ([rows, hidden]) in place, returns the next-event distribution [rows, vocab].
   */
  step(events: ArrayLike<number>, h: Float64Array, c: Float64Array): Float64Array {
    const w = this.weights;
    const rows = events.length;
    for (let r = 0; r < rows; r++) checkId(events[r]!, w.vocab, true);
    if (h.length !== rows * w.hidden || c.length !== rows * w.hidden)
      throw new Error(`state must hold ${rows}x${w.hidden} values`);
    const gates = new Float64Array(rows * 4 * w.hidden);
    const hNew = new Float64Array(rows * w.hidden);
    const cNew = new Float64Array(rows * w.hidden);
    cellStep(w, this.table!, events, rows, h, c, gates, cNew, hNew);
    h.set(hNew);
    c.set(cNew);
    const probs = new Float64Array(rows * w.vocab);
    denseForward(w.out, hNew, rows, probs);
    softmaxRows(probs, rows, w.vocab);
    return probs;
  }

  /**
   * Predicted distribution before each event: [n, vocab] per sequence, starting from the start
   * marker (n + 1 rows with endMarker: the last one predicts the end).
   */
  nextProbabilities(seqs: number[][], opts: ScoreOptions = {}): Float64Array[] {
    const V = this.weights.vocab;
    const targets = this.targets(seqs);
    const out = targets.map((s) => new Float64Array(s.length * V));
    this.forEachPrediction(targets, opts.batchSize ?? 256, (k, t, probs, offset) =>
      out[k]!.set(probs.subarray(offset, offset + V), t * V),
    );
    return out;
  }

  /** The streaming step graph (see lstmStepGraph); score whole sequences with scoreSequences. */
  toOnnx(version = '1'): Uint8Array {
    const c = this.scoringConfig;
    return lstmStepGraph(this.weights, {
      model: 'lstm',
      version,
      vocab_size: String(c.vocabSize),
      hidden_size: String(c.hiddenSize),
      top_k: String(c.topK),
      end_marker: String(c.endMarker),
    });
  }

  card(version = '1'): ModelCard {
    const { vocab: V, hidden: H } = this.weights;
    const t = this.training;
    const state = (name: string, meaning: string) => ({ name, type: 'float32', shape: [1, 'N', H], meaning });
    return {
      name: 'lstm',
      version,
      description:
        'DeepLog-style next-template model: embedding, one LSTM layer, softmax over the vocabulary (0 = start/end marker, 1 = unknown template, 2.. = templates known at training). One step per event for N independent streams; the unit score is the surprise -log p of its events and its top-k misses.',
      inputs: [
        {
          name: 'event',
          type: 'int64',
          shape: ['N'],
          meaning: 'vocabulary id of the event just seen (0 at a stream start)',
        },
        state('h_in', 'hidden state before this event (zeros at a stream start)'),
        state('c_in', 'cell state before this event (zeros at a stream start)'),
      ],
      outputs: [
        {
          name: 'probs',
          type: 'float32',
          shape: ['N', V],
          meaning: 'probability of each vocabulary id being the next event',
        },
        state('h_out', 'hidden state after this event'),
        state('c_out', 'cell state after this event'),
      ],
      hyperparameters: { ...this.hyperparameters, topK: t.topK },
      training: {
        sequences: t.sequences,
        uniqueSequences: t.uniqueSequences,
        events: t.events,
        epochs: t.epochs,
        finalLoss: t.loss[t.loss.length - 1]!,
      },
    };
  }

  /** TypeScript reference of the ONNX scoring path (scoreSequences). */
  score(seqs: number[][], opts: ScoreOptions = {}): SequenceScore[] {
    const { vocab } = this.weights;
    const targets = this.targets(seqs);
    const acc = seqs.map(() => new SurpriseAccumulator(this.training.topK, opts.worst ?? 3));
    this.forEachPrediction(targets, opts.batchSize ?? 256, (k, t, probs, offset) =>
      acc[k]!.observe(t, targets[k]![t]!, probs, offset, vocab),
    );
    return acc.map((a) => a.result());
  }

  /** The events each prediction is checked against: the sequence, plus its end when the model learned ends. */
  private targets(seqs: number[][]): number[][] {
    checkSequences(seqs, this.weights.vocab);
    return this.training.endMarker ? seqs.map(withEnd) : seqs;
  }

  private forEachPrediction(
    seqs: number[][],
    batchSize: number,
    fn: (seqIndex: number, t: number, probs: Float64Array, offset: number) => void,
  ): void {
    const w = this.weights;
    const { hidden: H, vocab: V } = w;
    // Longest first, so the rows still running are always a prefix of the batch.
    const order = seqs.map((_, k) => k).sort((a, b) => seqs[b]!.length - seqs[a]!.length);
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      const rows = batch.length;
      let h = new Float64Array(rows * H);
      let c = new Float64Array(rows * H);
      let hNext = new Float64Array(rows * H);
      let cNext = new Float64Array(rows * H);
      const gates = new Float64Array(rows * 4 * H);
      const probs = new Float64Array(rows * V);
      const ids = new Int32Array(rows);
      let active = rows;
      for (let t = 0; active > 0; t++) {
        while (active > 0 && seqs[batch[active - 1]!]!.length <= t) active--;
        for (let r = 0; r < active; r++) ids[r] = t === 0 ? START_ID : seqs[batch[r]!]![t - 1]!;
        cellStep(w, this.table!, ids, active, h, c, gates, cNext, hNext);
        [h, hNext] = [hNext, h];
        [c, cNext] = [cNext, c];
        denseForward(w.out, h, active, probs);
        softmaxRows(probs, active, V);
        for (let r = 0; r < active; r++) fn(batch[r]!, t, probs, r * V);
      }
    }
  }

  /** Smallest k such that the actual next event is among the k most likely for `coverage` of the (weighted) training events. */
  private chooseTopK(data: { seq: number[]; weight: number }[], coverage: number): number {
    const V = this.weights.vocab;
    const rankWeight = new Float64Array(V);
    let total = 0;
    const seqs = data.map((d) => d.seq);
    this.forEachPrediction(seqs, 256, (k, t, probs, offset) => {
      const p = probs[offset + seqs[k]![t]!]!;
      let above = 0;
      for (let j = 0; j < V; j++) if (probs[offset + j]! > p) above++;
      rankWeight[above] += data[k]!.weight;
      total += data[k]!.weight;
    });
    let covered = 0;
    for (let k = 0; k < V; k++) {
      covered += rankWeight[k]!;
      if (covered >= coverage * total * (1 - 1e-12)) return k + 1;
    }
    return V;
  }
}

export function withEnd(seq: number[]): number[] {
  return [...seq, START_ID];
}

function positiveInt(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${n}`);
  return n;
}

function checkId(id: number, vocab: number, allowStart: boolean): void {
  if (!Number.isInteger(id) || id < (allowStart ? 0 : 1) || id >= vocab) {
    throw new Error(`event id ${id} is outside the vocabulary [${allowStart ? 0 : 1}, ${vocab})`);
  }
}

function checkSequences(seqs: number[][], vocab: number): void {
  if (!Array.isArray(seqs)) throw new Error('sequences must be an array of id arrays');
  seqs.forEach((s, k) => {
    if (!Array.isArray(s)) throw new Error(`sequence ${k} is not an array`);
    for (const id of s) checkId(id, vocab, false);
  });
}
