/**
 * Fit and scoring times of the two neural detectors (autoencoder, LSTM), TypeScript reference
 * and onnxruntime-node, plus the LSTM's DeepLog HDFS evaluation when the dataset is present.
 * Run: npx tsx bench/models/neural.ts
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { Autoencoder } from '../../models/src/autoencoder/autoencoder';
import { matrix, rng } from '../../models/src/matrix';
import {
  deepLogHdfsAvailable,
  loadDeepLogHdfs,
  quantile,
  rocAuc,
  thresholdMetrics,
} from '../../models/src/lstm/deeplog-hdfs';
import { LstmModel } from '../../models/src/lstm/lstm-model';
import { scoreSequences } from '../../models/src/lstm/score-sequences';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const hdfsDir = path.resolve(repoRoot, '../shared/datasets/hdfs_deeplog_sessions');

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

/** Wall and CPU seconds of fn: CPU time is the fair figure on a machine other jobs share. */
function timed<T>(fn: () => T): { value: T; text: string } {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return {
    value,
    text: `${seconds(t0).toFixed(2)} s wall, ${((used.user + used.system) / 1e6).toFixed(2)} s CPU`,
  };
}

async function autoencoder(): Promise<void> {
  const rows = 20_000;
  const D = 64;
  const random = rng(1);
  const basis = Array.from({ length: 8 * D }, () => random() - 0.5);
  const X = matrix(rows, D);
  for (let r = 0; r < rows; r++) {
    const z = Array.from({ length: 8 }, () => 2 * random() - 1);
    for (let j = 0; j < D; j++) {
      let v = 0.05 * (random() - 0.5);
      for (let k = 0; k < 8; k++) v += z[k]! * basis[k * D + j]!;
      X.data[r * D + j] = v;
    }
  }
  const fit = timed(() => new Autoencoder().fit(X, { seed: 1 }));
  const model = fit.value;
  const t = model.training;
  console.log(
    `autoencoder fit: ${rows} x ${D} (${t.rows} training rows after the maxRows cap, ${t.validationRows} held out), ${t.epochs} epochs (best ${t.bestEpoch}), ${fit.text}`,
  );
  let t0: number;

  t0 = performance.now();
  model.score(X);
  console.log(`autoencoder TS score: ${(rows / seconds(t0) / 1000).toFixed(0)}k rows/s`);

  const session = await InferenceSession.create(model.toOnnx());
  for (const batch of [1, 64, 1024]) {
    const n = Math.min(rows, batch * 200);
    t0 = performance.now();
    for (let start = 0; start < n; start += batch) {
      const size = Math.min(batch, n - start);
      const data = X.data.slice(start * D, (start + size) * D);
      await session.run({ X: new Tensor('float32', data, [size, D]) });
    }
    console.log(`autoencoder ONNX score, batch ${batch}: ${(n / seconds(t0) / 1000).toFixed(1)}k rows/s`);
  }
}

async function lstm(): Promise<void> {
  if (!deepLogHdfsAvailable(hdfsDir)) {
    console.log(`lstm: ${hdfsDir} not found, skipped`);
    return;
  }
  const all = loadDeepLogHdfs(hdfsDir, { holdEvery: Number.MAX_SAFE_INTEGER });
  const full = timed(() =>
    new LstmModel().fit(all.train, { seed: 1, vocabSize: all.vocabulary.size, endMarker: true }),
  );
  const tr = full.value.training;
  console.log(
    `lstm fit on all of hdfs_train: ${tr.sequences} sessions (${tr.uniqueSequences} distinct, ${tr.events} events), ${tr.epochs} epochs, ${full.text}, final loss ${tr.loss.at(-1)!.toFixed(4)} nats/event, top-k ${tr.topK}`,
  );

  const data = loadDeepLogHdfs(hdfsDir);
  const fit = timed(() =>
    new LstmModel().fit(data.train, { seed: 1, vocabSize: data.vocabulary.size, endMarker: true }),
  );
  const model = fit.value;
  console.log(`lstm fit on 80% of hdfs_train: ${fit.text}`);
  let t0: number;
  const test = [...data.normal, ...data.abnormal];
  const events = test.reduce((n, s) => n + s.length + 1, 0);

  t0 = performance.now();
  model.score(test);
  console.log(
    `lstm TS score: ${test.length} sessions, ${(events / seconds(t0) / 1000).toFixed(0)}k events/s`,
  );
  const session = await InferenceSession.create(model.toOnnx());
  const config = model.scoringConfig;
  t0 = performance.now();
  const scores = await scoreSequences(session, test, config);
  console.log(`lstm ONNX scoreSequences: ${(events / seconds(t0) / 1000).toFixed(0)}k events/s`);

  const normal = scores.slice(0, data.normal.length);
  const abnormal = scores.slice(data.normal.length);
  const trainMax = (await scoreSequences(session, data.train, config)).map((s) => s.maxSurprise);
  const threshold = quantile(trainMax, 0.995);
  const maxN = normal.map((s) => s.maxSurprise);
  const maxA = abnormal.map((s) => s.maxSurprise);
  const m = thresholdMetrics(maxA, maxN, threshold);
  console.log(
    `lstm DeepLog HDFS: ${data.train.length} train, ${normal.length} held-back normal, ${abnormal.length} abnormal; ` +
      `AUC(max surprise) ${rocAuc(maxA, maxN).toFixed(4)}, AUC(mean nll) ${rocAuc(
        abnormal.map((s) => s.meanNll),
        normal.map((s) => s.meanNll),
      ).toFixed(4)}`,
  );
  console.log(
    `  max surprise > ${threshold.toFixed(2)} (99.5th pct of training): P ${m.precision.toFixed(4)} R ${m.recall.toFixed(4)} F1 ${m.f1.toFixed(4)} (tp ${m.tp}, fp ${m.fp})`,
  );
  const k = thresholdMetrics(
    abnormal.map((s) => s.topkMisses),
    normal.map((s) => s.topkMisses),
    0,
  );
  console.log(
    `  any top-${config.topK} miss: P ${k.precision.toFixed(4)} R ${k.recall.toFixed(4)} F1 ${k.f1.toFixed(4)}`,
  );
}

await autoencoder();
await lstm();
