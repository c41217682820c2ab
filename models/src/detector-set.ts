import type { InferenceSession } from 'onnxruntime-node';
import { Autoencoder } from './autoencoder/autoencoder';
import { MODEL_NAMES, type ModelName } from './ensemble/ensemble';
import { IsolationForest } from './isolation-forest/isolation-forest';
import { Lof } from './lof/lof';
import { LstmModel, type LstmScoringConfig } from './lstm/lstm-model';
import { scoreSequences } from './lstm/score-sequences';
import type { SequenceScore, SurprisingEvent } from './lstm/sequence-score';
import { matrix, rng, type Matrix } from './matrix';
import { OneClassSvm } from './one-class-svm/one-class-svm';
import type { ModelCard } from './onnx/model-card';
import { createSession, runMatrix } from './onnx/onnx-session';

export interface TrainDetectorsInput {
  X: Matrix;
  /** One sequence of event ids (>= 1) per unit, aligned with X's rows. */
  sequences: number[][];
  vocabulary: number;
  seed: number;
  /** Sessions end: the LSTM also learns where they stop. Windows are cut from a running stream. */
  endMarker?: boolean;
  /** Event steps the LSTM may train for (distinct events x epochs): bounds its training time. */
  lstmStepBudget?: number;
  log?: (msg: string) => void;
}

/** Per-bundle settings the runtime needs besides the ONNX files. */
export interface DetectorMeta {
  lstm: LstmScoringConfig;
  /** Raw LSTM score: the surprise of the least expected event, -ln p. */
  lstmScore: 'maxSurprise';
}

export interface TrainedDetectors {
  onnx: Record<ModelName, Uint8Array>;
  cards: Record<ModelName, ModelCard>;
  meta: DetectorMeta;
}

/** Bounds that keep LSTM training within seconds on long windows (distinct events). */
const LSTM_MAX_SEQUENCE = 256;
const LSTM_MAX_EVENTS = 20_000;

