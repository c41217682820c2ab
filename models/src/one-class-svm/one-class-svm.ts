import type { ModelCard } from '../onnx/model-card';
import { featureModelIO } from '../onnx/model-card';
import { GraphBuilder } from '../onnx/graph-builder';
import { checkFinite } from '../onnx/onnx-session';
import { rng, type Matrix } from '../matrix';

export interface OneClassSvmOptions {
  seed: number;
  /** Upper bound on the share of training rows outside the boundary (and lower bound on support vectors). */
  nu?: number;
  /** RBF width; default 'scale' = 1 / (D * variance of X). */
  gamma?: number;
  /** Distinct rows beyond this are subsampled (the kernel matrix is kept in memory). */
  maxRows?: number;
  tolerance?: number;
  maxIterations?: number;
}

/**
 * One-class SVM (Schölkopf's nu formulation) with an RBF kernel, solved by SMO with the
 * maximal-violating-pair selection libsvm uses. Identical rows are merged first and their
 * multiplicity becomes the upper bound of the merged row's coefficient, which is exactly the
 * same problem as keeping them apart, and much smaller for log features, where most units repeat.
 */
export class OneClassSvm {
  private sv: Float32Array = new Float32Array(0);
  private alpha: Float64Array = new Float64Array(0);
  private rho = 0;
  private gamma = 0;
  private dims = 0;
  private opts: Required<OneClassSvmOptions> = {
    seed: 0,
    nu: 0.05,
    gamma: 0,
    maxRows: 3000,
    tolerance: 1e-3,
    maxIterations: 200_000,
  };
  private info = { rows: 0, distinctRows: 0, supportVectors: 0, iterations: 0, seconds: 0 };

  fit(X: Matrix, options: OneClassSvmOptions): this {
    if (X.rows < 2) throw new Error('one-class SVM needs at least 2 training rows');
    checkFinite(X, 'one-class SVM training matrix');
    const t0 = performance.now();
    this.opts = { ...this.opts, ...options };
    const D = (this.dims = X.cols);
    const { rows, weights } = distinctRows(X, this.opts.maxRows, rng(this.opts.seed));
    const n = weights.length;
    this.gamma = options.gamma ?? 1 / (D * Math.max(variance(X.data), 1e-12));
    const K = new Float64Array(n * n);
    const sq = new Float64Array(n);
    for (let i = 0; i < n; i++) sq[i] = dot(rows, i, rows, i, D);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const k = Math.exp(-this.gamma * Math.max(0, sq[i]! + sq[j]! - 2 * dot(rows, i, rows, j, D)));
        K[i * n + j] = k;
        K[j * n + i] = k;
      }
    }
    // Coefficients scaled as libsvm does: 0 <= a_i <= w_i, sum a_i = nu * (rows represented).
    const total = weights.reduce((a, b) => a + b, 0);
    let left = this.opts.nu * total;
    const a = new Float64Array(n);
    for (let i = 0; i < n && left > 0; i++) {
      a[i] = Math.min(weights[i]!, left);
      left -= a[i]!;
    }
    const G = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (a[i] === 0) continue;
      for (let t = 0; t < n; t++) G[t] += a[i]! * K[i * n + t]!;
    }
    let it = 0;
    for (; it < this.opts.maxIterations; it++) {
      let i = -1;
      let j = -1;
      let gi = Infinity;
      let gj = -Infinity;
      for (let t = 0; t < n; t++) {
        if (a[t]! < weights[t]! && G[t]! < gi) {
          gi = G[t]!;
          i = t;
        }
        if (a[t]! > 0 && G[t]! > gj) {
          gj = G[t]!;
          j = t;
        }
      }
      if (i < 0 || j < 0 || gj - gi < this.opts.tolerance) break;
      const curv = Math.max(K[i * n + i]! + K[j * n + j]! - 2 * K[i * n + j]!, 1e-12);
      const delta = Math.min((gj - gi) / curv, weights[i]! - a[i]!, a[j]!);
      a[i] += delta;
      a[j] -= delta;
      for (let t = 0; t < n; t++) G[t] += delta * (K[i * n + t]! - K[j * n + t]!);
    }
    // rho: the gradient at free coefficients; the midpoint of the feasible range when none is free.
    let free = 0;
    let sum = 0;
    let ub = Infinity;
    let lb = -Infinity;
    for (let t = 0; t < n; t++) {
      if (a[t]! > 1e-12 && a[t]! < weights[t]! - 1e-12) {
        free++;
        sum += G[t]!;
      } else if (a[t]! <= 1e-12) ub = Math.min(ub, G[t]!);
      else lb = Math.max(lb, G[t]!);
    }
    this.rho = free ? sum / free : (Math.min(ub, 1e300) + Math.max(lb, -1e300)) / 2;
    const keep: number[] = [];
    for (let t = 0; t < n; t++) if (a[t]! > 1e-12) keep.push(t);
    this.sv = new Float32Array(keep.length * D);
    keep.forEach((t, k) => this.sv.set(rows.subarray(t * D, (t + 1) * D), k * D));
    this.alpha = Float64Array.from(keep, (t) => a[t]!);
    this.info = {
      rows: X.rows,
      distinctRows: n,
      supportVectors: keep.length,
      iterations: it,
      seconds: (performance.now() - t0) / 1000,
    };
    return this;
  }

  /** rho - sum_i a_i K(sv_i, x): positive outside the learned boundary. */
  score(X: Matrix): Float64Array {
    this.check(X);
    const D = this.dims;
    const S = this.alpha.length;
    const out = new Float64Array(X.rows);
    const svSq = new Float64Array(S);
    for (let s = 0; s < S; s++) svSq[s] = dot(this.sv, s, this.sv, s, D);
    for (let i = 0; i < X.rows; i++) {
      const xx = dot(X.data, i, X.data, i, D);
      let f = 0;
      for (let s = 0; s < S; s++)
        f +=
          this.alpha[s]! *
          Math.exp(-this.gamma * Math.max(0, xx + svSq[s]! - 2 * dot(X.data, i, this.sv, s, D)));
      out[i] = this.rho - f;
    }
    return out;
  }

  /** The decision function as MatMul/Exp: far faster in onnxruntime than SVMRegressor. */
  toOnnx(version = '1'): Uint8Array {
    this.check();
    const D = this.dims;
    const S = this.alpha.length;
    const g = new GraphBuilder('logsieve_one_class_svm');
    const x = g.input('X', 'float', ['N', D]);
    g.output('score', 'float', ['N']);
    const svT = new Float32Array(D * S);
    const svSq = new Float32Array(S);
    for (let s = 0; s < S; s++) {
      for (let d = 0; d < D; d++) svT[d * S + s] = this.sv[s * D + d]!;
      svSq[s] = dot(this.sv, s, this.sv, s, D);
    }
    const d2 = squaredDistances(
      g,
      x,
      D,
      g.initializer('sv_t', svT, [D, S]),
      g.initializer('sv_sq', svSq, [1, S]),
    );
    const [k] = g.node(
      'Exp',
      [g.node('Mul', [d2, g.initializer('neg_gamma', [-this.gamma], [1])], 1)[0]!],
      1,
    );
    const [f] = g.node('MatMul', [k!, g.initializer('alpha', Float32Array.from(this.alpha), [S, 1])], 1);
    const [s] = g.node('Sub', [g.initializer('rho', [this.rho], [1]), f!], 1);
    g.node('Reshape', [s!, g.initializer('flat', BigInt64Array.from([-1n]), [1])], ['score']);
    g.metadata({ model: 'one_class_svm', version });
    return g.toBytes();
  }

  card(version = '1'): ModelCard {
    this.check();
    return {
      name: 'one_class_svm',
      version,
      description:
        'nu one-class SVM with an RBF kernel (own SMO solver); score = rho - decision sum, positive outside the boundary.',
      ...featureModelIO(this.dims),
      hyperparameters: {
        nu: this.opts.nu,
        gamma: this.gamma,
        maxRows: this.opts.maxRows,
        tolerance: this.opts.tolerance,
      },
      training: { ...this.info },
    };
  }

  private check(X?: Matrix): void {
    if (!this.alpha.length) throw new Error('one-class SVM is not fitted');
    if (X && X.cols !== this.dims)
      throw new Error(`one-class SVM expects ${this.dims} features, got ${X.cols}`);
    if (X) checkFinite(X, 'one-class SVM input');
  }
}

