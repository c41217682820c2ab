import { performance } from 'node:perf_hooks';
import {
  MODEL_NAMES,
  Ensemble,
  consensusOutliers,
  rng,
  scoreFromP,
  trainDetectors,
  DetectorRuntime,
  writeBundle,
  BUNDLE_FORMAT,
  type BundleManifest,
  type ModelName,
} from '@logsieve/models';
import { FeatureSpace } from '../features/feature-space';
import { fitRules, type Rules } from '../score/rules/registry';
import { rareErrorUnits } from '../score/rare-errors';
import { RECENT_RULES, RULE_NAMES, type RuleName } from '../score/rules/rule';
import { recentFromTimeline, recentWindows, type Recent } from '../features/recent-units';
import type { Unit } from '../features/unit';
import { largestRepeat, repeatedUnits } from '../features/unit-patterns';
import type { LogRecord } from '../record';
import { resolveInputs } from '../ingest/file-input';
import { MiningRun } from '../mine/mine-inputs';
import { TemplateStage, type TemplateStore } from './template-stage';
import { createAssigner, type UnitSpec } from './unit-spec';
import { unitMatrix, unitSequences } from './unit-vectors';

export interface TrainOptions {
  inputs: string[];
  out: string;
  unit: UnitSpec;
  seed?: number;
  /** Expected fraction of normal units flagged (default 0.001: score 75). */
  falseAlarmRate?: number;
  /** Units people marked false positives: normal by their word (the service's retraining). */
  normal?: NormalMark[];
  log?: (msg: string) => void;
}

/** A unit's stream and span, as an anomaly event names them. */
export interface NormalMark {
  stream: string;
  startMs: number;
  endMs: number;
}

export interface TrainSummary {
  version: string;
  lines: number;
  malformed: number;
  units: number;
  heldOutUnits: number;
  /** Training units that looked like incidents and were neither fitted nor used to calibrate. */
  leftOutUnits: number;
  /** Fewest repeats of one pattern that made it a mode of the baseline, never left out. */
  modeRepeats: number;
  /** Units people had marked false positives, fitted as normal. */
  markedNormal: number;
  templates: number;
  streams: number;
  seconds: number;
}

export const DEFAULT_FALSE_ALARM_RATE = 0.001;
/** Share of training units held back to calibrate scores (never used to fit a model). */
const HELD_OUT = 0.2;
/** A pattern seen twice may be one incident logged twice; three times is a habit. */
const MIN_MODE = 3;
/** Most of the training units the held-back set may take when it grows to resolve the false-alarm rate. */
const MAX_HELD_OUT = 0.5;

/**
 * Trains a bundle: mine templates over all lines, then re-read and cut the lines into units with
 * the final templates (so training features are computed exactly as detection computes them),
 * fit the feature space and the five models on most units, calibrate on the units held back.
 */
export async function train(opts: TrainOptions): Promise<TrainSummary> {
  const t0 = performance.now();
  const log = opts.log ?? (() => {});
  const sources = resolveInputs(opts.inputs);
  const run = new MiningRun(true);
  await run.learn(sources);
  // fromEntries defines own keys: a stream named `__proto__` is stored, not made the prototype.
  const store: TemplateStore = Object.fromEntries([...run.miners].map(([s, m]) => [s, m.snapshot()]));
  log(`mined ${run.miners.size} stream(s) from ${run.counts.lines} lines in ${sources.length} file(s)`);

  const stage = new TemplateStage('frozen', store);
  const units: Unit[] = [];
  const assigner = createAssigner(opts.unit, (u) => units.push(u));
  for (const src of sources) await run.replay(src, (_lineNo, r) => r && assigner.add(stage.mine(r)));
  assigner.flush();
  return fitBundle(units, store, stage, {
    ...opts,
    t0,
    lines: run.counts.lines,
    malformed: run.counts.malformed,
    truncated: run.counts.truncated,
  });
}

