/**
 * One evaluation run: train a bundle on a dataset's training files, detect on its test files with
 * the threshold the bundle chose from training data alone, and score every labelled unit: P/R/F1
 * for the ensemble and for every model named in the output, the realised false-alarm rate on the
 * normal units (overall and per stream), and the same for the reference script.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prf, type Prf } from './metrics';
import { baselineScript } from './baseline-script';

export const repoRoot = resolve(import.meta.dirname, '../..');
/** The logsieve checkout to measure (LOGSIEVE_ROOT: another build, e.g. a snapshot of HEAD). */
export const logsieveRoot = resolve(process.env.LOGSIEVE_ROOT ?? repoRoot);
export const datasets = resolve(process.env.LOGSIEVE_DATASETS ?? resolve(repoRoot, '../shared/datasets'));
export const outRoot = resolve(process.env.LOGSIEVE_EVAL_OUT ?? join(repoRoot, 'bench/out/eval'));

export interface UnitLine {
  unit: string;
  stream: string;
  start: string;
  end: string;
  score: number;
  anomaly: boolean;
  models: Record<string, number>;
  /** The rule detectors' own scores (bundles trained with rules). */
  rules?: Record<string, number>;
}

export interface Label {
  anomalous: boolean;
  /** The stream the unit belongs to (false-alarm rates are reported per stream). */
  stream: string;
}

/** A dataset made ready for a run. Keys of `labels` are what `unitOf` returns for an output unit. */
export interface Prepared {
  name: string;
  /** Row group for the summary (the minimum over seeds is taken within a group). */
  group: string;
  train: string[];
  test: string[];
  unitArgs: string[];
  labels: Map<string, Label>;
  unitOf: (u: { unit: string; stream: string }) => string;
  /** The script's own clock for a raw line where the dataset has a plain one (an epoch field), so the
   * reference does not inherit logsieve's time reading. */
  timeOf?: (raw: string) => number | null;
  /** Extra scoring beyond units (scenario: per incident kind; BGL samples: per line). */
  extra?: (predicted: Map<string, boolean>, baseline: Map<string, boolean>) => ExtraReport;
}

export interface ExtraReport {
  /** Extra P/R/F1 rows (e.g. per line), named. */
  rows?: { name: string; ensemble: Prf; baseline: Prf }[];
  /** Free markdown appended under the table. */
  markdown?: string;
  /** Scenario only: early detection per incident kind, false alarms per benign change. */
  scenario?: {
    incidents: { kind: string; caught: boolean; baselineCaught: boolean }[];
    benign: { kind: string; falseAlarms: number; baselineFalseAlarms: number }[];
  };
}

export interface FalseAlarms {
  normal: number;
  flagged: number;
  rate: number;
}

export interface Result {
  name: string;
  group: string;
  seed: string;
  ensemble: Prf;
  models: Record<string, Prf>;
  baseline: Prf;
  configuredRate: number | null;
  far: FalseAlarms;
  farByStream: Record<string, FalseAlarms>;
  baselineFar: FalseAlarms;
  units: number;
  /** Output units (by label key) that match no labelled unit: a misread clock shows up here. */
  unmatched: number;
  outputUnits: number;
  trainSeconds: number;
  detectSeconds: number;
  baselineSeconds: number;
  extra?: ExtraReport;
}

export function logsieve(args: string[]): { seconds: number; stderr: string } {
  const t0 = Date.now();
  const r = spawnSync(
    process.execPath,
    [join(logsieveRoot, 'collector-processor/bin/logsieve.js'), ...args],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  if (r.status !== 0) throw new Error(`logsieve ${args[0]} failed: ${r.stderr}`);
  return { seconds: (Date.now() - t0) / 1000, stderr: r.stderr + r.stdout };
}

export const slug = (s: string) => s.replace(/\W+/g, '-').replace(/^-|-$/g, '');

/** The output units; each rule detector's score becomes a column beside the models'. */
export function readUnits(file: string): UnitLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const u = JSON.parse(l) as UnitLine;
      return { ...u, models: { ...u.models, ...u.rules } };
    });
}

