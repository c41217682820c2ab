import type { Unit } from '../../features/unit';
import {
  NOTHING,
  PerStream,
  describeTemplate,
  groupByStream,
  type PerStreamJSON,
  type RuleContext,
  type RuleDetector,
  type RuleScore,
} from './rule';
import { median, normalUpper, poissonLower, quantile } from './surprise';

/** A stream is busy, and its drops judged, when its median window holds at least this many lines. */
const MIN_BUSY_LINES = 5;
/** Least spread of log volume (ln units): a very steady stream still varies by about this much. */
const MIN_LOG_SPREAD = 0.35;
const QUIET_QUANTILE = 0.1;
/** A template is periodic when it appeared in this many training windows at least ... */
const MIN_APPEARANCES = 10;
/** ... and its longest gap is at most this many times its median gap, plus slack (regular, not random). */
const REGULAR_GAP_FACTOR = 3;
const REGULAR_GAP_SLACK = 2;
/** Share of the longest gaps left out of the normal maximum (a baseline in which the job once stopped). */
const GAP_TRIM = 0.01;
const MIN_UNITS = 10;
/** A missing periodic template pages for this many windows past its longest normal gap; after
 * that the stream is taken to have changed (a job retired), not to be failing every window. */
const ONSET_WINDOWS = 10;
const MAX_PERIODIC = 64;
/** A periodic template logs at most this many lines per run, the same count in this share of runs. */
const MAX_LINES_PER_RUN = 3;
const STEADY_SHARE = 0.8;
const DRIVER_MIN = 1.3;

interface Model {
  /** Median lines per window, and median and spread of ln(1 + lines). */
  medianLines: number;
  /** Lines in a quiet normal window (10th percentile): the Poisson drop is judged against it, so a
   * stream that swings through the day is not silent at night. Absent in older bundles. */
  quietLines?: number;
  logCenter: number;
  logSpread: number;
  /** Periodic templates: longest normal gap in windows, and the surprise per gap length past it. */
  periodic: Map<string, Periodic>;
}

interface Periodic {
  maxGap: number;
  /** log10(appearances + 1): a gap longer than every one of N gaps seen has chance under 1/(N+1). */
  base: number;
}

type ModelJSON = Omit<Model, 'periodic'> & { periodic: [string, number, number][] };

export interface SilenceJSON {
  rule: 'silence';
  models: PerStreamJSON<ModelJSON>;
}

interface Gap {
  /** Consecutive windows observed without the template, and when it was last there. */
  missing: number;
  lastSeenMs: number | null;
}

/**
 * Silence, for windows (a session has no expected volume): a busy stream far below its normal
 * volume, and periodic templates (heartbeats, cron jobs: present in nearly every training window)
 * missing. Volume is one-sided, so 2.5x traffic or a nightly backup burst is never silence; the
 * drop's surprise is the smaller of a Poisson and a log-normal tail, so a stream whose volume
 * swings through the day needs a deeper drop. A periodic template (one whose gaps between windows
 * are regular: a heartbeat in every window, a job every 5 or 60 windows) scores once its current
 * gap g exceeds the longest normal gap G: log10(N + 1) * g / (G + 1), N its training appearances,
 * for ONSET_WINDOWS windows (the alert is the onset; a job gone for good is not news each hour).
 * `observe` keeps the current gap and when the template was last seen.
 */
export class SilenceRule implements RuleDetector {
  readonly name = 'silence' as const;
  private readonly gaps = new Map<string, Map<string, Gap>>();

  constructor(
    private readonly models: PerStream<Model | null>,
    private readonly ctx: RuleContext = {},
  ) {}

