import type { AnomalyEvent, Feedback } from '../anomaly-event';
import type { Threshold } from '../api/schemas';
import { dataRecord } from '../data-keys';
import { safeJson } from '../safe-text';
import { AnomalyPartitions } from './anomaly-partitions';
import { writeIsolated } from './isolate-rows';
import type { SqlClient, SqlQueryable } from './sql-client';
import {
  FencedCheckpointError,
  type AnomalyFilter,
  type AuditEntry,
  type AuditRecord,
  type FeedbackEntry,
  type InsertResult,
  type ModelVersion,
  type NewModel,
  type Page,
  type StateData,
  type Storage,
  type StoredState,
  type StreamSummary,
  type TemplateFilter,
  type TemplateInfo,
  type CheckpointExtras,
  type TemplateKey,
  type TemplateUpdate,
  type Thresholds,
  type TrainingStats,
} from './storage';

/** Serialises model activations across replicas (the one-active index would otherwise fail one). */
const MODEL_LOCK = 0x6d6f646c;
const DAY_MS = 86_400_000;

const iso = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
/** Both drivers take JSON most predictably as text cast in SQL; safeJson keeps jsonb from refusing it. */
const json = (v: unknown): string | null => (v === undefined ? null : safeJson(v));

interface AnomalyRow {
  event: Omit<AnomalyEvent, 'feedback'>;
  fb_label: Feedback['label'] | null;
  fb_comment: string | null;
  fb_actor: string | null;
  fb_at: Date | null;
}

const ANOMALY_SELECT = `SELECT a.event, f.label AS fb_label, f.comment AS fb_comment, f.actor AS fb_actor, f.at AS fb_at
  FROM anomalies a LEFT JOIN feedback f ON f.anomaly_id = a.id`;

function toEvent(r: AnomalyRow): AnomalyEvent {
  const feedback: Feedback | null =
    r.fb_label === null
      ? null
      : {
          label: r.fb_label,
          ...(r.fb_comment ? { comment: r.fb_comment } : {}),
          actor: r.fb_actor!,
          at: iso(r.fb_at)!,
        };
  return { ...r.event, feedback };
}

interface ModelRow {
  version: string;
  created_at: Date;
  active: boolean;
  training_stats: TrainingStats;
  evaluation: Record<string, number> | null;
  manifest?: unknown;
}

const toModel = (r: ModelRow): ModelVersion => ({
  version: r.version,
  createdAt: iso(r.created_at)!,
  active: r.active,
  trainingStats: r.training_stats,
  evaluation: r.evaluation,
});

/** The Storage contract in SQL that runs unchanged on PostgreSQL and PGlite. */
export class SqlStorage implements Storage {
  private readonly partitions = new AnomalyPartitions();

  constructor(private readonly db: SqlClient) {}

  /** The migrated connection, for stores of their own tables (API keys). */
  get client(): SqlClient {
    return this.db;
  }

  get kind(): 'postgres' | 'pglite' {
    return this.db.kind;
  }

  async insertAnomalies(events: AnomalyEvent[]): Promise<InsertResult> {
    if (events.length === 0) return { newIds: [] };
    const rows = events.map((e) => {
      const { feedback: _feedback, ...event } = e;
      return {
        id: e.id,
        stream: e.stream,
        unit: e.unit,
        unit_kind: e.unitKind,
        start_time: e.start,
        end_time: e.end,
        score: e.score,
        severity: e.severity,
        model_version: e.modelVersion,
        created_at: e.createdAt,
        event,
      };
    });
    const insert = async () => {
      await this.partitions.ensure(
        this.db,
        events.map((e) => Date.parse(e.start)),
      );
      return this.db.query<{ id: string }>(
        `INSERT INTO anomalies (id, stream, unit, unit_kind, start_time, end_time, score, severity, model_version, created_at, event)
         SELECT id, stream, unit, unit_kind, start_time, end_time, score, severity, model_version, created_at, event
           FROM jsonb_to_recordset($1::text::jsonb) AS r(id text, stream text, unit text, unit_kind text,
             start_time timestamptz, end_time timestamptz, score float8, severity text, model_version text,
             created_at timestamptz, event jsonb)
         ON CONFLICT DO NOTHING RETURNING id`,
        [json(rows)],
      );
    };
    let res;
    try {
      res = await insert();
    } catch (err) {
      // 23514: no partition for a row; another replica's retention dropped one this process still remembers.
      if ((err as { code?: string }).code !== '23514') throw err;
      this.partitions.forget();
      res = await insert();
    }
    return { newIds: res.rows.map((r) => r.id) };
  }

