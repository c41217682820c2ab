import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventVocabulary } from './event-vocabulary';

/** DeepLog's HDFS split, encoded for the LSTM; normal sessions are split so some stay unseen. */
export interface DeepLogHdfs {
  vocabulary: EventVocabulary;
  train: number[][];
  /** Normal sessions held back from training (every `holdEvery`-th line of hdfs_train). */
  normal: number[][];
  abnormal: number[][];
}

/** One session per line, space-separated log keys (the files have trailing spaces and no final newline). */
export function parseKeySessions(text: string): number[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.split(/\s+/).map(Number));
}

export function deepLogHdfsAvailable(dir: string): boolean {
  return existsSync(join(dir, 'hdfs_train')) && existsSync(join(dir, 'hdfs_test_abnormal'));
}

export function loadDeepLogHdfs(
  dir: string,
  opts: { holdEvery?: number; abnormal?: number } = {},
): DeepLogHdfs {
  const holdEvery = opts.holdEvery ?? 5;
  const sessions = parseKeySessions(readFileSync(join(dir, 'hdfs_train'), 'utf8'));
  const trainKeys = sessions.filter((_, i) => i % holdEvery !== holdEvery - 1);
  const normalKeys = sessions.filter((_, i) => i % holdEvery === holdEvery - 1);
  const abnormalKeys = parseKeySessions(readFileSync(join(dir, 'hdfs_test_abnormal'), 'utf8')).slice(
    0,
    opts.abnormal ?? 2000,
  );
  const vocabulary = EventVocabulary.fromSequences(trainKeys);
  const encode = (s: number[][]) => s.map((x) => vocabulary.encode(x));
  return { vocabulary, train: encode(trainKeys), normal: encode(normalKeys), abnormal: encode(abnormalKeys) };
}

/** Probability that a random positive outscores a random negative (ties count half). */
export function rocAuc(positive: number[], negative: number[]): number {
  const all = [...positive.map((s) => ({ s, p: 1 })), ...negative.map((s) => ({ s, p: 0 }))].sort(
    (a, b) => a.s - b.s,
  );
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j]!.s === all[i]!.s) j++;
    const midRank = (i + j + 1) / 2;
    for (let k = i; k < j; k++) if (all[k]!.p) rankSum += midRank;
    i = j;
  }
  const P = positive.length;
  return (rankSum - (P * (P + 1)) / 2) / (P * negative.length);
}

/** Precision, recall and F1 of "score > threshold" as the anomaly decision. */
export function thresholdMetrics(positive: number[], negative: number[], threshold: number) {
  const tp = positive.filter((s) => s > threshold).length;
  const fp = negative.filter((s) => s > threshold).length;
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = positive.length ? tp / positive.length : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { tp, fp, precision, recall, f1 };
}

export function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