  score(u: Unit): RuleScore {
    if (u.kind !== 'window') return NOTHING;
    const m = this.ownModel(u.stream);
    if (!m) return NOTHING;
    let volume = 0;
    if (m.medianLines >= MIN_BUSY_LINES && u.lines < m.medianLines) {
      const z = (m.logCenter - Math.log1p(u.lines)) / m.logSpread;
      volume = Math.min(normalUpper(z), poissonLower(u.lines, m.quietLines ?? m.medianLines));
    }
    let missing = 0;
    let missingId = '';
    let run = 0;
    const gaps = this.gaps.get(u.stream);
    for (const [id, p] of m.periodic) {
      if (u.counts.has(id)) continue;
      const r = (gaps?.get(id)?.missing ?? 0) + 1;
      if (r <= p.maxGap || r > p.maxGap + ONSET_WINDOWS) continue;
      const s = (p.base * r) / (p.maxGap + 1);
      if (s > missing) {
        missing = s;
        missingId = id;
        run = r;
      }
    }
    const value = Math.max(volume, missing);
    if (value <= 0) return NOTHING;
    if (value < DRIVER_MIN) return { value };
    if (volume >= missing) {
      const normal = Math.round(m.medianLines).toLocaleString('en-US');
      return {
        value,
        driver:
          u.lines === 0
            ? `no log lines at all (normally about ${normal})`
            : `${u.lines} lines (normally about ${normal})`,
      };
    }
    const last = gaps?.get(missingId)?.lastSeenMs;
    const since = last != null ? `since ${clock(last)}` : `in this window`;
    const gap = m.periodic.get(missingId)!.maxGap;
    const normally = gap === 0 ? 'in every window' : `at least every ${gap + 1} windows`;
    return {
      value,
      driver: `"${describeTemplate(missingId, u, this.ctx)}" missing ${since}: ${run} window${run === 1 ? '' : 's'} without it (normally ${normally})`,
    };
  }

  observe(u: Unit): void {
    if (u.kind !== 'window') return;
    const m = this.ownModel(u.stream);
    if (!m || m.periodic.size === 0) return;
    let gaps = this.gaps.get(u.stream);
    if (!gaps) this.gaps.set(u.stream, (gaps = new Map()));
    for (const id of m.periodic.keys()) {
      let g = gaps.get(id);
      if (!g) gaps.set(id, (g = { missing: 0, lastSeenMs: null }));
      if (u.counts.has(id)) {
        g.missing = 0;
        g.lastSeenMs = u.endMs;
      } else {
        if (g.missing === 0 && g.lastSeenMs === null) g.lastSeenMs = u.startMs;
        g.missing++;
      }
    }
  }

  /**
   * Only a stream's own model: the pooled one mixes other streams' volumes and periodic lines (a
   * worker's "job started" is not missing from the api stream), so a stream with too few training
   * windows is not judged for silence.
   */
  private ownModel(stream: string): Model | null {
    return this.models.streams.get(stream) ?? null;
  }

  exportState(stream: string): [string, Gap][] {
    return [...(this.gaps.get(stream) ?? [])].map(([id, g]) => [id, { ...g }]);
  }

  importState(stream: string, state: [string, Gap][]): void {
    this.gaps.set(stream, new Map(state.map(([id, g]) => [id, { ...g }])));
  }

  toJSON(): SilenceJSON {
    return {
      rule: 'silence',
      models: this.models.toJSON((m) =>
        m ? { ...m, periodic: [...m.periodic].map(([id, p]) => [id, p.maxGap, p.base]) } : EMPTY,
      ),
    };
  }

  static fromJSON(json: SilenceJSON, ctx: RuleContext = {}): SilenceRule {
    return new SilenceRule(
      PerStream.fromJSON(json.models, (j: ModelJSON) =>
        j.medianLines === 0 && j.periodic.length === 0
          ? null
          : { ...j, periodic: new Map(j.periodic.map(([id, maxGap, base]) => [id, { maxGap, base }])) },
      ),
      ctx,
    );
  }
}

const EMPTY: ModelJSON = { medianLines: 0, logCenter: 0, logSpread: MIN_LOG_SPREAD, periodic: [] };

