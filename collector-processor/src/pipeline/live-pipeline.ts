import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnomalyEvent } from '../anomaly-event';
import { dataRecord } from '../data-keys';
import {
  DEFAULT_EVENT_TIME_LIMITS,
  outOfRange,
  validTimeMs,
  type EventTimeLimits,
  type OutOfRange,
} from '../decode/event-time';
import type { Unit } from '../features/unit';
import { BoundedQueue } from '../ingest/bounded-queue';
import { OverloadedError } from '../ingest/overloaded-error';
import type { IngestSource } from '../ingest/record-sink';
import type { MinerSnapshot } from '../mine/template-miner';
import type { LogRecord } from '../record';
import { UnitScorer, type UnitResult } from './detector';
import type { UnitThreshold } from '../score/threshold';
import { RecordDecoder } from './record-decoder';
import { MemoryHistory, type RecordHistory } from './record-history';
import { TemplateStage, type OverflowReason, type TemplateLimit } from './template-stage';
import { trainFromRecords, type NormalMark } from './trainer';
import { createAssigner, type Assigner, type LiveTime, type UnitSpec } from './unit-spec';

export type ModelState = 'collecting' | 'training' | 'active';

/** What the pipeline reports; the service maps it to metrics, storage and outputs. */
export interface PipelineObserver {
  processed?(stream: string, n: number): void;
  /** Every record after decoding and mining (template statistics). */
  mined?(r: LogRecord): void;
  /**
   * Lines not processed (a stage failed on the record: pipeline_error), or whose open units a
   * model activation discarded. A line no decoder reads is processed as it came, never dropped.
   */
  dropped?(stream: string, reason: 'pipeline_error' | 'model_change', n: number): void;
  /** A record came after its window had closed: mined and kept for retraining, in no scored unit. */
  late?(stream: string): void;
  /** A record's event time was outside limits.maxEventAge/AheadSeconds: it took its receive time. */
  timeClamped?(stream: string, direction: OutOfRange): void;
  /** A template created after the active model was trained (a line no trained template matches). */
  newTemplate?(stream: string): void;
  /** Templates the stream's miners hold, after one was created. */
  templatesHeld?(stream: string, n: number): void;
  /** A line mapped to the overflow template: at limits.maxTemplatesPerStream or maxTemplatesTotal. */
  templateOverflow?(stream: string, reason: OverflowReason): void;
  unitScored?(r: UnitResult): void;
  /** An anomaly like one marked a false positive: not raised. */
  suppressed?(stream: string): void;
  stateChanged?(state: ModelState, version: string | null): void;
  latency?(stage: 'decode_mine' | 'score' | 'emit', seconds: number): void;
  trainingStarted?(records: number): void;
  /** A bundle trained from live records is active; register and store it. */
  trained?(bundleDir: string): Promise<void>;
  /** Anomalies to store and send; the returned promise resolves once they are stored. */
  anomalies?(events: AnomalyEvent[]): Promise<void>;
  error?(err: unknown, where: string): void;
}

export interface LivePipelineOptions {
  unit: UnitSpec;
  modelsDir: string;
  queueCapacity: number;
  baselineMinutes: number;
  baselineMinUnits: number;
  /** Upper bound on records kept for baseline training and for retraining. */
  maxBaselineRecords?: number;
  allowedLatenessSeconds?: number;
  /** Where records are kept for retraining; in memory (bounded by maxBaselineRecords) by default. */
  history?: RecordHistory;
  thresholdFor?: (stream: string) => UnitThreshold | undefined;
  /** Feedback: true when an anomaly like this was marked a false positive. */
  suppressed?: (e: AnomalyEvent) => boolean;
  observer?: PipelineObserver;
  /** limits.maxTemplatesPerStream (unbounded when absent). */
  maxTemplatesPerStream?: number;
  /** limits.maxTemplatesTotal, across all streams (unbounded when absent). */
  maxTemplatesTotal?: number;
  /** limits.maxEventAgeSeconds and limits.maxEventAheadSeconds (24 h and 10 min by default). */
  eventTime?: EventTimeLimits;
  now?: () => number;
}

interface RecentUnit {
  stream: string;
  endMs: number;
  raw: Record<string, number>;
}

