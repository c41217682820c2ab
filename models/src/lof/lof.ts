import type { ModelCard } from '../onnx/model-card';
import { featureModelIO } from '../onnx/model-card';
import { GraphBuilder } from '../onnx/graph-builder';
import { checkFinite } from '../onnx/onnx-session';
import { distinctRows, squaredDistances } from '../one-class-svm/one-class-svm';
import { rng, type Matrix } from '../matrix';

export interface LofOptions {
  seed: number;
  k?: number;
  /** Reference rows kept (distinct rows, sampled beyond this). */
  maxReference?: number;
}

/**
 * Local Outlier Factor in novelty mode: a stored reference set of distinct training rows with
 * their k-distances and local reachability densities; a new row's LOF is the mean density of its
 * k nearest reference rows over its own. Rows are deduplicated first, because repeated rows make
 * k-distances zero and densities infinite (log units repeat a lot).
 */
export class Lof {
  private ref: Float32Array<ArrayBufferLike> = new Float32Array(0);
  private kdist = new Float32Array(0);
  private lrd = new Float32Array(0);
  private k = 0;
  private dims = 0;
  private eps = 1e-6;
  private opts: Required<LofOptions> = { seed: 0, k: 20, maxReference: 2000 };
  private info = { rows: 0, referenceRows: 0, seconds: 0 };

  fit(X: Matrix, options: LofOptions): this {
    if (X.rows < 2) throw new Error('LOF needs at least 2 training rows');
    checkFinite(X, 'LOF training matrix');
    const t0 = performance.now();
    this.opts = { ...this.opts, ...options };
    const D = (this.dims = X.cols);
    const { rows } = distinctRows(X, this.opts.maxReference, rng(this.opts.seed));
    const R = rows.length / D;
    if (R < 2) throw new Error('LOF needs at least 2 distinct training rows');
    this.ref = rows;
    this.k = Math.min(this.opts.k, R - 1);
    const dist = new Float64Array(R * R);
    for (let i = 0; i < R; i++) {
      for (let j = i + 1; j < R; j++) {
        let s = 0;
        for (let d = 0; d < D; d++) s += (rows[i * D + d]! - rows[j * D + d]!) ** 2;
        dist[i * R + j] = dist[j * R + i] = Math.sqrt(s);
      }
    }
    // Distances between distinct rows are > 0; eps keeps densities finite all the same.
    this.eps = 1e-6;
    const neigh: Int32Array[] = [];
    this.kdist = new Float32Array(R);
    for (let i = 0; i < R; i++) {
      const row = dist.subarray(i * R, (i + 1) * R);
      row[i] = Infinity; // not its own neighbour
      neigh.push(kNearest(row, this.k));
      row[i] = 0;
      this.kdist[i] = row[neigh[i]![this.k - 1]!]!;
    }
    this.lrd = new Float32Array(R);
    for (let i = 0; i < R; i++) {
      let reach = 0;
      for (const o of neigh[i]!) reach += Math.max(this.kdist[o]!, dist[i * R + o]!);
      this.lrd[i] = 1 / (reach / this.k + this.eps);
    }
    this.info = { rows: X.rows, referenceRows: R, seconds: (performance.now() - t0) / 1000 };
    return this;
  }

  score(X: Matrix): Float64Array {
    this.check(X);
    const D = this.dims;
    const R = this.lrd.length;
    const out = new Float64Array(X.rows);
    const d = new Float64Array(R);
    for (let i = 0; i < X.rows; i++) {
      for (let j = 0; j < R; j++) {
        let s = 0;
        for (let c = 0; c < D; c++) s += (X.data[i * D + c]! - this.ref[j * D + c]!) ** 2;
        d[j] = Math.sqrt(s);
      }
      let reach = 0;
      let dens = 0;
      for (const o of kNearest(d, this.k)) {
        reach += Math.max(this.kdist[o]!, d[o]!);
        dens += this.lrd[o]!;
      }
      out[i] = (dens / this.k) * (reach / this.k + this.eps);
    }
    return out;
  }

  /** Distances by MatMul, neighbours by TopK, densities by Gather. */
  toOnnx(version = '1'): Uint8Array {
    this.check();
    const D = this.dims;
    const R = this.lrd.length;
    const g = new GraphBuilder('logsieve_lof');
    const x = g.input('X', 'float', ['N', D]);
    g.output('score', 'float', ['N']);
    const refT = new Float32Array(D * R);
    const refSq = new Float32Array(R);
    for (let r = 0; r < R; r++) {
      let s = 0;
      for (let c = 0; c < D; c++) {
        refT[c * R + r] = this.ref[r * D + c]!;
        s += this.ref[r * D + c]! ** 2;
      }
      refSq[r] = s;
    }
    const d2 = squaredDistances(
      g,
      x,
      D,
      g.initializer('ref_t', refT, [D, R]),
      g.initializer('ref_sq', refSq, [1, R]),
    );
    const [dist] = g.node('Sqrt', [d2], 1);
    const [nd, ni] = g.node(
      'TopK',
      [dist!, g.initializer('k', BigInt64Array.from([BigInt(this.k)]), [1])],
      2,
      { axis: 1, largest: 0, sorted: 1 },
    );
    const [kd] = g.node('Gather', [g.initializer('kdist', this.kdist, [R]), ni!], 1, { axis: 0 });
    const [reach] = g.node('Max', [nd!, kd!], 1);
    const mean = g.initializer('mean_k', new Float32Array(this.k).fill(1 / this.k), [this.k, 1]);
    const [meanReach] = g.node('MatMul', [reach!, mean], 1);
    const [dens] = g.node('Gather', [g.initializer('lrd', this.lrd, [R]), ni!], 1, { axis: 0 });
    const [meanDens] = g.node('MatMul', [dens!, mean], 1);
    const [own] = g.node('Add', [meanReach!, g.initializer('eps', [this.eps], [1])], 1);
    const [lof] = g.node('Mul', [meanDens!, own!], 1);
    g.node('Reshape', [lof!, g.initializer('flat', BigInt64Array.from([-1n]), [1])], ['score']);
    g.metadata({ model: 'lof', version });
    return g.toBytes();
  }

  card(version = '1'): ModelCard {
    this.check();
    return {
      name: 'lof',
      version,
      description:
        'Local Outlier Factor in novelty mode over a stored reference set of distinct training rows.',
      ...featureModelIO(this.dims),
      hyperparameters: { k: this.k, maxReference: this.opts.maxReference },
      training: { ...this.info },
    };
  }

  private check(X?: Matrix): void {
    if (!this.lrd.length) throw new Error('LOF is not fitted');
    if (X && X.cols !== this.dims) throw new Error(`LOF expects ${this.dims} features, got ${X.cols}`);
    if (X) checkFinite(X, 'LOF input');
  }
}

/**
 * Indices of the k smallest distances, nearest first (ties by index). The k-th value comes from a
 * native typed-array sort, which is far cheaper than sorting indices with a comparator.
 */
function kNearest(d: Float64Array, k: number): Int32Array {
  const kth = d.slice().sort()[k - 1]!;
  const picked: number[] = [];
  for (let j = 0; j < d.length; j++) if (d[j]! < kth) picked.push(j);
  for (let j = 0; j < d.length && picked.length < k; j++) if (d[j] === kth) picked.push(j);
  return Int32Array.from(picked.sort((a, b) => d[a]! - d[b]! || a - b));
}
