import { describe, expect, it } from 'vitest';
import { flaggingScore, passes } from './threshold';

describe('threshold', () => {
  it('needs both the score and the rate: the stricter decides', () => {
    const unit = { p: 1e-3, score: 75 };
    expect(passes(unit, { minScore: 75, falseAlarmRate: 1e-3 })).toBe(true);
    expect(passes(unit, { minScore: 0, falseAlarmRate: 1e-4 })).toBe(false);
    expect(passes(unit, { minScore: 80, falseAlarmRate: 0.1 })).toBe(false);
    expect(passes(unit, { minScore: 75 })).toBe(true);
  });

  it('tells apart units past a score of 100 by their rate', () => {
    const t = { minScore: 75, falseAlarmRate: 1e-8 };
    expect(passes({ p: 1e-6, score: 100 }, t)).toBe(false);
    expect(passes({ p: 1e-9, score: 100 }, t)).toBe(true);
  });

  it('reads the rate as a score for single models, capped at 100', () => {
    expect(flaggingScore({ minScore: 50, falseAlarmRate: 1e-3 })).toBeCloseTo(75);
    expect(flaggingScore({ minScore: 90, falseAlarmRate: 1e-3 })).toBe(90);
    expect(flaggingScore({ minScore: 50, falseAlarmRate: 1e-9 })).toBe(100);
    expect(flaggingScore({ minScore: 60 })).toBe(60);
  });
});