/**
 * Where a batch came from in a replayable source (a Kafka partition): `key` names the source
 * position and `value` is stored with the state once the batch's records are part of it.
 */
export interface PositionMark {
  key: string;
  value: unknown;
}

/** One stream's state in a snapshot: valid only under the same model (or none). */
export type StreamSnapshot = {
  model: string | null;
  miner?: MinerSnapshot;
  units?: unknown;
  maxEventMs: number;
};

/**
 * The state changed since the last snapshot: streams (null: forgotten) and the positions whose
 * records the state holds; stored together so a replay resumes exactly after them.
 */
export interface PipelineSnapshot {
  streams: Record<string, StreamSnapshot | null>;
  positions: Record<string, unknown>;
}

const SCORE_BATCH = 256;
/** Records kept for baseline training and retraining (about 1 KB each in memory). */
const DEFAULT_MAX_RECORDS = 200_000;
const RECENT_MAX = 200_000;
/** Pause before the record loop restarts after a failure, doubling up to the maximum. */
const RESTART_MS = 1000;
const RESTART_MAX_MS = 8000;

/**
 * The streaming pipeline behind `logsieve serve`: the same decode, mine, feature and scoring code
 * as the CLI, fed by a bounded queue, with event-time windows closed by a watermark. With no model
 * it collects a baseline, trains on it in-process, and starts scoring.
 */
export class LivePipeline {
  readonly queue: BoundedQueue<LogRecord>;
  private readonly decoder = new RecordDecoder();
  private stage: TemplateStage;
  private assigner: Assigner;
  private scorer: UnitScorer | null = null;
  private closed: Unit[] = [];
  private baseline: LogRecord[] = [];
  private baselineStart = Infinity;
  private baselineEnd = -Infinity;
  private baselineUnits = 0;
  private maxEventMs = -Infinity;
  /** Per stream, records that came after their window had closed (since this pipeline started). */
  readonly lateLines = new Map<string, number>();
  private worker: Promise<void> | null = null;
  /** The scoring pass running or last run (see scoreClosed). */
  private scoring: Promise<void> = Promise.resolve();
  private readonly recent: RecentUnit[] = [];
  private readonly history: RecordHistory;
  /** Batches offered and processed so far; a position mark applies once its batch is processed. */
  private offered = 0;
  private processedSeq = 0;
  private marks: (PositionMark & { seq: number; streams: Set<string> })[] = [];
  private readonly positions = new Map<string, unknown>();
  /** Position key of the source each stream's records came from (to release it on a rebalance). */
  private readonly owner = new Map<string, string>();
  private readonly dirty = new Set<string>();
  /** Streams whose state (miner, open units) this pipeline holds. */
  private readonly streams = new Set<string>();
  private drainWaiters: { seq: number; resolve: () => void }[] = [];
  state: ModelState = 'collecting';
  lastError: string | null = null;
  /** Why the record loop failed, until it is running again: readiness fails, accept() refuses. */
  failure: string | null = null;

  constructor(private readonly o: LivePipelineOptions) {
    this.queue = new BoundedQueue<LogRecord>(o.queueCapacity);
    this.stage = new TemplateStage('learn', {}, undefined, this.templateLimit());
    this.assigner = createAssigner(
      o.unit,
      (u) => {
        this.baselineUnits++;
        this.dirty.add(u.stream);
      },
      this.liveTime(),
    );
    this.history = o.history ?? new MemoryHistory(o.maxBaselineRecords ?? DEFAULT_MAX_RECORDS);
  }

  get modelVersion(): string | null {
    return this.scorer?.bundle.manifest.version ?? null;
  }

  get activeScorer(): UnitScorer | null {
    return this.scorer;
  }

  /** Fraction of the baseline collected (1 once a model is active). */
  get baselineProgress(): number {
    if (this.state !== 'collecting') return 1;
    const span = this.baselineEnd > this.baselineStart ? (this.baselineEnd - this.baselineStart) / 60_000 : 0;
    return Math.min(1, span / this.o.baselineMinutes, this.baselineUnits / this.o.baselineMinUnits);
  }

