import type { ModelCard } from '../onnx/model-card';
import { featureModelIO } from '../onnx/model-card';
import { GraphBuilder } from '../onnx/graph-builder';
import { checkFinite } from '../onnx/onnx-session';
import { rng, type Matrix } from '../matrix';

export interface IsolationForestOptions {
  seed: number;
  trees?: number;
  sampleSize?: number;
  /**
   * Split thresholds are drawn from the node's range widened by this share of the feature's
   * training spread on each side (share of one unit for a feature that never varied; 0 gives the
   * textbook forest). Plain isolation forests never split outside the training range, so a
   * feature that was constant in training (a template never seen) cannot isolate anything; the
   * margin lets novel values fall into empty leaves, i.e. be isolated at once.
   */
  margin?: number;
}

/**
 * Up to 4,096 rows per tree rather than the paper's 256: a value seen in a few tenths of a percent
 * of training units is then in every tree's sample, so rare-but-seen stays apart from never-seen
 * (with 256 both are isolated at once; on HDFS that put held-back normal units above anomalies).
 * The trees stay small all the same: depth is capped at log2 of the sample and the widened split
 * range ends many branches early.
 */
const DEFAULTS = { trees: 100, sampleSize: 4096, margin: 0.5 };

interface Tree {
  feature: Int32Array;
  threshold: Float32Array;
  left: Int32Array;
  right: Int32Array;
  /** Path length credited at a leaf: depth + c(size); -1 for inner nodes. */
  value: Float64Array;
}

/** Average path length of an unsuccessful BST search: the normaliser c(n) of isolation forests. */
export function c(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649) - (2 * (n - 1)) / n;
}

export class IsolationForest {
  private trees: Tree[] = [];
  private psi = 0;
  private dims = 0;
  private opts: Required<IsolationForestOptions> = { seed: 0, ...DEFAULTS };
  private info = { rows: 0, seconds: 0 };

