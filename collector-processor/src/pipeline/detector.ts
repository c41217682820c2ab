import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  Ensemble,
  DetectorRuntime,
  readBundle,
  type Bundle,
  type EnsembleJSON,
  type ModelSettings,
} from '@logsieve/models';
import { defaultModelSettings } from '@logsieve/models';
import { severityForScore, type Explanation, type ModelName } from '../anomaly-event';
import { FeatureSpace, type FeatureSpaceJSON } from '../features/feature-space';
import type { Unit } from '../features/unit';
import { explain, withDrivers } from './explain';
import { rulesFromJSON, type Rules, type RulesJSON } from '../score/rules/registry';
import type { RuleScore } from '../score/rules/rule';
import { passes, type UnitThreshold } from '../score/threshold';
import { resolveInputs } from '../ingest/file-input';
import { MiningRun } from '../mine/mine-inputs';
import { TemplateStage, type TemplateStore } from './template-stage';
import { createAssigner, type UnitSpec } from './unit-spec';
import { unitMatrix, unitSequences } from './unit-vectors';

export interface UnitResult {
  unit: string;
  stream: string;
  start: string;
  end: string;
  score: number;
  anomaly: boolean;
  models: Record<ModelName, number>;
  /** Each rule detector's calibrated 0-100 score (empty for bundles without rules). */
  rules: Record<string, number>;
  explanation: Explanation;
  severity: ReturnType<typeof severityForScore>;
  lines: number;
  /** Raw model and rule scores, kept so a unit can be re-scored under another setting (threshold preview). */
  raw: Record<string, number>;
}

const BATCH = 4096;
const END_OF_SESSION = '(end of session)';
const NOT_EXPLAINED: Explanation = {
  summary: 'not anomalous',
  topTemplates: [],
  topFeatures: [],
  unexpectedEvents: [],
};

/**
 * A loaded bundle ready to score units: feature space, ONNX sessions, ensemble and threshold.
 * Shared by `logsieve detect` and the streaming service.
 */
export class UnitScorer {
  private constructor(
    readonly bundle: Bundle,
    readonly space: FeatureSpace,
    private readonly runtime: DetectorRuntime,
    private readonly ensemble: Ensemble,
    readonly minScore: number,
    readonly falseAlarmRate: number,
    readonly settings: ModelSettings,
    /** Rule detectors of the bundle (none in bundles trained before them). */
    readonly rules: Rules | null,
  ) {}

  static async load(dir: string): Promise<UnitScorer> {
    const bundle = await readBundle(dir);
    const m = bundle.manifest;
    const space = FeatureSpace.fromJSON(m.features as FeatureSpaceJSON);
    const runtime = await DetectorRuntime.load(bundle.onnx, m.extra['detectors']);
    const rulesJson = m.extra['rules'] as RulesJSON | undefined;
    const rules = rulesJson
      ? rulesFromJSON(rulesJson, { templateText: (id) => space.templateText(id) })
      : null;
    return new UnitScorer(
      bundle,
      space,
      runtime,
      Ensemble.fromJSON(m.ensemble as EnsembleJSON),
      m.threshold.minScore,
      m.threshold.falseAlarmRate,
      defaultModelSettings(),
      rules,
    );
  }

  get unitSpec(): UnitSpec {
    return this.bundle.manifest.unit;
  }

  get templates(): TemplateStore {
    return this.bundle.templates as TemplateStore;
  }

  /** Whether detection must extract the template's parameters (models' columns, numeric rule). */
  usesParams(templateId: string): boolean {
    this.paramTemplates ??= this.rules?.paramTemplates() ?? new Set();
    return this.space.usesParams(templateId) || this.paramTemplates.has(templateId);
  }

  private paramTemplates: Set<string> | undefined;

  /**
   * The window as the models see it: templates new since training that have warmed up (a deploy's
   * new INFO lines, seen in a few earlier windows) are left out of the template counts and the
   * sequence, so the models stop paging on them as the novelty rule does; their lines still count
   * in the volume.
   */
  private modelView(u: Unit): Unit {
    // A session is one request or block: a template new to sessions is new behaviour in each.
    if (u.kind !== 'window') return u;
    let warm: Set<string> | null = null;
    for (const id of u.counts.keys())
      if (this.space.templateColumn(id) < 0 && this.rules?.acquainted(u, id)) (warm ??= new Set()).add(id);
    if (!warm) return u;
    const keep = (id: string) => !warm.has(id);
    return {
      ...u,
      counts: new Map([...u.counts].filter(([id]) => keep(id))),
      sequence: u.sequence.filter(keep),
    };
  }

  /** The bundle's own threshold: its false-alarm rate and the score that rate reads as. */
  get defaultThreshold(): UnitThreshold {
    return { minScore: this.minScore, falseAlarmRate: this.falseAlarmRate, models: this.settings };
  }

  /** Whether raw model and rule scores (a unit scored before) pass another threshold: the preview. */
  flags(raw: Record<string, number>, t: UnitThreshold): boolean {
    return passes(this.ensemble.score(raw as Record<ModelName, number>, t.models, raw), t);
  }