/** Training from records already decoded (the service's baseline): same two passes, in memory. */
export async function trainFromRecords(
  records: LogRecord[],
  opts: Omit<TrainOptions, 'inputs'>,
): Promise<TrainSummary> {
  const t0 = performance.now();
  const learner = new TemplateStage('learn');
  for (const r of records) learner.mine(r);
  const store = learner.snapshot();
  const stage = new TemplateStage('frozen', store);
  const units: Unit[] = [];
  const assigner = createAssigner(opts.unit, (u) => units.push(u));
  for (const r of records) assigner.add(stage.mine(r));
  assigner.flush();
  return fitBundle(units, store, stage, { ...opts, t0, lines: records.length, malformed: 0, truncated: 0 });
}

async function fitBundle(
  units: Unit[],
  store: TemplateStore,
  stage: TemplateStage,
  opts: Omit<TrainOptions, 'inputs'> & { t0: number; lines: number; malformed: number; truncated: number },
): Promise<TrainSummary> {
  const log = opts.log ?? (() => {});
  const seed = opts.seed ?? 42;
  if (units.length < 10) {
    throw new Error(
      `only ${units.length} training unit(s): need at least 10 (more data, a shorter --window, or a --session-key that matches)`,
    );
  }
  const text = new Map<string, string>();
  for (const u of units)
    for (const id of u.counts.keys()) if (!text.has(id)) text.set(id, stage.templateText(id) ?? '');
  const space = FeatureSpace.fit(units, text);

  const falseAlarmRate = opts.falseAlarmRate ?? DEFAULT_FALSE_ALARM_RATE;
  // A baseline holds a few incidents: they are left out of fitting (the models would learn them)
  // and of calibration (they would set the threshold at their own level). First the units that
  // read as a rare error, then (below) those extreme for every model; see rareErrorUnits and
  // consensusOutliers.
  sortUnits(units);
  const marked = markedUnits(units, opts.normal ?? []);
  const suspects = rareErrorUnits(units, (id) => stage.templateText(id));
  for (const u of marked) suspects.delete(u);
  const split = splitUnits(units, suspects, seed, falseAlarmRate);
  // A false positive a person marked is how the system works: fitted and calibrated on as often as
  // a mode repeats, never trimmed, so its like scores as normal.
  const habit = Array.from({ length: MIN_MODE }, () => [...marked]).flat();
  const fit = [...split.fit, ...habit];
  const held = [...split.held, ...habit];
  log(
    `${units.length} units (${fit.length} to fit, ${held.length} held back for calibration, ${suspects.size} read as a rare error), ${space.dims} features`,
  );

  const detectorsFor = (units: Unit[]) =>
    trainDetectors({
      X: unitMatrix(units, space),
      sequences: unitSequences(units, space),
      vocabulary: space.eventVocabulary,
      endMarker: opts.unit.kind === 'session',
      seed,
      log,
    });
  let trained = await detectorsFor(fit);
  // Sessions (a block, a request) that all but one model find extreme are incidents; windows need
  // every model, since a peak hour's windows are extreme for most of them and are normal.
  const { modes, modeRepeats } = baselineModes([...split.fit, ...held], [...suspects], falseAlarmRate);
  for (const u of marked) modes.add(u);
  const trim = (of: Unit[]) => ({
    votes: opts.unit.kind === 'session' ? MODEL_NAMES.length - 1 : MODEL_NAMES.length,
    keep: (i: number) => modes.has(of[i]!),
  });
  const fitOut = consensusOutliers(await scoreUnits(trained, fit, space), trim(fit));
  const fitted = fitOut.size > 0 ? fit.filter((_, i) => !fitOut.has(i)) : fit;
  if (fitOut.size > 0) trained = await detectorsFor(fitted);
  const heldRaw = await scoreUnits(trained, held, space);
  const heldOut = consensusOutliers(heldRaw, trim(held));
  log(
    `left out as extreme for every model: ${fitOut.size} of ${fit.length} fitting units, ${heldOut.size} of ${held.length} held back; ${modes.size} units repeat a pattern and are kept`,
  );
  const calibration = held.filter((_, i) => !heldOut.has(i));
  const kept = new Set([...fitted, ...calibration]);
  const recent = recentFromTimeline(units, (u) => !kept.has(u));
  // Rules learn from the fitted units; the calibration units then show their normal statistics.
  const rules = fitRules(
    fitted,
    { templateText: (id) => stage.templateText(id), timeline: units, recent },
    rulesFor(opts.unit),
  );
  const ensemble = Ensemble.fit(withoutUnits(heldRaw, heldOut), ruleScores(rules, calibration, recent));

  const seconds = (performance.now() - opts.t0) / 1000;
  const createdAt = new Date().toISOString();
  // Milliseconds: a retrain right after the baseline (or another replica's) must get its own version.
  const version = `${createdAt.replace(/[-:]/g, '')}-${seed}`;
  const summary: TrainSummary = {
    version,
    lines: opts.lines,
    malformed: opts.malformed,
    units: units.length,
    heldOutUnits: held.length - heldOut.size,
    leftOutUnits: suspects.size + fitOut.size + heldOut.size,
    modeRepeats,
    markedNormal: marked.size,
    templates: space.templates.length,
    streams: Object.keys(store).length,
    seconds: Math.round(seconds * 10) / 10,
  };
  const manifest = bundleManifest({
    training: { ...summary, seed, truncatedLines: opts.truncated },
    createdAt,
    unit: opts.unit,
    space,
    ensemble,
    falseAlarmRate,
    trained,
    rules,
  });
  await writeBundle(opts.out, manifest, trained.onnx, store);
  log(`wrote bundle ${version} to ${opts.out} in ${summary.seconds} s`);
  return summary;
}