  fit(X: Matrix, options: IsolationForestOptions): this {
    if (X.rows < 2) throw new Error('isolation forest needs at least 2 training rows');
    checkFinite(X, 'isolation forest training matrix');
    const t0 = performance.now();
    const {
      seed,
      trees = DEFAULTS.trees,
      sampleSize = DEFAULTS.sampleSize,
      margin = DEFAULTS.margin,
    } = options;
    this.opts = { seed, trees, sampleSize, margin };
    const r = rng(this.opts.seed);
    const D = (this.dims = X.cols);
    const spread = new Float64Array(D);
    for (let j = 0; j < D; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < X.rows; i++) {
        const v = X.data[i * D + j]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      spread[j] = (hi > lo ? hi - lo : 1) * this.opts.margin;
    }
    this.psi = Math.min(this.opts.sampleSize, X.rows);
    const limit = Math.ceil(Math.log2(Math.max(2, this.psi)));
    this.trees = [];
    for (let t = 0; t < this.opts.trees; t++) {
      const sample = sampleRows(X.rows, this.psi, r);
      const nodes: { feature: number; threshold: number; left: number; right: number; value: number }[] = [];
      const build = (rows: Int32Array, depth: number): number => {
        const id = nodes.length;
        nodes.push({ feature: 0, threshold: 0, left: -1, right: -1, value: -1 });
        if (rows.length <= 1 || depth >= limit) {
          nodes[id]!.value = depth + c(rows.length);
          return id;
        }
        const q = Math.floor(r() * D);
        let lo = Infinity;
        let hi = -Infinity;
        for (const i of rows) {
          const v = X.data[i * D + q]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        const m = spread[q]!;
        const p = Math.fround(lo - m + r() * (hi - lo + 2 * m));
        const left: number[] = [];
        const right: number[] = [];
        for (const i of rows) (X.data[i * D + q]! < p ? left : right).push(i);
        nodes[id]!.feature = q;
        nodes[id]!.threshold = p;
        nodes[id]!.left = build(Int32Array.from(left), depth + 1);
        nodes[id]!.right = build(Int32Array.from(right), depth + 1);
        return id;
      };
      build(sample, 0);
      this.trees.push({
        feature: Int32Array.from(nodes, (n) => n.feature),
        threshold: Float32Array.from(nodes, (n) => n.threshold),
        left: Int32Array.from(nodes, (n) => n.left),
        right: Int32Array.from(nodes, (n) => n.right),
        value: Float64Array.from(nodes, (n) => n.value),
      });
    }
    this.info = { rows: X.rows, seconds: (performance.now() - t0) / 1000 };
    return this;
  }

  /** Anomaly score 2^(-E[h(x)] / c(psi)) in (0, 1]: higher = more anomalous. */
  score(X: Matrix): Float64Array {
    this.check(X);
    const out = new Float64Array(X.rows);
    const norm = c(this.psi);
    for (let i = 0; i < X.rows; i++) {
      let sum = 0;
      for (const t of this.trees) {
        let n = 0;
        while (t.value[n]! < 0)
          n = X.data[i * X.cols + t.feature[n]!]! < t.threshold[n]! ? t.left[n]! : t.right[n]!;
        sum += t.value[n]!;
      }
      out[i] = Math.pow(2, -(sum / this.trees.length) / norm);
    }
    return out;
  }

  toOnnx(version = '1'): Uint8Array {
    this.check();
    const g = new GraphBuilder('logsieve_isolation_forest');
    const x = g.input('X', 'float', ['N', this.dims]);
    g.output('score', 'float', ['N']);
    const a = {
      treeids: [] as number[],
      nodeids: [] as number[],
      featureids: [] as number[],
      values: [] as number[],
      modes: [] as string[],
      trueids: [] as number[],
      falseids: [] as number[],
    };
    const tgt = { treeids: [] as number[], nodeids: [] as number[], weights: [] as number[] };
    this.trees.forEach((t, ti) => {
      for (let n = 0; n < t.value.length; n++) {
        const leaf = t.value[n]! >= 0;
        a.treeids.push(ti);
        a.nodeids.push(n);
        a.featureids.push(leaf ? 0 : t.feature[n]!);
        a.values.push(leaf ? 0 : t.threshold[n]!);
        a.modes.push(leaf ? 'LEAF' : 'BRANCH_LT');
        a.trueids.push(leaf ? 0 : t.left[n]!);
        a.falseids.push(leaf ? 0 : t.right[n]!);
        if (leaf) {
          tgt.treeids.push(ti);
          tgt.nodeids.push(n);
          tgt.weights.push(t.value[n]!);
        }
      }
    });
    const [meanPath] = g.node(
      'TreeEnsembleRegressor',
      [x],
      1,
      {
        n_targets: 1,
        aggregate_function: 'AVERAGE',
        nodes_treeids: a.treeids,
        nodes_nodeids: a.nodeids,
        nodes_featureids: a.featureids,
        nodes_values: Float32Array.from(a.values),
        nodes_modes: a.modes,
        nodes_truenodeids: a.trueids,
        nodes_falsenodeids: a.falseids,
        target_treeids: tgt.treeids,
        target_nodeids: tgt.nodeids,
        target_ids: tgt.treeids.map(() => 0),
        target_weights: Float32Array.from(tgt.weights),
      },
      'ai.onnx.ml',
    );
    const [exponent] = g.node('Mul', [meanPath!, g.initializer('neg_inv_c', [-1 / c(this.psi)], [1])], 1);
    const [s] = g.node('Pow', [g.initializer('two', [2], [1]), exponent!], 1);
    g.node('Reshape', [s!, g.initializer('flat', BigInt64Array.from([-1n]), [1])], ['score']);
    g.metadata({ model: 'isolation_forest', version });
    return g.toBytes();
  }

  card(version = '1'): ModelCard {
    this.check();
    return {
      name: 'isolation_forest',
      version,
      description:
        'Isolation forest over unit feature vectors; split thresholds range past the training hull so never-seen feature values are isolated.',
      ...featureModelIO(this.dims),
      hyperparameters: { ...this.opts },
      training: { ...this.info, sampleSize: this.psi },
    };
  }

  private check(X?: Matrix): void {
    if (!this.trees.length) throw new Error('isolation forest is not fitted');
    if (X && X.cols !== this.dims)
      throw new Error(`isolation forest expects ${this.dims} features, got ${X.cols}`);
    if (X) checkFinite(X, 'isolation forest input');
  }
}

function sampleRows(n: number, k: number, r: () => number): Int32Array {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(r() * (n - i));
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  return idx.slice(0, k);
}
