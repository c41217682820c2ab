import { matrix, rng, type Matrix } from '../matrix';
import { featureModelIO, type ModelCard } from '../onnx/model-card';
import { Adam } from './adam';
import { autoencoderGraph } from './autoencoder-graph';
import { dense, denseForward, denseInputGrad, denseParamGrad, roundToFloat32, type Dense } from './dense';
import { shuffled, shuffleInPlace } from './shuffle';

export interface AutoencoderFitOptions {
  seed: number;
  /** Upper bound on passes over the training rows; early stopping usually ends sooner. */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  hidden?: number;
  /** Width of the code layer; defaults to min(8, ceil(D / 2)) so the net cannot learn the identity. */
  bottleneck?: number;
  /** Epochs without a real gain in validation loss (see minGain) before stopping. */
  patience?: number;
  /** Relative drop in validation loss that counts as a gain (default 0.01): later epochs polish noise. */
  minGain?: number;
  /** Training rows are a seeded sample of at most this many (default 10,000): bounds fit time on large inputs. */
  maxRows?: number;
  /** Share of rows held out for early stopping (none when fewer than 10 rows). */
  validationFraction?: number;
}

export interface AutoencoderTraining {
  rows: number;
  validationRows: number;
  features: number;
  hidden: number;
  bottleneck: number;
  epochs: number;
  bestEpoch: number;
  /** Mean squared reconstruction error per epoch, on the training rows and on the held-out rows. */
  trainLoss: number[];
  validationLoss: number[];
}

export type Activation = 'tanh' | 'linear';

/** D -> hidden (tanh) -> bottleneck (linear) -> hidden (tanh) -> D (linear). */
const ACTIVATIONS: readonly Activation[] = ['tanh', 'linear', 'tanh', 'linear'];
const SCORE_CHUNK = 4096;

/**
 * Dense autoencoder trained on normal feature vectors: a row it reconstructs badly is unlike
 * the training data, and the per-feature squared errors say which features made it so.
 */
export class Autoencoder {
  private layers: Dense[] = [];
  private trainingInfo: AutoencoderTraining | null = null;
  private hyperparameters: Record<string, number> = {};

  get training(): AutoencoderTraining {
    if (!this.trainingInfo) throw new Error('autoencoder is not fitted');
    return this.trainingInfo;
  }

  /** The fitted layers with their activations (weights already rounded to float32). */
  get network(): { layer: Dense; activation: Activation }[] {
    if (!this.trainingInfo) throw new Error('autoencoder is not fitted');
    return this.layers.map((layer, k) => ({ layer, activation: ACTIVATIONS[k]! }));
  }

