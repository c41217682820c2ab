/**
 * Fit time and scoring throughput of the three feature-vector detectors (isolation forest,
 * one-class SVM, LOF) on synthetic 5,000 x 50 data: TypeScript reference scorer, onnxruntime-node
 * over a whole matrix in 1,024-row batches, and single rows coalesced by OnnxScorer.
 * Run: npx tsx bench/models/fit-score.ts [rows] [dims]
 */
import { IsolationForest } from '../../models/src/isolation-forest/isolation-forest';
import { Lof } from '../../models/src/lof/lof';
import { matrix, rng, type Matrix } from '../../models/src/matrix';
import { OneClassSvm } from '../../models/src/one-class-svm/one-class-svm';
import type { ModelCard } from '../../models/src/onnx/model-card';
import { OnnxScorer } from '../../models/src/onnx/onnx-scorer';

const rows = Number(process.argv[2] ?? 5000);
const dims = Number(process.argv[3] ?? 50);

/** Four Gaussian blobs; a quarter of the rows repeat earlier ones, as log units do. */
function synthetic(n: number, D: number, seed: number): Matrix {
  const r = rng(seed);
  const g = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const m = matrix(n, D);
  for (let i = 0; i < n; i++) {
    if (i > 10 && r() < 0.25) {
      const j = Math.floor(r() * i);
      m.data.copyWithin(i * D, j * D, (j + 1) * D);
      continue;
    }
    const centre = (i % 4) * 1.5;
    for (let d = 0; d < D; d++) m.data[i * D + d] = centre + g();
  }
  return m;
}

function cpuSeconds<T>(fn: () => T): { value: T; wall: number; cpu: number } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

async function timedAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

const train = synthetic(rows, dims, 1);
const test = synthetic(rows, dims, 2);
interface FeatureModel {
  score(X: Matrix): Float64Array;
  toOnnx(): Uint8Array;
  card(): ModelCard;
}

const models: Record<string, () => FeatureModel> = {
  isolation_forest: () => new IsolationForest().fit(train, { seed: 7, trees: 100 }),
  one_class_svm: () => new OneClassSvm().fit(train, { seed: 7, nu: 0.05 }),
  lof: () => new Lof().fit(train, { seed: 7, k: 20 }),
};

console.log(`synthetic ${rows} x ${dims} (train and test), node ${process.version}`);
console.log(
  'model              fit wall/cpu s   TS rows/s   ONNX batch rows/s   ONNX coalesced rows/s   onnx KiB   max |ONNX-TS| / max |TS|',
);
for (const [name, make] of Object.entries(models)) {
  const fit = cpuSeconds(make);
  const model = fit.value;
  const ts = cpuSeconds(() => model.score(test));
  const bytes = model.toOnnx();
  const scorer = await OnnxScorer.load(bytes);
  await scorer.scoreMatrix(test, 1024); // warm-up: first run allocates
  let onnx: Float32Array<ArrayBufferLike> = new Float32Array(0);
  const batchSec = await timedAsync(async () => (onnx = await scorer.scoreMatrix(test, 1024)));
  const single = Math.min(rows, 2000);
  const coalescedSec = await timedAsync(() =>
    Promise.all(
      Array.from({ length: single }, (_, i) => scorer.scoreRow(test.data.subarray(i * dims, (i + 1) * dims))),
    ),
  );
  await scorer.release();
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < rows; i++) {
    scale = Math.max(scale, Math.abs(ts.value[i]!));
    diff = Math.max(diff, Math.abs(onnx[i]! - ts.value[i]!));
  }
  const info = model.card().training;
  console.log(
    [
      name.padEnd(18),
      `${fit.wall.toFixed(2)}/${fit.cpu.toFixed(2)}`.padStart(15),
      Math.round(rows / ts.wall)
        .toLocaleString('en-US')
        .padStart(11),
      Math.round(rows / batchSec)
        .toLocaleString('en-US')
        .padStart(19),
      Math.round(single / coalescedSec)
        .toLocaleString('en-US')
        .padStart(23),
      (bytes.length / 1024).toFixed(0).padStart(10),
      (diff / scale).toExponential(1).padStart(26),
    ].join(' '),
    JSON.stringify(info),
  );
}
