import { MODEL_NAMES, type AnomalyEvent } from '../anomaly-event';
import type { LivePipeline } from '../pipeline/live-pipeline';
import type { NormalMark } from '../pipeline/trainer';
import type { ModelStore } from '../store/model-store';
import type { Storage, Thresholds } from '../store/storage';
import type { ApiBackend, Health } from './api-backend';
import type { FeedbackBody, Threshold } from './schemas';

export interface ServiceBackendOptions {
  storage: Storage;
  models: ModelStore;
  pipeline: LivePipeline;
  version: string;
  thresholds: ThresholdBook;
  /** Activates a stored bundle version in the pipeline. */
  activate(version: string): Promise<void>;
  startedAt: number;
  /** Tells other replicas (cache pub/sub) that thresholds, the active model or feedback changed. */
  announce?(what: Announced, message: string): Promise<void>;
  /** A person marked an anomaly (metrics: false positives against confirmed ones). */
  feedbackMarked?(label: FeedbackBody['label']): void;
}

export type Announced = 'thresholds' | 'models' | 'feedback';

/**
 * Thresholds in effect: the stored global and per-stream settings over the active bundle's
 * defaults. Changes go to storage (with audit) and then here, so scoring sees them at once.
 */
export class ThresholdBook {
  global: Threshold | null = null;
  /** A Map: stream names are data (a `__proto__` key in a plain object would set the prototype). */
  readonly streams = new Map<string, Threshold>();
  defaults: Threshold | null = null;

  /** Takes what storage holds (at start, and when another replica changed it). */
  load(stored: Thresholds): void {
    this.global = stored.global;
    this.streams.clear();
    for (const [stream, t] of Object.entries(stored.streams)) this.streams.set(stream, t);
  }

  effective(stream: string): Threshold | undefined {
    return this.streams.get(stream) ?? this.global ?? this.defaults ?? undefined;
  }

  globalOrDefault(): Threshold {
    return this.global ?? this.defaults ?? defaultThreshold(0.001);
  }
}

export function defaultThreshold(
  falseAlarmRate: number,
  minScore = -25 * Math.log10(falseAlarmRate),
): Threshold {
  return {
    falseAlarmRate,
    minScore: Math.round(minScore * 100) / 100,
    models: Object.fromEntries(
      MODEL_NAMES.map((m) => [m, { enabled: true, weight: 1 }]),
    ) as Threshold['models'],
  };
}

/** The REST API over storage and the live pipeline. */
export class ServiceBackend implements ApiBackend {
  /** Stream and top template of anomalies marked false positives: like ones are not raised again. */
  readonly falsePositives = new Set<string>();
  /** The units those marks name: retraining takes them as normal. */
  private marked: NormalMark[] = [];
  private retraining: Promise<unknown> | null = null;
  /** Set by checkStorage() when the last ping failed: readiness reports it. */
  storageError: string | null = null;

  constructor(private readonly o: ServiceBackendOptions) {}

  static signature(e: Pick<AnomalyEvent, 'stream' | 'explanation'>): string {
    return `${e.stream}\u0000${e.explanation.topTemplates[0]?.templateId ?? ''}`;
  }

  /**
   * Reads the stored false positives again (at start, after a mark or its removal here or on
   * another replica): their like stays suppressed on every replica, and a removed mark frees only
   * what no other mark holds.
   */
  async reloadFeedback(): Promise<void> {
    const signatures = new Set<string>();
    const units: NormalMark[] = [];
    for (const f of await this.o.storage.listFeedback()) {
      if (f.label !== 'false_positive') continue;
      const a = await this.o.storage.getAnomaly(f.anomalyId);
      if (!a) continue;
      signatures.add(ServiceBackend.signature(a));
      units.push({ stream: a.stream, startMs: Date.parse(a.start), endMs: Date.parse(a.end) });
    }
    this.falsePositives.clear();
    for (const m of signatures) this.falsePositives.add(m);
    this.marked = units;
  }

  /** Pings storage; readiness is synchronous, so it reads the outcome of the last ping. */
  async checkStorage(): Promise<boolean> {
    try {
      await this.o.storage.ping();
      this.storageError = null;
    } catch (err) {
      this.storageError = (err as Error).message.split('\n')[0]!;
    }
    return this.storageError === null;
  }

  async health(): Promise<Health> {
    const p = this.o.pipeline;
    let storage = this.o.storage.kind;
    if (!(await this.checkStorage())) storage += ' (down)';
    const ready = this.readiness().ready;
    return {
      status: ready ? 'ok' : 'degraded',
      version: this.o.version,
      ready,
      model: {
        state: p.state,
        version: p.modelVersion,
        baselineProgress: Math.round(p.baselineProgress * 1000) / 1000,
      },
      storage,
      uptimeSeconds: Math.round((Date.now() - this.o.startedAt) / 1000),
    };
  }