  /** The RecordSink of every ingest source: queue or refuse, never buffer without bound. */
  accept = async (
    records: LogRecord[],
    source: IngestSource,
    mark?: PositionMark,
  ): Promise<{ accepted: number; rejected: number }> => {
    this.offer(records, source, mark);
    return { accepted: records.length, rejected: 0 };
  };

  /** accept() without the promise: the batch is queued when it returns, or it threw OverloadedError. */
  offer(records: LogRecord[], source: IngestSource, mark?: PositionMark): void {
    // Never "accepted and nothing": a failed loop takes no records until it runs again (503).
    if (this.failure) throw new OverloadedError(`pipeline restarting: ${this.failure}`, 1, true);
    this.queue.offer(records, source);
    if (records.length > 0) this.offered++;
    // Registered in the same turn as the offer, so the mark applies with exactly its batch.
    if (mark) this.marks.push({ ...mark, seq: this.offered, streams: new Set(records.map((r) => r.stream)) });
    this.applyMarks();
  }

  /** Resolves once every batch accepted before the call is processed (mined, windowed, scored). */
  drained(): Promise<void> {
    return this.afterDrained(() => {});
  }

  /**
   * Runs `fn` once every batch accepted before the call is processed, in the same turn as the last
   * of them ends (or at once): no batch is half processed then, so the state, the positions and
   * what the observer was told are one consistent cut for a checkpoint.
   */
  afterDrained<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const run = () => {
        try {
          resolve(fn());
        } catch (err) {
          reject(err as Error);
        }
      };
      const seq = this.offered;
      if (this.processedSeq >= seq) run();
      else this.drainWaiters.push({ seq, resolve: run });
    });
  }

  private applyMarks(): void {
    while (this.marks.length > 0 && this.marks[0]!.seq <= this.processedSeq) {
      const m = this.marks.shift()!;
      this.positions.set(m.key, m.value);
      for (const s of m.streams) this.owner.set(s, m.key);
    }
    const ready = this.drainWaiters.filter((w) => w.seq <= this.processedSeq);
    this.drainWaiters = this.drainWaiters.filter((w) => w.seq > this.processedSeq);
    for (const w of ready) w.resolve();
  }

  /** The streams changed since the last call and the positions they hold (see PipelineSnapshot). */
  takeSnapshot(): PipelineSnapshot {
    // Keyed by stream name: no prototype, so `__proto__` is a stream like the others.
    const streams: PipelineSnapshot['streams'] = dataRecord();
    for (const s of this.dirty) {
      const units = this.assigner.exportStream(s);
      const miner = this.stage.exportStream(s);
      streams[s] =
        units || miner ? { model: this.modelVersion, miner, units, maxEventMs: this.maxEventMs } : null;
    }
    this.dirty.clear();
    return { streams, positions: Object.fromEntries(this.positions) };
  }

  /** A snapshot was not stored: its streams must go into the next one. */
  snapshotFailed(snap: PipelineSnapshot): void {
    for (const s of Object.keys(snap.streams)) this.dirty.add(s);
  }

  /**
   * Resumes a stream from its stored state (before any of its records are processed here);
   * false when the state belongs to another model and was ignored.
   */
  restoreStream(stream: string, snap: StreamSnapshot): boolean {
    if (snap.model !== this.modelVersion) return false;
    this.streams.add(stream);
    if (snap.miner) this.stage.importStream(stream, snap.miner);
    if (snap.units) this.assigner.importStream(stream, snap.units);
    if (snap.maxEventMs > this.maxEventMs) this.maxEventMs = snap.maxEventMs;
    return true;
  }

  /**
   * Another replica took these positions (Kafka partitions) over: forget them and their streams'
   * state, which the new owner resumes from storage. Returns the streams forgotten.
   */
  release(keys: Set<string>): string[] {
    const streams: string[] = [];
    for (const [stream, key] of this.owner) {
      if (!keys.has(key)) continue;
      this.owner.delete(stream);
      this.stage.dropStream(stream);
      this.assigner.dropStream(stream);
      this.dirty.delete(stream);
      this.streams.delete(stream);
      streams.push(stream);
    }
    for (const k of keys) this.positions.delete(k);
    return streams;
  }

  /** Position keys this pipeline holds state for. */
  positionKeys(): string[] {
    return [...this.positions.keys()];
  }

  async activate(bundleDir: string): Promise<string> {
    const scorer = await UnitScorer.load(bundleDir);
    // The swap takes its turn between scoring passes, so none is left using the closed scorer.
    const swap = this.scoring.catch(() => {}).then(() => this.swapScorer(scorer));
    this.scoring = swap.then(() => {});
    await (await swap)?.close();
    return scorer.bundle.manifest.version;
  }

  /** Puts `scorer` in place of the current one (returned). */
  private swapScorer(scorer: UnitScorer): UnitScorer | null {
    const old = this.scorer;
    // Open units count lines under the old templates (and unit spec), which mean nothing to the new
    // model: they are discarded, their lines counted, and the streams start new units.
    for (const s of this.streams) {
      const open = (this.assigner.exportStream(s) as { open?: { lines: number }[] } | undefined)?.open ?? [];
      const lines = open.reduce((n, u) => n + u.lines, 0);
      if (lines > 0) this.o.observer?.dropped?.(s, 'model_change', lines);
    }
    this.scorer = scorer;
    this.stage = new TemplateStage('frozen', scorer.templates, undefined, this.templateLimit());
    this.closed = [];
    this.assigner = createAssigner(
      scorer.unitSpec,
      (u) => {
        this.closed.push(u);
        this.dirty.add(u.stream);
      },
      this.liveTime(),
    );
    this.baseline = [];
    this.setState('active');
    return old;
  }

  start(): void {
    this.worker ??= this.supervise();
  }

  /**
   * Runs the record loop until the queue closes. A record a stage fails on is dropped where it
   * fails; a failure of the loop itself marks the pipeline failed (readiness and ingest answer
   * 503) and the loop starts again with the next batch after a pause that doubles while failures
   * follow each other within a minute, so one bad record or batch never stops the service.
   */
  private async supervise(): Promise<void> {
    let pause = RESTART_MS;
    let lastFailure = -Infinity;
    for (;;) {
      try {
        await this.run();
        return;
      } catch (err) {
        this.failure = err instanceof Error ? err.message : String(err);
        this.o.observer?.error?.(err, 'pipeline');
        const now = Date.now();
        pause = now - lastFailure < 60_000 ? Math.min(RESTART_MAX_MS, pause * 2) : RESTART_MS;
        lastFailure = now;
        await sleep(pause);
        this.failure = null;
      }
    }
  }

  /**
   * Stops taking records and processes what was queued. Open units are closed and scored, unless
   * `keepOpen` (their state is snapshotted to resume after a restart instead).
   */
  async stop({ keepOpen = false } = {}): Promise<void> {
    this.queue.close();
    await this.worker;
    if (!keepOpen) this.assigner.flush();
    await this.scoreClosed(true);
    await this.scoring;
    await this.scorer?.close();
  }

  /** Closes units whose time has passed even when no record arrives (quiet streams, idle sessions). */
  async tick(): Promise<void> {
    if (this.maxEventMs === -Infinity) return;
    // Each stream's event time goes on at the clock's pace from its own latest record (never past
    // the clock): a quiet stream's windows close, a delayed or replayed one is not cut short, and
    // a stream whose clock runs ahead closes no other stream's windows.
    this.assigner.advance(this.o.now?.() ?? Date.now());
    await this.scoreClosed(true);
  }

  private liveTime(): LiveTime {
    return { latenessSeconds: this.o.allowedLatenessSeconds ?? 10, now: () => this.o.now?.() ?? Date.now() };
  }

  /** Scores the recent units again with another setting: the thresholds preview. */
  preview(
    stream: string | undefined,
    sinceMs: number,
    t: UnitThreshold,
  ): { units: number; current: number; proposed: number } {
    const scorer = this.scorer;
    if (!scorer) return { units: 0, current: 0, proposed: 0 };
    let units = 0;
    let current = 0;
    let proposed = 0;
    for (const r of this.recent) {
      if (r.endMs < sinceMs || (stream && r.stream !== stream)) continue;
      units++;
      if (scorer.flags(r.raw, this.o.thresholdFor?.(r.stream) ?? scorer.defaultThreshold)) current++;
      if (scorer.flags(r.raw, t)) proposed++;
    }
    return { units, current, proposed };
  }

  private templateLimit(): TemplateLimit {
    return {
      maxTemplatesPerStream: this.o.maxTemplatesPerStream,
      maxTemplatesTotal: this.o.maxTemplatesTotal,
      onOverflow: (stream, reason) => this.o.observer?.templateOverflow?.(stream, reason),
      onCreated: (stream, held, novel) => {
        this.o.observer?.templatesHeld?.(stream, held);
        if (novel) this.o.observer?.newTemplate?.(stream);
      },
    };
  }

  private setState(s: ModelState): void {
    this.state = s;
    this.o.observer?.stateChanged?.(s, this.modelVersion);
  }

  private async run(): Promise<void> {
    for await (const { batch } of this.queue) {
      try {
        await this.processBatch(batch);
      } finally {
        // Done, or failed (the supervisor restarts the loop): either way no drain waits on it.
        this.processedSeq++;
        this.applyMarks();
      }
    }
  }

  private async processBatch(batch: LogRecord[]): Promise<void> {
    const t0 = performance.now();
    const counts = new Map<string, number>();
    const kept: LogRecord[] = [];
    let failed = 0;
    for (const rec of batch) {
      try {
        this.process(rec, counts, kept);
      } catch (err) {
        // A record some stage cannot handle is dropped and counted; the batch goes on.
        this.o.observer?.dropped?.(rec.stream, 'pipeline_error', 1);
        if (failed++ === 0) this.o.observer?.error?.(err, 'record');
      }
    }
    for (const [s, n] of counts) this.o.observer?.processed?.(s, n);
    this.o.observer?.latency?.('decode_mine', (performance.now() - t0) / 1000);
    if (this.state === 'collecting' && this.baselineProgress >= 1) await this.trainBaseline();
    await this.scoreClosed(false);
    await this.history.append(kept).catch((err) => this.o.observer?.error?.(err, 'history'));
  }

  /** Decodes, mines and windows one record. */
  private process(rec: LogRecord, counts: Map<string, number>, kept: LogRecord[]): void {
    const r = this.decoder.decode(rec);
    const now = this.o.now?.() ?? Date.now();
    const timeMs = this.eventTime(r, now);
    if (timeMs > this.maxEventMs) this.maxEventMs = timeMs;
    this.stage.mine(r);
    this.dirty.add(r.stream);
    this.streams.add(r.stream);
    this.o.observer?.mined?.(r);
    kept.push(r);
    if (this.assigner.add(r)) counts.set(r.stream, (counts.get(r.stream) ?? 0) + 1);
    else {
      this.lateLines.set(r.stream, (this.lateLines.get(r.stream) ?? 0) + 1);
      this.o.observer?.late?.(r.stream);
    }
    if (this.state === 'collecting') this.collect(r);
  }

  /**
   * Sets the record's event time: its receive time when it carries none, or one outside the limits
   * around the receive time (counted), so that no record moves the windows far from the clock.
   */
  private eventTime(r: LogRecord, nowMs: number): number {
    const t = validTimeMs(r.timeMs);
    const off = t === null ? null : outOfRange(t, nowMs, this.o.eventTime ?? DEFAULT_EVENT_TIME_LIMITS);
    if (off) this.o.observer?.timeClamped?.(r.stream, off);
    return (r.timeMs = t === null || off ? nowMs : t);
  }

  /**
   * Trains a new bundle from the kept records and activates it; resolves with its folder. `normal`:
   * units people marked false positives, which training takes as normal.
   */
  async retrain(normal: NormalMark[] = []): Promise<string> {
    if (this.state === 'training') throw new Error('training is already running');
    const previous = this.state;
    this.setState('training');
    const out = join(this.o.modelsDir, `retrain-${Date.now()}`);
    try {
      const records = await this.history.read();
      await trainFromRecords(records, { out, unit: this.scorer?.unitSpec ?? this.o.unit, normal });
      await this.activate(out);
      await this.o.observer?.trained?.(out);
      return out;
    } catch (err) {
      this.setState(previous);
      this.lastError = (err as Error).message;
      this.o.observer?.error?.(err, 'retraining');
      throw err;
    }
  }

  private collect(r: LogRecord): void {
    const t = r.timeMs!;
    if (t < this.baselineStart) this.baselineStart = t;
    if (t > this.baselineEnd) this.baselineEnd = t;
    if (this.baseline.length < (this.o.maxBaselineRecords ?? DEFAULT_MAX_RECORDS)) this.baseline.push(r);
  }

  private async trainBaseline(): Promise<void> {
    this.setState('training');
    const records = this.baseline;
    this.baseline = [];
    const out = join(this.o.modelsDir, `baseline-${Date.now()}`);
    this.o.observer?.trainingStarted?.(records.length);
    try {
      // The baseline's records were mined in learn mode; training mines them again from scratch.
      for (const r of records) r.templateId = undefined;
      await trainFromRecords(records, { out, unit: this.o.unit });
      await this.activate(out);
      await this.o.observer?.trained?.(out);
    } catch (err) {
      this.lastError = (err as Error).message;
      this.o.observer?.error?.(err, 'baseline training');
      // Keep collecting: more data may make training possible.
      this.baseline = records.slice(-Math.floor((this.o.maxBaselineRecords ?? DEFAULT_MAX_RECORDS) / 2));
      this.baselineUnits = 0;
      this.setState('collecting');
    }
  }

  /**
   * One scoring pass at a time: the clock's tick, the record loop and stop() all score, and a pass
   * must finish before stop() or a model activation closes the scorer it is using (closed under
   * it, the pass failed and its units were lost).
   */
  private scoreClosed(all: boolean): Promise<void> {
    const pass = this.scoring.catch(() => {}).then(() => this.scorePass(all));
    this.scoring = pass;
    return pass;
  }

  private async scorePass(all: boolean): Promise<void> {
    const scorer = this.scorer;
    if (!scorer) return;
    while (this.closed.length >= (all ? 1 : SCORE_BATCH)) {
      const units = this.closed.splice(0, SCORE_BATCH);
      const t0 = performance.now();
      const results = await scorer.score(units, (id) => this.stage.templateText(id), this.o.thresholdFor);
      this.o.observer?.latency?.('score', (performance.now() - t0) / 1000);
      const events: AnomalyEvent[] = [];
      for (const [i, r] of results.entries()) {
        const u = units[i]!;
        this.remember(u, r);
        this.o.observer?.unitScored?.(r);
        if (!r.anomaly) continue;
        const e = toEvent(r, u, scorer.bundle.manifest.version);
        if (this.o.suppressed?.(e)) {
          this.o.observer?.suppressed?.(e.stream);
          continue;
        }
        events.push(e);
      }
      if (events.length) {
        const t1 = performance.now();
        await this.o.observer?.anomalies?.(events);
        this.o.observer?.latency?.('emit', (performance.now() - t1) / 1000);
      }
    }
  }

  private remember(u: Unit, r: UnitResult): void {
    this.recent.push({ stream: u.stream, endMs: u.endMs, raw: r.raw });
    if (this.recent.length > RECENT_MAX) this.recent.splice(0, this.recent.length - RECENT_MAX);
  }
}

export function toEvent(r: UnitResult, u: Unit, modelVersion: string): AnomalyEvent {
  // One id per stream and window (or session), whichever model scored it: a window scored again
  // (a late or replayed record after a model activation) is the same anomaly, stored and paged once.
  const id = createHash('sha256')
    .update(`${r.stream}\u0000${r.unit}\u0000${r.start}`)
    .digest('hex')
    .slice(0, 24);
  const evidence: string[] = [];
  for (const e of r.explanation.unexpectedEvents)
    if (e.line && !evidence.includes(e.line)) evidence.push(e.line);
  for (const t of r.explanation.topTemplates) {
    const l = u.examples.get(t.templateId);
    if (l && !evidence.includes(l)) evidence.push(l);
  }
  for (const l of u.samples) if (evidence.length < 10 && !evidence.includes(l)) evidence.push(l);
  return {
    id,
    stream: r.stream,
    unit: r.unit,
    unitKind: u.kind,
    start: r.start,
    end: r.end,
    score: r.score,
    severity: r.severity,
    models: r.models,
    explanation: r.explanation,
    sampleLines: evidence.slice(0, 10),
    traceIds: u.traceIds,
    modelVersion,
    createdAt: new Date().toISOString(),
    feedback: null,
  };
}
