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

  it('scores each calibration point against the others as it would a new point', () => {
    const r = rng(4);
    const scores = Array.from({ length: 500 }, () => gaussian(r));
    const loo = TailCalibrator.fit(scores).leaveOneOutPValues(scores);
    const top = scores.indexOf(Math.max(...scores));
    for (const i of [0, 1, 2, top]) {
      const others = TailCalibrator.fit(scores.filter((_, j) => j !== i));
      if (i === top) {
        // Beyond all the others: their tail, up to the small change in its fitted scale.
        expect(loo[i]!).toBeLessThan(1 / 500);
        expect(Math.log(loo[i]!)).toBeCloseTo(Math.log(others.pValue(scores[i]!)), 0);
      } else expect(loo[i]).toBeCloseTo(others.pValue(scores[i]!), 12);
    }
  });

  it('lets a surprise in decades fall no faster than itself past a held-back set of zeros', () => {
    const zeros = Array.from({ length: 99 }, () => 0);
    const decade = TailCalibrator.fit(zeros, 1 / Math.LN10);
    // 2 decades past the largest held-back value: 1/(n + 1) times 10^-2, not 0.
    expect(decade.pValue(2)).toBeCloseTo(0.01 * 0.01, 8);
    expect(TailCalibrator.fit(zeros).pValue(2)).toBeLessThan(1e-300);
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

  it('adds up agreeing models, and lets one model that is sure raise an alarm alone', () => {
    const base = { isolation_forest: 0, one_class_svm: 0, lof: 0, autoencoder: 0, lstm: 0 };
    const mild = { ...base, lof: 2.5 };
    const mildPair = { ...base, lof: 2.5, autoencoder: 2.5 };
    const sure = { ...base, lof: 8 };
    expect(ens.score(mild).score).toBeLessThan(75);
    expect(ens.score(mildPair).score).toBeGreaterThan(ens.score(mild).score + 10);
    expect(ens.score(sure).models.lof).toBeGreaterThan(90);
    expect(ens.score(sure).score).toBeGreaterThan(75);
  });

  it('keeps two sure members decisive when held-back incidents swell the sum', () => {
    // Five held-back units where every member is somewhat high at once (incidents the trimming
    // missed) put the sum's threshold past anything two members alone can reach; the pair
    // statistic rests on each member's own calibration and stays within its price (2.5 x 2).
    const r2 = rng(5);
    const units = Array.from({ length: 1000 }, (_, i) =>
      Object.fromEntries(MODEL_NAMES.map((m) => [m, i < 5 ? 3.2 : gaussian(r2)])),
    ) as ModelScores[];
    const held = Object.fromEntries(MODEL_NAMES.map((m) => [m, units.map((u) => u[m])]));
    const swollen = Ensemble.fit(held as Record<ModelName, number[]>);
    for (let i = 0; i < 100; i++) {
      const u = { ...normal(), one_class_svm: 5, autoencoder: 5 };
      const weaker = Math.max(swollen.modelP('one_class_svm', 5), swollen.modelP('autoencoder', 5));
      expect(swollen.score(u).p).toBeLessThanOrEqual(5.0001 * weaker);
      expect(swollen.score(u).p).toBeLessThan(1e-3);
    }
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

describe('Ensemble with rule detectors', () => {
  const r = rng(7);
  const n = 1000;
  const normal = (): ModelScores =>
    Object.fromEntries(MODEL_NAMES.map((m) => [m, gaussian(r)])) as ModelScores;
  // A rule that is 0 for most units (nothing unusual) and a small surprise for a few.
  const rule = () => (r() < 0.9 ? 0 : 2 * r());
  const units = Array.from({ length: n }, normal);
  const heldOut = {} as Record<ModelName, number[]>;
  for (const m of MODEL_NAMES) heldOut[m] = units.map((u) => u[m]);
  const ens = Ensemble.fit(heldOut, {
    novelty: Array.from({ length: n }, rule),
    severity: Array.from({ length: n }, rule),
  });

  it('raises an alarm on one sure rule that every model misses, and reports its score', () => {
    const quiet = { isolation_forest: 0, one_class_svm: 0, lof: 0, autoencoder: 0, lstm: 0 };
    const res = ens.score(quiet, defaultModelSettings(), { novelty: 30, severity: 0 });
    expect(res.rules.novelty).toBeGreaterThan(90);
    expect(res.score).toBeGreaterThan(75);
    expect(ens.score(quiet, defaultModelSettings(), { novelty: 0, severity: 0 }).score).toBeLessThan(50);
  });

  it('keeps the false-alarm rate of the strongest member at most its nominal level', () => {
    const flagged = Array.from({ length: 5000 }, () =>
      ens.score(normal(), defaultModelSettings(), { novelty: rule(), severity: rule() }),
    ).filter((e) => e.p <= 0.01).length;
    // Bonferroni over the models (sum or pair) and two rules: valid, conservative (about 1/6 of
    // nominal would be exact for independent signals; these share nothing, so it is near that).
    expect(flagged / 5000).toBeGreaterThan(0.001);
    expect(flagged / 5000).toBeLessThan(0.012);
  });

  it('charges a signal read twice once: the multiplicity is measured on held-back units', () => {
    const novelty = Array.from({ length: n }, rule);
    const twice = Ensemble.fit(heldOut, { novelty, severity: novelty });
    // Sum, pair and two rules: Bonferroni's 4. The same rule twice counts as about one test, and the
    // sum and the pair (one evidence read twice) as less than two.
    expect(ens.multiplicity).toBeLessThanOrEqual(4);
    expect(twice.multiplicity).toBeLessThan(ens.multiplicity - 0.5);
    expect(twice.multiplicity).toBeGreaterThanOrEqual(1);
    expect(Ensemble.fromJSON(JSON.parse(JSON.stringify(twice.toJSON()))).multiplicity).toBe(
      twice.multiplicity,
    );
  });

  it("reads a rule's small surprise past held-back zeros as that surprise, not as certainty", () => {
    const quiet = { isolation_forest: 0, one_class_svm: 0, lof: 0, autoencoder: 0, lstm: 0 };
    const zeros = Ensemble.fit(heldOut, { silence: Array.from({ length: n }, () => 0) });
    // Half a decade past a held-back set of zeros: 1/(n + 1) x 10^-0.5 (score about 87), not p = 0 (100).
    const res = zeros.score(quiet, defaultModelSettings(), { silence: 0.5 });
    expect(res.rules.silence).toBeLessThan(90);
    expect(res.rules.silence).toBeGreaterThan(75);
  });

  it('round-trips its rule calibration through JSON', () => {
    const again = Ensemble.fromJSON(JSON.parse(JSON.stringify(ens.toJSON())));
    const u = normal();
    expect(again.score(u, defaultModelSettings(), { novelty: 3 })).toEqual(
      ens.score(u, defaultModelSettings(), { novelty: 3 }),
    );
    expect(again.ruleNames.sort()).toEqual(['novelty', 'severity']);
  });
});