export function fitSilence(units: Unit[], ctx: RuleContext = {}): SilenceRule {
  const timeline = groupByStream(ctx.timeline ?? units);
  return new SilenceRule(
    PerStream.fit(units, ctx, (us) => {
      const stream = us[0]?.stream;
      const own = stream !== undefined && us.every((u) => u.stream === stream);
      return fitModel(us, own ? (timeline.get(stream) ?? us) : us);
    }),
    ctx,
  );
}

/** `timeline`: the stream's training windows, held-back ones included, for the periodic gaps. */
function fitModel(all: Unit[], timeline: Unit[]): Model | null {
  const units = all.filter((u) => u.kind === 'window');
  if (units.length < MIN_UNITS) return null;
  const logs = units.map((u) => Math.log1p(u.lines));
  const logCenter = median(logs);
  const logSpread = Math.max(MIN_LOG_SPREAD, 1.4826 * median(logs.map((x) => Math.abs(x - logCenter))));
  return {
    medianLines: median(units.map((u) => u.lines)),
    quietLines: quantile(
      units.map((u) => u.lines),
      QUIET_QUANTILE,
    ),
    logCenter,
    logSpread,
    periodic: periodicTemplates(timeline.filter((u) => u.kind === 'window')),
  };
}

/**
 * Templates whose gaps are regular, with their longest normal gap. Gaps are counted in window
 * positions (start time over window length), so a window missing from `units` counts as a gap:
 * they are given the whole timeline, held-back windows included (counted as gaps, a random fifth
 * held back made a heartbeat's normal gap 2 and put its alert a window late).
 */
export function periodicTemplates(units: Unit[]): Map<string, Periodic> {
  const sorted = [...units].sort((a, b) => a.startMs - b.startMs);
  const first = sorted[0]!;
  const len = Math.max(1, first.endMs - first.startMs);
  const last = new Map<string, number>();
  const gaps = new Map<string, number[]>();
  const perRun = new Map<string, number[]>();
  for (const u of sorted) {
    const pos = Math.round((u.startMs - first.startMs) / len);
    for (const [id, count] of u.counts) {
      let c = perRun.get(id);
      if (!c) perRun.set(id, (c = []));
      c.push(count);
      const prev = last.get(id);
      if (prev !== undefined) {
        let g = gaps.get(id);
        if (!g) gaps.set(id, (g = []));
        g.push(pos - prev - 1);
      }
      last.set(id, pos);
    }
  }
  const found: [string, Periodic][] = [];
  for (const [id, g] of gaps) {
    if (g.length + 1 < MIN_APPEARANCES) continue;
    // A job logs the same few lines every run; a template whose count per window varies is traffic,
    // whose absence is the volume drop's to judge (requests missing for three quiet night windows
    // are not a stopped heartbeat).
    if (!steadyRuns(perRun.get(id)!)) continue;
    g.sort((a, b) => a - b);
    const drop = Math.floor(g.length * GAP_TRIM);
    const maxGap = g[g.length - 1 - drop]!;
    if (maxGap > REGULAR_GAP_FACTOR * median(g) + REGULAR_GAP_SLACK) continue;
    found.push([id, { maxGap, base: Math.log10(g.length + 2) }]);
  }
  found.sort((a, b) => b[1].base - a[1].base || (a[0] < b[0] ? -1 : 1));
  return new Map(found.slice(0, MAX_PERIODIC));
}
function steadyRuns(counts: number[]): boolean {
  const freq = new Map<number, number>();
  for (const c of counts) freq.set(c, (freq.get(c) ?? 0) + 1);
  let mode = 0;
  let most = 0;
  for (const [c, f] of freq) if (f > most) [mode, most] = [c, f];
  return mode <= MAX_LINES_PER_RUN && most >= STEADY_SHARE * counts.length;
}

function clock(ms: number): string {
  return new Date(ms).toISOString().slice(11, 16) + ' UTC';
}
