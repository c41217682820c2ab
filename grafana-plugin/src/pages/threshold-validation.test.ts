import { describe, expect, it } from 'vitest';
import { defaultThreshold } from '../../tests/fake/logsieve-api';
import { toDraft, validateThreshold } from './threshold-validation';

describe('validateThreshold', () => {
  it('accepts the default threshold and returns it unchanged', () => {
    const t = defaultThreshold();
    expect(validateThreshold(toDraft(t))).toEqual({ errors: {}, value: t });
  });

  it.each([
    ['falseAlarmRate', '0', 'falseAlarmRate'],
    ['falseAlarmRate', '0.5', 'falseAlarmRate'],
    ['falseAlarmRate', 'abc', 'falseAlarmRate'],
    ['minScore', '101', 'minScore'],
    ['minScore', '-1', 'minScore'],
    ['minScore', '', 'minScore'],
  ] as const)('rejects %s = %j', (field, text, key) => {
    const draft = { ...toDraft(defaultThreshold()), [field]: text };
    const { errors, value } = validateThreshold(draft);
    expect(errors[key]).toBeTruthy();
    expect(value).toBeNull();
  });

  it('checks each weight and requires one enabled model with weight', () => {
    const draft = toDraft(defaultThreshold());
    draft.models.lof.weight = '11';
    expect(validateThreshold(draft).errors['weight.lof']).toBe('Weight from 0 to 10');
    const off = toDraft(defaultThreshold());
    for (const m of Object.values(off.models)) m.enabled = false;
    expect(validateThreshold(off).errors.models).toMatch(/at least one model/);
  });
});