  fit(X: Matrix, opts: AutoencoderFitOptions): this {
    checkMatrix(X, 'training matrix');
    if (X.rows < 2) throw new Error(`autoencoder needs at least 2 training rows, got ${X.rows}`);
    const D = X.cols;
    const hidden = positiveInt(opts.hidden ?? 32, 'hidden');
    const bottleneck = positiveInt(opts.bottleneck ?? Math.min(8, Math.ceil(D / 2)), 'bottleneck');
    const epochs = positiveInt(opts.epochs ?? 100, 'epochs');
    const batchSize = positiveInt(opts.batchSize ?? 64, 'batchSize');
    const patience = positiveInt(opts.patience ?? 10, 'patience');
    const minGain = opts.minGain ?? 0.01;
    const maxRows = positiveInt(opts.maxRows ?? 10_000, 'maxRows');
    const fraction = opts.validationFraction ?? 0.1;
    if (!(fraction >= 0 && fraction < 1))
      throw new Error(`validationFraction must be in [0, 1), got ${fraction}`);

    this.hyperparameters = {
      seed: opts.seed,
      hidden,
      bottleneck,
      maxEpochs: epochs,
      batchSize,
      learningRate: opts.learningRate ?? 1e-3,
      patience,
      minGain,
      maxRows,
      validationFraction: fraction,
    };
    const random = rng(opts.seed);
    this.layers = [
      dense(D, hidden, random),
      dense(hidden, bottleneck, random),
      dense(bottleneck, hidden, random),
      dense(hidden, D, random),
    ];
    const params = this.layers.flatMap((l) => [l.w, l.b]);
    const grads = params.map((p) => new Float64Array(p.length));
    const adam = new Adam(params, { learningRate: this.hyperparameters.learningRate });

    const order = shuffled(X.rows, random);
    const nVal = X.rows >= 10 ? Math.floor(X.rows * fraction) : 0;
    const valRows = order.slice(0, nVal);
    const trainRows = order.slice(nVal, nVal + maxRows);
    const valX = gather(X, valRows);

    const acts = this.activationBuffers(batchSize);
    const deltas = this.activationBuffers(batchSize);
    const batch = new Float64Array(batchSize * D);
    const trainLoss: number[] = [];
    const validationLoss: number[] = [];
    let best = Infinity;
    let bestEpoch = 0;
    let lastGain = { epoch: 0, loss: Infinity };
    let bestParams = params.map((p) => p.slice());

    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffleInPlace(trainRows, random);
      let sum = 0;
      for (let start = 0; start < trainRows.length; start += batchSize) {
        const n = Math.min(batchSize, trainRows.length - start);
        for (let r = 0; r < n; r++) {
          const src = trainRows[start + r]! * D;
          for (let j = 0; j < D; j++) batch[r * D + j] = X.data[src + j]!;
        }
        for (const g of grads) g.fill(0);
        sum += this.backprop(batch, n, acts, deltas, grads);
        adam.step(grads);
      }
      trainLoss.push(sum / (trainRows.length * D));
      // Without held-out rows the training loss is the only signal left for stopping.
      const monitored = nVal > 0 ? meanOf(this.rowErrors(valX, nVal)) : trainLoss[epoch]!;
      if (nVal > 0) validationLoss.push(monitored);
      if (monitored < best) {
        best = monitored;
        bestEpoch = epoch;
        bestParams = params.map((p) => p.slice());
      }
      if (monitored < lastGain.loss * (1 - minGain)) lastGain = { epoch, loss: monitored };
      else if (epoch - lastGain.epoch >= patience) break;
    }
    params.forEach((p, k) => {
      p.set(bestParams[k]!);
      roundToFloat32(p);
    });
    this.trainingInfo = {
      rows: trainRows.length,
      validationRows: nVal,
      features: D,
      hidden,
      bottleneck,
      epochs: trainLoss.length,
      bestEpoch,
      trainLoss,
      validationLoss,
    };
    return this;
  }

  /** Mean squared reconstruction error per row: the anomaly score (higher = more anomalous). */
  score(X: Matrix): Float64Array {
    return this.rowErrors(this.checkInput(X), X.rows);
  }

  /** Squared reconstruction error per feature, [rows, D]: which features a row failed to reproduce. */
  errors(X: Matrix): Matrix {
    const data = this.checkInput(X);
    const out = matrix(X.rows, X.cols);
    this.forEachChunk(data, X.rows, (start, n, recon) => {
      const D = X.cols;
      for (let i = 0; i < n * D; i++) {
        const d = data[start * D + i]! - recon[i]!;
        out.data[start * D + i] = d * d;
      }
    });
    return out;
  }

  /** ONNX graph: input `X` float [N, D]; outputs `score` float [N] and `errors` float [N, D]. */
  toOnnx(version = '1'): Uint8Array {
    return autoencoderGraph(this.network, { model: 'autoencoder', version });
  }

  card(version = '1'): ModelCard {
    const t = this.training;
    const io = featureModelIO(t.features);
    return {
      name: 'autoencoder',
      version,
      description: `Dense autoencoder ${t.features}-${t.hidden}-${t.bottleneck}-${t.hidden}-${t.features} (tanh, linear code) trained on normal units; the score is the mean squared reconstruction error.`,
      inputs: io.inputs,
      outputs: [
        ...io.outputs,
        {
          name: 'errors',
          type: 'float32',
          shape: ['N', t.features],
          meaning: 'squared reconstruction error per feature: which features made the unit unusual',
        },
      ],
      hyperparameters: { ...this.hyperparameters },
      training: {
        rows: t.rows,
        validationRows: t.validationRows,
        features: t.features,
        epochs: t.epochs,
        bestEpoch: t.bestEpoch,
        trainLoss: t.trainLoss[t.bestEpoch]!,
        ...(t.validationLoss.length ? { validationLoss: t.validationLoss[t.bestEpoch]! } : {}),
      },
    };
  }

  private checkInput(X: Matrix): Float64Array {
    const { features } = this.training;
    checkMatrix(X, 'input matrix');
    if (X.cols !== features)
      throw new Error(`autoencoder was fitted on ${features} features, input has ${X.cols}`);
    return Float64Array.from(X.data);
  }

  private rowErrors(data: Float64Array, rows: number): Float64Array {
    const D = this.layers[0]!.inputs;
    const out = new Float64Array(rows);
    this.forEachChunk(data, rows, (start, n, recon) => {
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let j = 0; j < D; j++) {
          const d = data[(start + r) * D + j]! - recon[r * D + j]!;
          s += d * d;
        }
        out[start + r] = s / D;
      }
    });
    return out;
  }

  /** Reconstructs rows in chunks so scoring a large matrix needs bounded scratch memory. */
  private forEachChunk(
    data: Float64Array,
    rows: number,
    fn: (start: number, n: number, recon: Float64Array) => void,
  ): void {
    const D = this.layers[0]!.inputs;
    const acts = this.activationBuffers(Math.min(SCORE_CHUNK, rows));
    for (let start = 0; start < rows; start += SCORE_CHUNK) {
      const n = Math.min(SCORE_CHUNK, rows - start);
      this.forward(data.subarray(start * D, (start + n) * D), n, acts);
      fn(start, n, acts[acts.length - 1]!);
    }
  }

  private activationBuffers(rows: number): Float64Array[] {
    return this.layers.map((l) => new Float64Array(rows * l.outputs));
  }

  private forward(x: Float64Array, rows: number, acts: Float64Array[]): void {
    let input = x;
    this.layers.forEach((layer, k) => {
      const a = acts[k]!;
      denseForward(layer, input, rows, a);
      if (ACTIVATIONS[k] === 'tanh') for (let i = 0; i < rows * layer.outputs; i++) a[i] = Math.tanh(a[i]!);
      input = a;
    });
  }

  /** Forward + backward for one batch; adds the gradient of the batch's mean-per-value loss to grads, returns the summed squared error. */
  private backprop(
    x: Float64Array,
    rows: number,
    acts: Float64Array[],
    deltas: Float64Array[],
    grads: Float64Array[],
  ): number {
    this.forward(x, rows, acts);
    const last = this.layers.length - 1;
    const D = this.layers[last]!.outputs;
    const out = acts[last]!;
    const dOut = deltas[last]!;
    let sse = 0;
    const scale = 2 / (rows * D);
    for (let i = 0; i < rows * D; i++) {
      const d = out[i]! - x[i]!;
      sse += d * d;
      dOut[i] = scale * d;
    }
    for (let k = last; k >= 0; k--) {
      const layer = this.layers[k]!;
      const delta = deltas[k]!;
      if (ACTIVATIONS[k] === 'tanh') {
        const a = acts[k]!;
        for (let i = 0; i < rows * layer.outputs; i++) delta[i] = delta[i]! * (1 - a[i]! * a[i]!);
      }
      const input = k === 0 ? x : acts[k - 1]!;
      denseParamGrad(layer, input, rows, delta, grads[2 * k]!, grads[2 * k + 1]!);
      if (k > 0) denseInputGrad(layer, delta, rows, deltas[k - 1]!);
    }
    return sse;
  }
}

function checkMatrix(X: Matrix, what: string): void {
  if (X.cols < 1) throw new Error(`${what} has no columns`);
  if (X.data.length !== X.rows * X.cols)
    throw new Error(`${what} has ${X.data.length} values, expected ${X.rows}x${X.cols}`);
  for (let i = 0; i < X.data.length; i++) {
    if (!Number.isFinite(X.data[i]!))
      throw new Error(
        `${what} has a non-finite value at row ${Math.floor(i / X.cols)}, column ${i % X.cols}`,
      );
  }
}

function positiveInt(n: number, name: string): number {
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${n}`);
  return n;
}

function gather(X: Matrix, rows: number[]): Float64Array {
  const out = new Float64Array(rows.length * X.cols);
  rows.forEach((r, i) => out.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), i * X.cols));
  return out;
}

function meanOf(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v;
  return s / a.length;
}
