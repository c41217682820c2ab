import { describe, expect, it } from 'vitest';
import { describeChange } from './audit-diff';

describe('describeChange', () => {
  it('lists only the leaves that changed', () => {
    const before = { minScore: 75, falseAlarmRate: 0.001, models: { lstm: { enabled: true, weight: 1 } } };
    const after = { minScore: 82, falseAlarmRate: 0.001, models: { lstm: { enabled: false, weight: 1 } } };
    expect(describeChange(before, after)).toEqual(['minScore: 75 → 82', 'models.lstm.enabled: true → false']);
  });

  it('handles creation, deletion and plain values', () => {
    expect(describeChange(null, { label: 'false_positive' })).toEqual(['label: - → false_positive']);
    expect(describeChange({ label: 'false_positive' }, null)).toEqual(['label: false_positive → -']);
    expect(describeChange('v1', 'v2')).toEqual(['v1 → v2']);
  });
});
