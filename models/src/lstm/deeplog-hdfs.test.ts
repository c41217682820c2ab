import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../onnx/onnx-session';
import {
  deepLogHdfsAvailable,
  loadDeepLogHdfs,
  quantile,
  rocAuc,
  thresholdMetrics,
  type DeepLogHdfs,
} from './deeplog-hdfs';
import { LstmModel } from './lstm-model';
import { scoreSequences } from './score-sequences';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dir = path.resolve(repoRoot, '../shared/datasets/hdfs_deeplog_sessions');
const available = deepLogHdfsAvailable(dir);
if (!available) console.warn(`skipping DeepLog HDFS evaluation: ${dir} not found`);

describe.skipIf(!available)('LSTM on DeepLog HDFS sessions (scored through ONNX)', () => {
  let data: DeepLogHdfs;
  let maxSurprise: (seqs: number[][]) => Promise<number[]>;
  // Training takes most of the time, so it runs under the longer hook timeout.
  beforeAll(async () => {
    data = loadDeepLogHdfs(dir);
    const model = new LstmModel().fit(data.train, {
      seed: 1,
      vocabSize: data.vocabulary.size,
      endMarker: true,
    });
    const session = await createSession(model.toOnnx());
    maxSurprise = async (seqs) =>
      (await scoreSequences(session, seqs, model.scoringConfig)).map((s) => s.maxSurprise);
  });

  it('ranks abnormal sessions above held-back normal ones', async () => {
    const normal = await maxSurprise(data.normal);
    const abnormal = await maxSurprise(data.abnormal);
    expect(rocAuc(abnormal, normal)).toBeGreaterThan(0.9);
    // The threshold comes from training sessions only.
    const threshold = quantile(await maxSurprise(data.train), 0.995);
    const { precision, recall } = thresholdMetrics(abnormal, normal, threshold);
    expect(precision).toBeGreaterThan(0.9);
    expect(recall).toBeGreaterThan(0.5);
  });
});
