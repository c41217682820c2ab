import { describe, expect, it } from 'vitest';
import { parseKeySessions, quantile, rocAuc, thresholdMetrics } from './deeplog-hdfs';

describe('DeepLog HDFS helpers', () => {
  it('parses one session per line, ignoring trailing spaces and blank lines', () => {
    expect(parseKeySessions('5 5 22 \n9 11 \n\n26 ')).toEqual([[5, 5, 22], [9, 11], [26]]);
  });

  it('computes AUC with ties counted half', () => {
    expect(rocAuc([3, 4], [1, 2])).toBe(1);
    expect(rocAuc([1], [2])).toBe(0);
    expect(rocAuc([2, 3], [2, 1])).toBe(0.875);
  });

  it('computes precision, recall and F1 of score > threshold', () => {
    const m = thresholdMetrics([5, 6, 1], [0, 7], 4);
    expect(m).toMatchObject({ tp: 2, fp: 1 });
    expect(m.precision).toBeCloseTo(2 / 3, 12);
    expect(m.recall).toBeCloseTo(2 / 3, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12);
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(3);
  });
});