  async score(
    units: Unit[],
    templateText: (id: string) => string | undefined,
    thresholdFor?: (stream: string) => UnitThreshold | undefined,
    /** Explain every unit, not only anomalies (`detect --all`). */
    explainAll = false,
  ): Promise<UnitResult[]> {
    if (units.length === 0) return [];
    // Rules score each unit, and the models' view of it is taken, before it moves the rules'
    // running state (warm-up, periodic gaps); the models then score the whole batch at once.
    const ruleScores: Record<string, RuleScore>[] = [];
    const seen = units.map((u) => {
      ruleScores.push(this.rules?.score(u) ?? {});
      const view = this.modelView(u);
      this.rules?.observe(u);
      return view;
    });
    const X = unitMatrix(seen, this.space);
    const s = await this.runtime.score(X, unitSequences(seen, this.space));
    return units.map((u, i) => {
      const raw = {} as Record<ModelName, number>;
      for (const m of Object.keys(s.raw) as ModelName[]) raw[m] = s.raw[m][i]!;
      const rulesRaw: Record<string, number> = {};
      for (const [r, v] of Object.entries(ruleScores[i]!)) rulesRaw[r] = v.value;
      const t = thresholdFor?.(u.stream) ?? this.defaultThreshold;
      const e = this.ensemble.score(raw, t.models, rulesRaw);
      const d = this.space.dims;
      // An index past the sequence is the end-of-session event: the session stopped early.
      const worst = s.lstmWorst[i]!.map((w) => ({
        templateId: u.sequence[w.index] ?? END_OF_SESSION,
        probability: w.probability,
      }));
      const anomaly = passes(e, t);
      const explanation =
        anomaly || explainAll
          ? withDrivers(
              explain(
                u,
                this.space,
                s.aeErrors.subarray(i * d, (i + 1) * d),
                worst,
                (id) => this.space.templateText(id) ?? templateText(id) ?? id,
              ),
              e,
              ruleScores[i]!,
            )
          : NOT_EXPLAINED;
      return {
        unit: u.key,
        stream: u.stream,
        start: new Date(u.startMs).toISOString(),
        end: new Date(u.endMs).toISOString(),
        score: e.score,
        anomaly,
        models: e.models,
        rules: e.rules,
        explanation,
        severity: severityForScore(e.score),
        lines: u.lines,
        raw: { ...raw, ...rulesRaw },
      };
    });
  }

  close(): Promise<void> {
    return this.runtime.close();
  }
}

export interface DetectOptions {
  model: string;
  inputs: string[];
  out: string;
  /** From --window/--session-key; must agree with the bundle's unit when given. */
  unit?: UnitSpec;
  all?: boolean;
  log?: (msg: string) => void;
  onResult?: (r: UnitResult, u: Unit) => void;
}

export interface DetectSummary {
  lines: number;
  malformed: number;
  /** Lines whose window had already closed (a clock behind the stream's): counted, not scored. */
  late: number;
  units: number;
  anomalies: number;
  seconds: number;
}

export async function detect(opts: DetectOptions): Promise<DetectSummary> {
  const t0 = performance.now();
  const scorer = await UnitScorer.load(opts.model);
  const spec = scorer.unitSpec;
  if (opts.unit && JSON.stringify(unitKey(opts.unit)) !== JSON.stringify(unitKey(spec))) {
    throw new Error(
      `the bundle was trained on ${describe(spec)}, not ${describe(opts.unit)}: train again or drop the flag`,
    );
  }
  const sources = resolveInputs(opts.inputs);
  const stage = new TemplateStage('frozen', scorer.templates, (id) => scorer.usesParams(id));
  const run = new MiningRun();
  const out = createWriteStream(opts.out);
  let pending: Unit[] = [];
  let units = 0;
  let anomalies = 0;
  const text = (id: string) => stage.templateText(id);
  const drain = async () => {
    const batch = pending;
    pending = [];
    for (const [i, r] of (await scorer.score(batch, text, undefined, opts.all)).entries()) {
      units++;
      if (r.anomaly) anomalies++;
      opts.onResult?.(r, batch[i]!);
      const { raw: _raw, ...line } = r;
      if (r.anomaly || opts.all) out.write(JSON.stringify(line) + '\n');
    }
  };
  const assigner = createAssigner(spec, (u) => pending.push(u));
  let lines = 0;
  let malformed = 0;
  for (const src of sources) {
    await run.replay(
      src,
      (_lineNo, r) => {
        lines++;
        if (r) assigner.add(stage.mine(r));
        else malformed++;
      },
      async () => {
        if (pending.length >= BATCH) await drain();
      },
    );
  }
  assigner.flush();
  await drain();
  await scorer.close();
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  const seconds = (performance.now() - t0) / 1000;
  return { lines, malformed, late: assigner.late, units, anomalies, seconds };
}

function unitKey(u: UnitSpec): unknown {
  return u.kind === 'window' ? [u.kind, u.windowSeconds] : [u.kind, u.sessionKey];
}

function describe(u: UnitSpec): string {
  return u.kind === 'window' ? `${u.windowSeconds}-second windows` : `sessions keyed by /${u.sessionKey}/`;
}