/** Fits the five detectors on the training units and exports each to ONNX. */
export async function trainDetectors(input: TrainDetectorsInput): Promise<TrainedDetectors> {
  const { X, seed } = input;
  const log = input.log ?? (() => {});
  const timed = <T>(name: string, f: () => T): T => {
    const t0 = performance.now();
    const out = f();
    log(`${name} fitted in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return out;
  };
  const iforest = timed('isolation_forest', () => new IsolationForest().fit(X, { seed }));
  const ocsvm = timed('one_class_svm', () => new OneClassSvm().fit(X, { seed, nu: 0.01 }));
  const lof = timed('lof', () => new Lof().fit(X, { seed }));
  const ae = timed('autoencoder', () => new Autoencoder().fit(X, { seed }));
  const lstmSet = lstmTrainingSet(input.sequences, seed);
  const lstm = timed('lstm', () =>
    new LstmModel().fit(lstmSet.sequences, {
      seed,
      vocabSize: input.vocabulary,
      endMarker: input.endMarker ?? false,
      // A fixed budget of event steps over the distinct sequences bounds training time.
      epochs: Math.max(
        3,
        Math.min(20, Math.floor((input.lstmStepBudget ?? 400_000) / lstmSet.distinctEvents)),
      ),
      minUpdates: 100,
    }),
  );
  return {
    onnx: {
      isolation_forest: iforest.toOnnx(),
      one_class_svm: ocsvm.toOnnx(),
      lof: lof.toOnnx(),
      autoencoder: ae.toOnnx(),
      lstm: lstm.toOnnx(),
    },
    cards: {
      isolation_forest: iforest.card(),
      one_class_svm: ocsvm.card(),
      lof: lof.card(),
      autoencoder: ae.card(),
      lstm: lstm.card(),
    },
    meta: { lstm: lstm.scoringConfig, lstmScore: 'maxSurprise' },
  };
}

/**
 * Sequences for LSTM training: long ones cut; when the distinct sequences hold too many events,
 * a seeded sample of distinct sequences, each kept with its multiplicity (the LSTM trains on
 * distinct sequences weighted by count, so repeats cost nothing).
 */
function lstmTrainingSet(seqs: number[][], seed: number): { sequences: number[][]; distinctEvents: number } {
  const groups = new Map<string, number[][]>();
  for (const s of seqs) {
    if (s.length === 0) continue;
    const cut = s.length > LSTM_MAX_SEQUENCE ? s.slice(0, LSTM_MAX_SEQUENCE) : s;
    const key = cut.join(',');
    const g = groups.get(key);
    if (g) g.push(cut);
    else groups.set(key, [cut]);
  }
  let distinct = [...groups.values()];
  const events = distinct.reduce((n, g) => n + g[0]!.length, 0);
  if (events > LSTM_MAX_EVENTS) {
    const r = rng(seed + 1);
    const keep = LSTM_MAX_EVENTS / events;
    distinct = distinct.filter(() => r() < keep);
  }
  const out = distinct.flat();
  if (out.length === 0) throw new Error('no events to train the LSTM on');
  return { sequences: out, distinctEvents: distinct.reduce((n, g) => n + g[0]!.length, 0) };
}

/** For each row, the index of its first identical row among the distinct ones. */
function distinctRowIndex(X: Matrix): { first: number[]; of: Int32Array } {
  const seen = new Map<string, number>();
  const first: number[] = [];
  const of = new Int32Array(X.rows);
  const bytes = new Uint8Array(X.data.buffer, X.data.byteOffset, X.data.byteLength);
  const width = X.cols * 4;
  for (let i = 0; i < X.rows; i++) {
    const key = Buffer.from(bytes.buffer, bytes.byteOffset + i * width, width).toString('latin1');
    let k = seen.get(key);
    if (k === undefined) {
      k = first.length;
      seen.set(key, k);
      first.push(i);
    }
    of[i] = k;
  }
  return { first, of };
}

export interface DetectorScores {
  raw: Record<ModelName, Float32Array>;
  /** Autoencoder squared error per feature, rows x dims. */
  aeErrors: Float32Array;
  /** The LSTM's least expected events per unit (index into the unit's sequence). */
  lstmWorst: SurprisingEvent[][];
}

/** The five ONNX models of a bundle loaded in onnxruntime-node. */
export class DetectorRuntime {
  private constructor(
    private readonly sessions: Record<ModelName, InferenceSession>,
    private readonly meta: DetectorMeta,
  ) {}

  static async load(onnx: Record<ModelName, Uint8Array>, meta: unknown): Promise<DetectorRuntime> {
    const m = meta as DetectorMeta;
    if (!m?.lstm?.vocabSize) throw new Error('bundle has no LSTM settings (manifest.extra.detectors)');
    const sessions = {} as Record<ModelName, InferenceSession>;
    for (const name of MODEL_NAMES) {
      try {
        sessions[name] = await createSession(onnx[name]);
      } catch (err) {
        throw new Error(`cannot load ${name}.onnx: ${(err as Error).message.split('\n')[0]}`);
      }
    }
    return new DetectorRuntime(sessions, m);
  }

  /**
   * Scores units. Identical rows and identical sequences are scored once: log units repeat a
   * lot (most HDFS blocks follow a handful of paths), so this is most of detection's speed.
   */
  async score(X: Matrix, sequences: number[][]): Promise<DetectorScores> {
    const rows = distinctRowIndex(X);
    const U = matrix(rows.first.length, X.cols);
    rows.first.forEach((r, k) => U.data.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), k * X.cols));
    const expand = (v: Float32Array, width = 1) => {
      const out = new Float32Array(X.rows * width);
      for (let i = 0; i < X.rows; i++)
        out.set(v.subarray(rows.of[i]! * width, (rows.of[i]! + 1) * width), i * width);
      return out;
    };
    const raw = {} as Record<ModelName, Float32Array>;
    for (const m of ['isolation_forest', 'one_class_svm', 'lof'] as const)
      raw[m] = expand((await runMatrix(this.sessions[m], U, ['score']))['score']!);
    const ae = await runMatrix(this.sessions.autoencoder, U, ['score', 'errors']);
    raw.autoencoder = expand(ae['score']!);
    const V = this.meta.lstm.vocabSize;
    const seqIndex = new Map<string, number>();
    const distinct: number[][] = [];
    const seqOf = sequences.map((s) => {
      const key = s.join(',');
      let k = seqIndex.get(key);
      if (k === undefined) {
        k = distinct.length;
        seqIndex.set(key, k);
        distinct.push(s.map((id) => (id >= V || id < 1 ? 1 : id)));
      }
      return k;
    });
    const seq: SequenceScore[] = await scoreSequences(this.sessions.lstm, distinct, this.meta.lstm);
    raw.lstm = Float32Array.from(seqOf, (k) => seq[k]!.maxSurprise);
    return { raw, aeErrors: expand(ae['errors']!, X.cols), lstmWorst: seqOf.map((k) => seq[k]!.worst) };
  }

  async close(): Promise<void> {
    for (const s of Object.values(this.sessions)) await s.release();
  }
}