type Trained = Awaited<ReturnType<typeof trainDetectors>>;

/** The bundle's manifest: what was trained, on what, and the threshold its calibration gives. */
function bundleManifest(b: {
  training: TrainSummary & { seed: number; truncatedLines: number };
  createdAt: string;
  unit: UnitSpec;
  space: FeatureSpace;
  ensemble: Ensemble;
  falseAlarmRate: number;
  trained: Trained;
  rules: Rules;
}): BundleManifest {
  return {
    format: BUNDLE_FORMAT,
    version: b.training.version,
    createdAt: b.createdAt,
    logsieveVersion: '0.1.0',
    unit: b.unit,
    training: b.training as unknown as Record<string, number>,
    features: b.space.toJSON(),
    ensemble: b.ensemble.toJSON(),
    threshold: {
      falseAlarmRate: b.falseAlarmRate,
      minScore: Math.round(scoreFromP(b.falseAlarmRate) * 100) / 100,
    },
    models: Object.fromEntries(
      MODEL_NAMES.map((m) => [m, { file: `${m}.onnx`, card: b.trained.cards[m] }]),
    ) as BundleManifest['models'],
    extra: { detectors: b.trained.meta, rules: b.rules.toJSON() },
    templates: 'templates.json',
  };
}

/** Raw scores of each model on the units, from a freshly trained set of detectors. */
async function scoreUnits(
  trained: Trained,
  units: Unit[],
  space: FeatureSpace,
): Promise<Record<ModelName, Float32Array>> {
  const runtime = await DetectorRuntime.load(trained.onnx, trained.meta);
  try {
    return (await runtime.score(unitMatrix(units, space), unitSequences(units, space))).raw;
  } finally {
    await runtime.close();
  }
}

/**
 * Silence needs the empty windows only windows have. Order is judged in both: in windows of a busy
 * stream interleaved requests make new transitions routine, and the rule's own estimate of how
 * often a new one comes (Good-Turing) prices that in; a quiet workflow stream keeps its order.
 * The recent-window rules need windows short enough for ten minutes to hold several.
 */