  readiness(): { ready: boolean; reason?: string } {
    const p = this.o.pipeline;
    if (p.failure) return { ready: false, reason: `pipeline failed, restarting: ${p.failure}` };
    if (this.storageError) return { ready: false, reason: `storage down: ${this.storageError}` };
    // A retrain keeps scoring with the active model: still ready.
    if (p.state === 'active' || p.activeScorer) return { ready: true };
    if (p.state === 'training') return { ready: false, reason: 'training the first model' };
    const why = p.lastError ? `; last training failed: ${p.lastError}` : '';
    return { ready: false, reason: `collecting a baseline (${Math.round(p.baselineProgress * 100)}%)${why}` };
  }

  listAnomalies: ApiBackend['listAnomalies'] = (q) => this.o.storage.listAnomalies(q);
  getAnomaly: ApiBackend['getAnomaly'] = (id) => this.o.storage.getAnomaly(id);

  setFeedback: ApiBackend['setFeedback'] = async (id, body, actor) => {
    const a = await this.o.storage.setFeedback(id, body, actor);
    if (a) await this.feedbackChanged(id, body.label);
    return a;
  };

  clearFeedback: ApiBackend['clearFeedback'] = async (id, actor) => {
    const a = await this.o.storage.clearFeedback(id, actor);
    if (a) await this.feedbackChanged(id);
    return a;
  };

  private async feedbackChanged(id: string, marked?: FeedbackBody['label']): Promise<void> {
    if (marked) this.o.feedbackMarked?.(marked);
    await this.reloadFeedback();
    await this.announce('feedback', id);
  }

  listStreams: ApiBackend['listStreams'] = async () => ({
    items: (await this.o.storage.listStreams()).map((s) => ({
      ...s,
      late: this.o.pipeline.lateLines.get(s.stream) ?? 0,
    })),
  });
  listTemplates: ApiBackend['listTemplates'] = (q) => this.o.storage.listTemplates(q);

  getThresholds: ApiBackend['getThresholds'] = async () => ({
    global: this.o.thresholds.globalOrDefault(),
    // fromEntries defines own keys, so a stream named `__proto__` is in the answer too.
    streams: Object.fromEntries(this.o.thresholds.streams),
  });

  putGlobalThreshold: ApiBackend['putGlobalThreshold'] = async (t, actor) => {
    const saved = await this.o.storage.putGlobalThreshold(t, actor);
    this.o.thresholds.global = saved;
    await this.announce('thresholds', 'global');
    return saved;
  };

  putStreamThreshold: ApiBackend['putStreamThreshold'] = async (stream, t, actor) => {
    const saved = await this.o.storage.putStreamThreshold(stream, t, actor);
    this.o.thresholds.streams.set(stream, saved);
    await this.announce('thresholds', stream);
    return saved;
  };

  deleteStreamThreshold: ApiBackend['deleteStreamThreshold'] = async (stream, actor) => {
    const gone = await this.o.storage.deleteStreamThreshold(stream, actor);
    this.o.thresholds.streams.delete(stream);
    await this.announce('thresholds', stream);
    return gone;
  };

  previewThreshold: ApiBackend['previewThreshold'] = async (body) => {
    const to = Date.now();
    const from = to - body.hours * 3_600_000;
    const r = this.o.pipeline.preview(body.stream, from, body.threshold);
    return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), ...r };
  };

  listModels: ApiBackend['listModels'] = async () => {
    const items = await this.o.storage.listModels();
    return { active: items.find((m) => m.active)?.version ?? null, items };
  };

  activateModel: ApiBackend['activateModel'] = async (version, actor) => {
    if (!(await this.o.storage.getModel(version))) return null;
    await this.o.activate(version);
    const m = await this.o.storage.activateModel(version, actor);
    await this.announce('models', version);
    return m;
  };

  rollbackModel: ApiBackend['rollbackModel'] = async (actor) => {
    const m = await this.o.storage.rollbackModel(actor);
    if (m) {
      await this.o.activate(m.version);
      await this.announce('models', m.version);
    }
    return m;
  };

  retrain: ApiBackend['retrain'] = async (actor) => {
    const jobId = `retrain-${Date.now()}`;
    if (this.retraining) return { jobId, state: 'already running' };
    await this.o.storage.appendAudit({ actor, action: 'model.retrain', target: jobId });
    this.retraining = this.o.pipeline.retrain(this.marked).finally(() => (this.retraining = null));
    this.retraining.catch(() => {});
    return { jobId, state: 'training' };
  };

  listAudit: ApiBackend['listAudit'] = (q) => this.o.storage.listAudit(q);

  /** Best effort: the change is stored; a replica that misses it catches up on restart. */
  private async announce(what: Announced, message: string): Promise<void> {
    await this.o.announce?.(what, message).catch(() => {});
  }
}