/** Keeps, per label key, the highest-scoring output unit (a key may cover several units). */
export function byKey(units: UnitLine[], unitOf: Prepared['unitOf']): Map<string, UnitLine> {
  const out = new Map<string, UnitLine>();
  for (const u of units) {
    const k = unitOf(u);
    const prev = out.get(k);
    if (!prev || u.score > prev.score) out.set(k, u);
  }
  return out;
}

/** Fraction of normal units flagged, overall and per stream. */
export function falseAlarms(
  labels: Map<string, Label>,
  flagged: (key: string) => boolean,
): { all: FalseAlarms; byStream: Record<string, FalseAlarms> } {
  const acc = new Map<string, { normal: number; flagged: number }>();
  const all = { normal: 0, flagged: 0 };
  for (const [k, l] of labels) {
    if (l.anomalous) continue;
    const a = acc.get(l.stream) ?? { normal: 0, flagged: 0 };
    acc.set(l.stream, a);
    const f = flagged(k) ? 1 : 0;
    a.normal++;
    a.flagged += f;
    all.normal++;
    all.flagged += f;
  }
  const rate = (x: { normal: number; flagged: number }) => ({
    ...x,
    rate: x.normal ? x.flagged / x.normal : 0,
  });
  return {
    all: rate(all),
    byStream: Object.fromEntries([...acc].sort().map(([s, x]) => [s, rate(x)])),
  };
}

export function evaluate(p: Prepared, seed: string): Result {
  const dir = join(outRoot, `${slug(p.name)}-seed${seed}`);
  mkdirSync(dir, { recursive: true });
  const tr = logsieve([
    'train',
    '--input',
    ...p.train,
    '--out',
    join(dir, 'model'),
    ...p.unitArgs,
    '--seed',
    seed,
    '-q',
  ]);
  const de = logsieve([
    'detect',
    '--model',
    join(dir, 'model'),
    '--input',
    ...p.test,
    '--out',
    join(dir, 'units.jsonl'),
    '--all',
  ]);
  console.error(`${p.name} (seed ${seed}): train ${tr.seconds.toFixed(1)} s; ${de.stderr.trim()}`);
  const manifest = JSON.parse(readFileSync(join(dir, 'model/manifest.json'), 'utf8'));
  const minScore: number = manifest.threshold?.minScore ?? 50;
  const configuredRate: number | null = manifest.threshold?.falseAlarmRate ?? null;
  const units = readUnits(join(dir, 'units.jsonl'));
  const best = byKey(units, p.unitOf);
  const models = [...new Set(units.flatMap((u) => Object.keys(u.models ?? {})))].sort();

  const t0 = Date.now();
  const base = baselineScript({
    train: p.train,
    test: p.test,
    unitArgs: p.unitArgs,
    workDir: dir,
    unitOf: p.unitOf,
    timeOf: p.timeOf,
  });
  const baselineSeconds = (Date.now() - t0) / 1000;

  const keys = [...p.labels.keys()];
  const truth = keys.map((k) => p.labels.get(k)!.anomalous);
  const predicted = new Map(keys.map((k) => [k, best.get(k)?.anomaly ?? false]));
  const baseFlag = (k: string) => base.get(k) ?? false;
  const far = falseAlarms(p.labels, (k) => predicted.get(k)!);
  return {
    name: p.name,
    group: p.group,
    seed,
    ensemble: prf(
      keys.map((k) => predicted.get(k)!),
      truth,
    ),
    models: Object.fromEntries(
      models.map((m) => [
        m,
        prf(
          keys.map((k) => (best.get(k)?.models[m] ?? 0) >= minScore),
          truth,
        ),
      ]),
    ),
    baseline: prf(keys.map(baseFlag), truth),
    configuredRate,
    far: far.all,
    farByStream: far.byStream,
    baselineFar: falseAlarms(p.labels, baseFlag).all,
    units: keys.length,
    unmatched: [...best.keys()].filter((k) => !p.labels.has(k)).length,
    outputUnits: best.size,
    trainSeconds: tr.seconds,
    detectSeconds: de.seconds,
    baselineSeconds,
    extra: p.extra?.(predicted, new Map(keys.map((k) => [k, baseFlag(k)]))),
  };
}