function rulesFor(unit: UnitSpec): RuleName[] {
  const windows = unit.kind === 'window';
  const recent = windows && recentWindows(unit.windowSeconds * 1000) > 0;
  return RULE_NAMES.filter((r) => (windows || r !== 'silence') && (recent || !RECENT_RULES.includes(r)));
}

/**
 * Each rule's statistic on the units (pure: the rules' running state stays as fitted), the
 * recent-window rules on each unit merged with the training windows before it.
 */
function ruleScores(
  rules: Rules,
  units: Unit[],
  recent: (u: Unit) => Recent | null,
): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const name of rules.names) out[name] = [];
  for (const u of units)
    for (const [name, s] of Object.entries(rules.score(u, recent(u)))) out[name]!.push(s.value);
  return out;
}

function withoutUnits(raw: Record<ModelName, Float32Array>, out: Set<number>): Record<ModelName, number[]> {
  const kept = {} as Record<ModelName, number[]>;
  for (const m of MODEL_NAMES) kept[m] = Array.from(raw[m]).filter((_, i) => !out.has(i));
  return kept;
}

/**
 * A canonical order, so the split depends on the seed alone, not on the order in which the
 * assigner happened to close units.
 */
function sortUnits(units: Unit[]): void {
  units.sort(
    (a, b) =>
      a.startMs - b.startMs ||
      (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

/** The units a mark names (same stream, overlapping span). */
function markedUnits(units: Unit[], marks: NormalMark[]): Set<Unit> {
  const byStream = new Map<string, NormalMark[]>();
  for (const m of marks) byStream.set(m.stream, [...(byStream.get(m.stream) ?? []), m]);
  return new Set(
    units.filter((u) => byStream.get(u.stream)?.some((m) => u.startMs < m.endMs && u.endMs > m.startMs)),
  );
}

/** The held-back and fitting units, the suspects left out. */
function splitUnits(
  units: Unit[],
  suspects: Set<Unit>,
  seed: number,
  falseAlarmRate: number,
): { fit: Unit[]; held: Unit[] } {
  const order = shuffle(units.length, seed);
  const nHeld = heldOutSize(units.length, falseAlarmRate);
  const pick = (is: number[]) => is.map((i) => units[i]!).filter((u) => !suspects.has(u));
  return { held: pick(order.slice(0, nHeld)), fit: pick(order.slice(nHeld)) };
}

/**
 * The units no trimming may leave out. A pattern the baseline repeats line for line at twice the
 * false-alarm rate's share of its units is how the system works (a block read by many clients):
 * left out, each later one would be flagged, and that alone would exceed the configured rate.
 * Unless incidents repeat as often: the units read as a rare error show how many times one
 * incident's pattern recurs in this baseline, and a mode must recur more often.
 */
function baselineModes(
  units: Unit[],
  incidents: Unit[],
  falseAlarmRate: number,
): { modes: Set<Unit>; modeRepeats: number } {
  const modeRepeats = Math.max(
    MIN_MODE,
    Math.ceil(2 * falseAlarmRate * units.length),
    1 + largestRepeat(incidents),
  );
  return { modes: repeatedUnits(units, modeRepeats), modeRepeats };
}

/**
 * Units held back for calibration: a fifth, or 1/rate - 1 when a fifth is fewer and half the units
 * are enough. The smallest conformal p-value n held-back units can give is 1/(n + 1): below
 * 1/rate - 1 units the threshold lies past the largest held-back score, extrapolated, so one odd
 * unit moves it. Sets too small to reach that even with half held back keep a fifth: taking
 * models' training data would not buy the resolution.
 */
export function heldOutSize(units: number, falseAlarmRate: number): number {
  const fifth = Math.max(5, Math.round(units * HELD_OUT));
  const resolving = Math.ceil(1 / falseAlarmRate) - 1;
  return fifth < resolving && resolving <= units * MAX_HELD_OUT ? resolving : fifth;
}

function shuffle(n: number, seed: number): number[] {
  const r = rng(seed);
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}