/** ||x||^2 - 2 x.R + ||r||^2, clamped at 0: [N, S] from X [N, D], R^T [D, S] and ||r||^2 [1, S]. */
export function squaredDistances(g: GraphBuilder, x: string, D: number, refT: string, refSq: string): string {
  const [xx] = g.node('Mul', [x, x], 1);
  const [xSq] = g.node(
    'MatMul',
    [xx!, g.initializer(`${refT}_ones`, new Float32Array(D).fill(1), [D, 1])],
    1,
  );
  const [xr] = g.node('MatMul', [x, refT], 1);
  const [m2] = g.node('Mul', [xr!, g.initializer(`${refT}_minus2`, [-2], [1])], 1);
  const [sum] = g.node('Add', [g.node('Add', [m2!, xSq!], 1)[0]!, refSq], 1);
  return g.node('Max', [sum!, g.initializer(`${refT}_zero`, [0], [1])], 1)[0]!;
}

function dot(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, D: number): number {
  let s = 0;
  const oi = i * D;
  const oj = j * D;
  for (let d = 0; d < D; d++) s += a[oi + d]! * b[oj + d]!;
  return s;
}

function variance(v: Float32Array): number {
  let m = 0;
  for (const x of v) m += x;
  m /= v.length;
  let s = 0;
  for (const x of v) s += (x - m) ** 2;
  return s / v.length;
}

/** Distinct rows with their multiplicities; a seeded sample of them when there are too many. */
export function distinctRows(
  X: Matrix,
  maxRows: number,
  r: () => number,
): { rows: Float32Array; weights: number[] } {
  const seen = new Map<string, number>();
  const first: number[] = [];
  const weights: number[] = [];
  const bytes = new Uint8Array(X.data.buffer, X.data.byteOffset, X.data.byteLength);
  const rowBytes = X.cols * 4;
  for (let i = 0; i < X.rows; i++) {
    const key = Buffer.from(bytes.subarray(i * rowBytes, (i + 1) * rowBytes)).toString('latin1');
    const k = seen.get(key);
    if (k === undefined) {
      seen.set(key, first.length);
      first.push(i);
      weights.push(1);
    } else weights[k]!++;
  }
  let pick = first.map((_, k) => k);
  if (pick.length > maxRows) {
    for (let i = pick.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [pick[i], pick[j]] = [pick[j]!, pick[i]!];
    }
    pick = pick.slice(0, maxRows).sort((a, b) => a - b);
  }
  const rows = new Float32Array(pick.length * X.cols);
  pick.forEach((k, n) => rows.set(X.data.subarray(first[k]! * X.cols, (first[k]! + 1) * X.cols), n * X.cols));
  return { rows, weights: pick.map((k) => weights[k]!) };
}
