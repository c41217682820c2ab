import { describe, expect, it } from 'vitest';
import { rng } from '../matrix';
import { Ensemble, MODEL_NAMES, defaultModelSettings, type ModelName, type ModelScores } from './ensemble';
import { TailCalibrator } from './tail-calibrator';
import { pFromScore, scoreFromP } from './score-scale';

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}

describe('TailCalibrator', () => {
  it('gives conformal p-values inside the calibration range and a decreasing tail beyond it', () => {
    const r = rng(1);
    const cal = TailCalibrator.fit(Array.from({ length: 1000 }, () => gaussian(r)));
    expect(cal.pValue(-10)).toBe(1);
    expect(cal.pValue(0)).toBeGreaterThan(0.4);
    expect(cal.pValue(0)).toBeLessThan(0.6);
    const far = [3, 4, 6, 10].map((s) => cal.pValue(s));
    for (let i = 1; i < far.length; i++) expect(far[i]!).toBeLessThan(far[i - 1]!);
    expect(far[3]!).toBeLessThan(1e-6);
  });

  it('has the promised false-alarm rate on fresh normal data', () => {
    const r = rng(2);
    const cal = TailCalibrator.fit(Array.from({ length: 2000 }, () => gaussian(r)));
    const fresh = Array.from({ length: 20000 }, () => gaussian(r));
    const rate = fresh.filter((v) => cal.pValue(v) <= 0.01).length / fresh.length;
    expect(rate).toBeGreaterThan(0.005);
    expect(rate).toBeLessThan(0.02);
  });

  it('survives a calibration set of identical scores', () => {
    const cal = TailCalibrator.fit([0, 0, 0, 0]);
    expect(cal.pValue(0)).toBe(1);
    expect(cal.pValue(1)).toBeLessThan(0.01);
  });
});

describe('score scale', () => {
  it('maps one in a thousand to 75 and round-trips', () => {
    expect(scoreFromP(0.001)).toBeCloseTo(75, 6);
    expect(scoreFromP(1)).toBe(0);
    expect(scoreFromP(1e-9)).toBe(100);
    expect(pFromScore(scoreFromP(0.02))).toBeCloseTo(0.02, 9);
  });
});

describe('Ensemble', () => {
  const r = rng(3);
  const normal = (): ModelScores =>
    Object.fromEntries(MODEL_NAMES.map((m) => [m, gaussian(r)])) as ModelScores;
  const heldOut = {} as Record<ModelName, number[]>;
  const units = Array.from({ length: 1000 }, normal);
  for (const m of MODEL_NAMES) heldOut[m] = units.map((u) => u[m]);
  const ens = Ensemble.fit(heldOut);

  it('keeps the false-alarm rate of the combination near its nominal level', () => {
    const fresh = Array.from({ length: 5000 }, normal);
    const flagged = fresh.filter((u) => ens.score(u).p <= 0.01).length / fresh.length;
    expect(flagged).toBeGreaterThan(0.004);
    expect(flagged).toBeLessThan(0.02);
  });

  it('raises the score when models agree, but not for one model alone', () => {
    const base = { isolation_forest: 0, one_class_svm: 0, lof: 0, autoencoder: 0, lstm: 0 };
    const one = { ...base, lof: 8 };
    const two = { ...base, lof: 8, autoencoder: 8 };
    expect(ens.score(one).models.lof).toBeGreaterThan(90);
    expect(ens.score(one).score).toBeLessThan(ens.score(base).score + 15);
    expect(ens.score(two).score).toBeGreaterThan(ens.score(base).score + 30);
  });

  it('ignores a disabled model and keeps a single enabled model decisive', () => {
    const u = { isolation_forest: 0, one_class_svm: 0, lof: 8, autoencoder: 0, lstm: 0 };
    const only = defaultModelSettings();
    for (const m of MODEL_NAMES) only[m].enabled = m === 'lof';
    expect(ens.score(u, only).score).toBeGreaterThan(90);
    const off = defaultModelSettings();
    off.lof.enabled = false;
    expect(ens.score(u, off).score).toBeCloseTo(ens.score({ ...u, lof: 0 }, off).score, 6);
  });

  it('round-trips through JSON and refuses an all-disabled setting', () => {
    const again = Ensemble.fromJSON(JSON.parse(JSON.stringify(ens.toJSON())));
    const u = normal();
    expect(again.score(u)).toEqual(ens.score(u));
    const off = defaultModelSettings();
    for (const m of MODEL_NAMES) off[m].enabled = false;
    expect(() => ens.score(u, off)).toThrow(/at least one model/);
  });
});