  async listAnomalies(f: AnomalyFilter): Promise<Page<AnomalyEvent>> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (cond: string, v: unknown) => {
      params.push(v);
      where.push(cond.replace('?', `$${params.length}`));
    };
    if (f.stream !== undefined) add('a.stream = ?', f.stream);
    if (f.from !== undefined) add('a.start_time >= ?::timestamptz', f.from);
    if (f.to !== undefined) add('a.start_time <= ?::timestamptz', f.to);
    if (f.minScore !== undefined) add('a.score >= ?', f.minScore);
    if (f.severity !== undefined) add('a.severity = ?', f.severity);
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM anomalies a ${cond}`,
      params,
    );
    const page = await this.db.query<AnomalyRow>(
      `${ANOMALY_SELECT} ${cond} ORDER BY a.start_time DESC, a.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, f.limit, f.offset],
    );
    return { items: page.rows.map(toEvent), total: total.rows[0]!.n };
  }

  async listRaisedSince(since: string, limit: number): Promise<AnomalyEvent[]> {
    const { rows } = await this.db.query<AnomalyRow>(
      `${ANOMALY_SELECT} WHERE a.created_at >= $1::timestamptz ORDER BY a.created_at DESC, a.id LIMIT $2`,
      [since, limit],
    );
    return rows.map(toEvent);
  }

  async getAnomaly(id: string, db: SqlQueryable = this.db): Promise<AnomalyEvent | null> {
    const { rows } = await db.query<AnomalyRow>(`${ANOMALY_SELECT} WHERE a.id = $1 LIMIT 1`, [id]);
    return rows[0] ? toEvent(rows[0]) : null;
  }

  setFeedback(
    id: string,
    fb: { label: Feedback['label']; comment?: string },
    actor: string,
  ): Promise<AnomalyEvent | null> {
    return this.db.transaction(async (tx) => {
      const before = await this.getAnomaly(id, tx);
      if (!before) return null;
      const at = new Date().toISOString();
      await tx.query(
        `INSERT INTO feedback (anomaly_id, stream, unit, start_time, end_time, label, comment, actor, at)
         VALUES ($1, $2, $3, $4::timestamptz, $5::timestamptz, $6, $7, $8, $9::timestamptz)
         ON CONFLICT (anomaly_id) DO UPDATE SET label = EXCLUDED.label, comment = EXCLUDED.comment, actor = EXCLUDED.actor, at = EXCLUDED.at`,
        [id, before.stream, before.unit, before.start, before.end, fb.label, fb.comment ?? null, actor, at],
      );
      const after = (await this.getAnomaly(id, tx))!;
      await this.audit(tx, {
        actor,
        action: 'feedback.set',
        target: `anomaly:${id}`,
        before: before.feedback,
        after: after.feedback,
      });
      return after;
    });
  }

  clearFeedback(id: string, actor: string): Promise<AnomalyEvent | null> {
    return this.db.transaction(async (tx) => {
      const before = await this.getAnomaly(id, tx);
      if (!before) return null;
      await tx.query('DELETE FROM feedback WHERE anomaly_id = $1', [id]);
      if (before.feedback) {
        await this.audit(tx, {
          actor,
          action: 'feedback.clear',
          target: `anomaly:${id}`,
          before: before.feedback,
          after: null,
        });
      }
      return { ...before, feedback: null };
    });
  }

  async listFeedback(opts: { stream?: string; since?: string } = {}): Promise<FeedbackEntry[]> {
    const { rows } = await this.db.query<{
      anomaly_id: string;
      stream: string;
      unit: string;
      start_time: Date;
      end_time: Date;
      label: Feedback['label'];
      comment: string | null;
      actor: string;
      at: Date;
    }>(
      `SELECT * FROM feedback WHERE ($1::text IS NULL OR stream = $1) AND ($2::timestamptz IS NULL OR at >= $2::timestamptz)
        ORDER BY at DESC`,
      [opts.stream ?? null, opts.since ?? null],
    );
    return rows.map((r) => ({
      anomalyId: r.anomaly_id,
      stream: r.stream,
      unit: r.unit,
      start: iso(r.start_time)!,
      end: iso(r.end_time)!,
      label: r.label,
      ...(r.comment ? { comment: r.comment } : {}),
      actor: r.actor,
      at: iso(r.at)!,
    }));
  }

  /** Inside `tx` when given (a checkpoint's transaction), else in a transaction of its own. */
  async upsertTemplates(batch: TemplateUpdate[], tx?: SqlQueryable): Promise<TemplateKey[]> {
    if (batch.length === 0) return [];
    // One row per key: ON CONFLICT DO UPDATE may not touch the same row twice in one statement.
    const merged = new Map<string, MergedTemplate>();
    for (const u of batch) {
      const t = typeof u.seenAt === 'number' ? u.seenAt : Date.parse(u.seenAt);
      const key = `${u.stream}\u0000${u.id}`;
      const m = merged.get(key);
      if (!m) {
        merged.set(key, {
          stream: u.stream,
          id: u.id,
          template: u.template,
          count: u.countDelta,
          first: t,
          last: t,
          example: u.example,
        });
      } else {
        m.template = u.template;
        m.count += u.countDelta;
        m.first = Math.min(m.first, t);
        m.last = Math.max(m.last, t);
      }
    }
    const write = (q: SqlQueryable) =>
      writeIsolated(q, [...merged.values()], (part) =>
        q.query(
          `INSERT INTO templates (stream, id, template, count, first_seen, last_seen, example)
           SELECT stream, id, template, count, first_seen, last_seen, example
             FROM jsonb_to_recordset($1::text::jsonb) AS r(stream text, id text, template text, count bigint,
               first_seen timestamptz, last_seen timestamptz, example text)
           ON CONFLICT (stream, id) DO UPDATE SET
             template = EXCLUDED.template,
             count = templates.count + EXCLUDED.count,
             first_seen = LEAST(templates.first_seen, EXCLUDED.first_seen),
             last_seen = GREATEST(templates.last_seen, EXCLUDED.last_seen)`,
          [json(part.map(templateRow))],
        ),
      );
    const refused = tx ? await write(tx) : await this.db.transaction(write);
    return refused.map(({ stream, id }) => ({ stream, id }));
  }

  async listTemplates(f: TemplateFilter): Promise<Page<TemplateInfo>> {
    const search = f.search ? `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    const base = `WITH active AS (SELECT max(created_at) AS at FROM models WHERE active)
      SELECT t.*, COALESCE(t.first_seen > active.at, false) AS is_new FROM templates t CROSS JOIN active
       WHERE ($1::text IS NULL OR t.stream = $1) AND ($2::text IS NULL OR t.template ILIKE $2)`;
    const filtered = `SELECT * FROM (${base}) x WHERE (NOT $3::boolean OR is_new)`;
    const params = [f.stream ?? null, search, f.onlyNew ?? false];
    const total = await this.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (${filtered}) y`,
      params,
    );
    const { rows } = await this.db.query<{
      stream: string;
      id: string;
      template: string;
      count: string | number;
      first_seen: Date;
      last_seen: Date;
      example: string;
      is_new: boolean;
    }>(`${filtered} ORDER BY count DESC, stream, id LIMIT $4 OFFSET $5`, [...params, f.limit, f.offset]);
    return {
      total: total.rows[0]!.n,
      items: rows.map((r) => ({
        id: r.id,
        stream: r.stream,
        template: r.template,
        count: Number(r.count),
        firstSeen: iso(r.first_seen)!,
        lastSeen: iso(r.last_seen)!,
        example: r.example,
        isNew: r.is_new,
      })),
    };
  }

  async getThresholds(): Promise<Thresholds> {
    const { rows } = await this.db.query<{ scope: string; stream: string; threshold: Threshold }>(
      'SELECT scope, stream, threshold FROM thresholds ORDER BY stream',
    );
    // No prototype: a stream named `__proto__` is a key like any other.
    const out: Thresholds = { global: null, streams: dataRecord() };
    for (const r of rows) {
      if (r.scope === 'global') out.global = r.threshold;
      else out.streams[r.stream] = r.threshold;
    }
    return out;
  }

  putGlobalThreshold(t: Threshold, actor: string): Promise<Threshold> {
    return this.putThreshold('global', '', t, actor);
  }

  putStreamThreshold(stream: string, t: Threshold, actor: string): Promise<Threshold> {
    return this.putThreshold('stream', stream, t, actor);
  }

  private putThreshold(
    scope: 'global' | 'stream',
    stream: string,
    t: Threshold,
    actor: string,
  ): Promise<Threshold> {
    return this.db.transaction(async (tx) => {
      const before = await tx.query<{ threshold: Threshold }>(
        'SELECT threshold FROM thresholds WHERE scope = $1 AND stream = $2 FOR UPDATE',
        [scope, stream],
      );
      await tx.query(
        `INSERT INTO thresholds (scope, stream, threshold, updated_at) VALUES ($1, $2, $3::text::jsonb, now())
         ON CONFLICT (scope, stream) DO UPDATE SET threshold = EXCLUDED.threshold, updated_at = EXCLUDED.updated_at`,
        [scope, stream, json(t)],
      );
      await this.audit(tx, {
        actor,
        action: 'threshold.put',
        target: scope === 'global' ? 'threshold:global' : `threshold:stream:${stream}`,
        before: before.rows[0]?.threshold ?? null,
        after: t,
      });
      return t;
    });
  }

  deleteStreamThreshold(stream: string, actor: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ threshold: Threshold }>(
        `DELETE FROM thresholds WHERE scope = 'stream' AND stream = $1 RETURNING threshold`,
        [stream],
      );
      if (!rows[0]) return false;
      await this.audit(tx, {
        actor,
        action: 'threshold.delete',
        target: `threshold:stream:${stream}`,
        before: rows[0].threshold,
        after: null,
      });
      return true;
    });
  }

  registerModel(m: NewModel, actor: string): Promise<ModelVersion> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<ModelRow>(
        `INSERT INTO models (version, created_at, active, manifest, training_stats, evaluation)
         VALUES ($1, $2::timestamptz, false, $3::text::jsonb, $4::text::jsonb, $5::text::jsonb) RETURNING *`,
        [m.version, m.createdAt, json(m.manifest ?? null), json(m.trainingStats), json(m.evaluation)],
      );
      const model = toModel(rows[0]!);
      await this.audit(tx, {
        actor,
        action: 'model.register',
        target: `model:${m.version}`,
        before: null,
        after: model,
      });
      return model;
    });
  }

  async listModels(): Promise<ModelVersion[]> {
    const { rows } = await this.db.query<ModelRow>(
      'SELECT version, created_at, active, training_stats, evaluation FROM models ORDER BY created_at DESC, version DESC',
    );
    return rows.map(toModel);
  }

  async getModel(version: string): Promise<(ModelVersion & { manifest: unknown }) | null> {
    const { rows } = await this.db.query<ModelRow>('SELECT * FROM models WHERE version = $1', [version]);
    return rows[0] ? { ...toModel(rows[0]), manifest: rows[0].manifest } : null;
  }

  async getActiveModel(db: SqlQueryable = this.db): Promise<ModelVersion | null> {
    const { rows } = await db.query<ModelRow>(
      'SELECT version, created_at, active, training_stats, evaluation FROM models WHERE active',
    );
    return rows[0] ? toModel(rows[0]) : null;
  }

  activateModel(version: string, actor: string): Promise<ModelVersion | null> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MODEL_LOCK]);
      return this.activate(tx, version, actor, 'model.activate');
    });
  }

  rollbackModel(actor: string): Promise<ModelVersion | null> {
    return this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MODEL_LOCK]);
      const current = await this.getActiveModel(tx);
      // The latest activation still in effect of another version that still exists.
      const { rows } = await tx.query<{ version: string; seq: string }>(
        `SELECT h.version, h.seq FROM model_activations h JOIN models m ON m.version = h.version
          WHERE h.version <> $1 AND NOT h.undone ORDER BY h.seq DESC LIMIT 1`,
        [current?.version ?? ''],
      );
      const target = rows[0];
      if (!target) return null;
      // Everything activated after it is rolled back over: the next rollback goes further back.
      await tx.query('UPDATE model_activations SET undone = true WHERE seq > $1', [target.seq]);
      return this.activate(tx, target.version, actor, 'model.rollback');
    });
  }

  private async activate(
    tx: SqlQueryable,
    version: string,
    actor: string,
    action: string,
  ): Promise<ModelVersion | null> {
    const before = await this.getActiveModel(tx);
    const exists = await tx.query('SELECT 1 FROM models WHERE version = $1', [version]);
    if (exists.rows.length === 0) return null;
    // Deactivate first: the one-active unique index is checked per statement.
    await tx.query('UPDATE models SET active = false WHERE active AND version <> $1', [version]);
    const { rows } = await tx.query<ModelRow>(
      'UPDATE models SET active = true WHERE version = $1 RETURNING version, created_at, active, training_stats, evaluation',
      [version],
    );
    await tx.query('INSERT INTO model_activations (version, actor, at) VALUES ($1, $2, now())', [
      version,
      actor,
    ]);
    await this.audit(tx, {
      actor,
      action,
      target: `model:${version}`,
      before: { active: before?.version ?? null },
      after: { active: version },
    });
    return toModel(rows[0]!);
  }

  deleteModel(version: string, actor: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<ModelRow>('SELECT * FROM models WHERE version = $1 FOR UPDATE', [
        version,
      ]);
      const row = rows[0];
      if (!row) return false;
      if (row.active) throw new Error(`model ${version} is active; activate another before deleting it`);
      await tx.query('DELETE FROM models WHERE version = $1', [version]);
      await this.audit(tx, {
        actor,
        action: 'model.delete',
        target: `model:${version}`,
        before: toModel(row),
        after: null,
      });
      return true;
    });
  }

  appendAudit(entry: AuditRecord): Promise<void> {
    return this.audit(this.db, entry);
  }

  private async audit(db: SqlQueryable, e: AuditRecord): Promise<void> {
    await db.query(
      `INSERT INTO audit (at, actor, action, target, before, after) VALUES (now(), $1, $2, $3, $4::text::jsonb, $5::text::jsonb)`,
      [e.actor, e.action, e.target, json(e.before ?? null), json(e.after ?? null)],
    );
  }

  async listAudit(page: { limit: number; offset: number }): Promise<Page<AuditEntry>> {
    const total = await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit');
    const { rows } = await this.db.query<{
      id: string | number;
      at: Date;
      actor: string;
      action: string;
      target: string;
      before: unknown;
      after: unknown;
    }>('SELECT * FROM audit ORDER BY id DESC LIMIT $1 OFFSET $2', [page.limit, page.offset]);
    return {
      total: total.rows[0]!.n,
      items: rows.map((r) => ({ ...r, id: String(r.id), at: iso(r.at)! })),
    };
  }

  async saveState(stream: string, kind: string, data: StateData, db: SqlQueryable = this.db): Promise<void> {
    const bytes = data instanceof Uint8Array;
    await db.query(
      `INSERT INTO stream_state (stream, kind, json, bytes, updated_at) VALUES ($1, $2, $3::text::jsonb, $4, now())
       ON CONFLICT (stream, kind) DO UPDATE SET json = EXCLUDED.json, bytes = EXCLUDED.bytes, updated_at = EXCLUDED.updated_at`,
      [stream, kind, bytes ? null : json(data), bytes ? data : null],
    );
  }

  async loadState(stream: string, kind: string): Promise<StoredState | null> {
    const { rows } = await this.db.query<StateRow>(
      'SELECT * FROM stream_state WHERE stream = $1 AND kind = $2',
      [stream, kind],
    );
    return rows[0] ? toState(rows[0]) : null;
  }

  async listStates(kind: string): Promise<(StoredState & { stream: string })[]> {
    const { rows } = await this.db.query<StateRow>(
      'SELECT * FROM stream_state WHERE kind = $1 ORDER BY stream',
      [kind],
    );
    return rows.map((r) => ({ stream: r.stream, ...toState(r) }));
  }

  async getOffset<T = unknown>(key: string): Promise<T | null> {
    const { rows } = await this.db.query<{ value: T }>('SELECT value FROM offsets WHERE key = $1', [key]);
    return rows[0] ? rows[0].value : null;
  }

  async saveCheckpoint(
    kind: string,
    states: Record<string, StateData | null>,
    offsets: Record<string, unknown>,
    { stale, templates = [] }: CheckpointExtras = {},
  ): Promise<TemplateKey[]> {
    return this.db.transaction(async (tx) => {
      const keys = Object.keys(offsets);
      if (stale && keys.length > 0) {
        // Locked until commit, so two writers of one position cannot both pass the check.
        const { rows } = await tx.query<{ key: string; value: unknown }>(
          'SELECT key, value FROM offsets WHERE key = ANY($1) FOR UPDATE',
          [keys],
        );
        const fenced = rows.filter((r) => stale(r.key, r.value, offsets[r.key])).map((r) => r.key);
        if (fenced.length) throw new FencedCheckpointError(fenced);
      }
      for (const [stream, data] of Object.entries(states)) {
        if (data) await this.saveState(stream, kind, data, tx);
        else await tx.query('DELETE FROM stream_state WHERE stream = $1 AND kind = $2', [stream, kind]);
      }
      for (const [key, value] of Object.entries(offsets)) await this.setOffset(key, value, tx);
      return this.upsertTemplates(templates, tx);
    });
  }

  async setOffset(key: string, value: unknown, db: SqlQueryable = this.db): Promise<void> {
    await db.query(
      `INSERT INTO offsets (key, value, updated_at) VALUES ($1, $2::text::jsonb, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`,
      [key, json(value)],
    );
  }

  async listStreams(): Promise<StreamSummary[]> {
    const { rows } = await this.db.query<{
      stream: string;
      records: number | null;
      anomalies: number | null;
      templates: number | null;
      last_seen: Date | null;
      score: number | null;
    }>(
      `SELECT s.stream, t.records, a.anomalies, t.templates, t.last_seen, la.score
         FROM (SELECT stream FROM templates UNION SELECT stream FROM anomalies) s
         LEFT JOIN (SELECT stream, sum(count)::float8 AS records, count(*)::int AS templates, max(last_seen) AS last_seen
                      FROM templates GROUP BY stream) t ON t.stream = s.stream
         LEFT JOIN (SELECT stream, count(*)::int AS anomalies FROM anomalies GROUP BY stream) a ON a.stream = s.stream
         LEFT JOIN LATERAL (SELECT score FROM anomalies x WHERE x.stream = s.stream ORDER BY start_time DESC LIMIT 1) la ON true
        ORDER BY s.stream`,
    );
    return rows.map((r) => ({
      stream: r.stream,
      records: r.records ?? 0,
      anomalies: r.anomalies ?? 0,
      templates: r.templates ?? 0,
      lastSeen: iso(r.last_seen),
      score: r.score,
    }));
  }

  applyRetention(days: number, now = new Date()): Promise<string[]> {
    return this.partitions.dropBefore(this.db, now.getTime() - days * DAY_MS);
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

interface MergedTemplate {
  stream: string;
  id: string;
  template: string;
  count: number;
  first: number;
  last: number;
  example: string;
}

/** Throws RangeError for a time that is no date: writeIsolated then leaves that row out. */
const templateRow = (m: MergedTemplate) => ({
  stream: m.stream,
  id: m.id,
  template: m.template,
  count: m.count,
  first_seen: new Date(m.first).toISOString(),
  last_seen: new Date(m.last).toISOString(),
  example: m.example,
});

interface StateRow {
  stream: string;
  json: StateData | null;
  bytes: Uint8Array | null;
  updated_at: Date;
}

function toState(r: StateRow): StoredState {
  // pg hands bytea back as a Buffer, PGlite as a Uint8Array: callers get a plain Uint8Array from both.
  const data = r.bytes ? Uint8Array.from(r.bytes) : r.json!;
  return { data, updatedAt: iso(r.updated_at)! };
}
