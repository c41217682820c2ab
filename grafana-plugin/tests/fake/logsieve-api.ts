// An in-memory implementation of the documented REST API (docs/rest-api.md) for unit tests and for
// the browser stand-in test. It answers like the contract says; the real service replaces it in
// tests/browser.test.ts.
import {
  MODEL_NAMES,
  type Anomaly,
  type AuditEntry,
  type ModelName,
  type ModelVersion,
  type Severity,
  type TemplateInfo,
  type Threshold,
} from '../../src/api/types';

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: unknown;
}
export interface FakeResponse {
  status: number;
  body?: unknown;
}

export interface FakeState {
  anomalies: Anomaly[];
  templates: TemplateInfo[];
  global: Threshold;
  streams: Record<string, Threshold>;
  models: ModelVersion[];
  previousActive: string[];
  audit: AuditEntry[];
  actor: string;
  accepted: number;
}

const STREAMS = ['checkout', 'payments', 'auth'];

export function defaultThreshold(): Threshold {
  const models = {} as Threshold['models'];
  for (const m of MODEL_NAMES) models[m] = { enabled: true, weight: 1 };
  return { falseAlarmRate: 0.001, minScore: 75, models };
}

export function severityOf(score: number): Severity {
  return score >= 90 ? 'critical' : score >= 75 ? 'warning' : 'info';
}

/** A deterministic data set around `now`: 3 streams, 36 anomalies over the last 24 h, templates, 2 models. */
export function seedState(now = Date.now()): FakeState {
  const anomalies: Anomaly[] = [];
  for (let i = 0; i < 36; i++) {
    const stream = STREAMS[i % STREAMS.length];
    const start = new Date(now - (i + 1) * 40 * 60_000);
    start.setUTCSeconds(0, 0);
    const end = new Date(start.getTime() + 60_000);
    const score = 60 + ((i * 37) % 40);
    const models = {} as Record<ModelName, number>;
    MODEL_NAMES.forEach((m, j) => (models[m] = Math.min(100, Math.max(0, score - 10 + ((i + j * 7) % 20)))));
    const template = `${stream} request <*> failed: upstream timeout after <*> ms`;
    anomalies.push({
      id: `a${String(i).padStart(3, '0')}`,
      stream,
      unit: `${start.toISOString().replace('.000', '')}/60s`,
      unitKind: 'window',
      start: start.toISOString(),
      end: end.toISOString(),
      score,
      severity: severityOf(score),
      models,
      explanation: {
        summary: `${stream}: "${template}" appeared ${12 + i} times where about 1 was expected`,
        topTemplates: [
          { templateId: `${stream}-t7`, template, count: 12 + i, expected: 1, contribution: 0.6 },
          {
            templateId: `${stream}-t2`,
            template: `${stream} GET <*> 200`,
            count: 40,
            expected: 120,
            contribution: 0.2,
          },
        ],
        topFeatures: [{ feature: 'error_rate', value: 0.4, expected: 0.01, contribution: 0.3 }],
        unexpectedEvents: [
          {
            templateId: `${stream}-t9`,
            template: `${stream} circuit breaker <*> opened`,
            probability: 0.0004,
            line: `${stream} circuit breaker db opened`,
          },
        ],
      },
      sampleLines: [
        `${stream} request 8812 failed: upstream timeout after 3000 ms`,
        `${stream} circuit breaker db opened`,
      ],
      traceIds: i % 2 ? [`4bf92f3577b34da6a3ce929d0e0e${String(4736 + i)}`] : [],
      modelVersion: 'v2',
      createdAt: end.toISOString(),
      feedback: null,
    });
  }
  const templates: TemplateInfo[] = [];
  STREAMS.forEach((stream, s) => {
    [
      'GET <*> 200 in <*> ms',
      'user <*> logged in',
      'request <*> failed: upstream timeout after <*> ms',
      'circuit breaker <*> opened',
    ].forEach((t, j) =>
      templates.push({
        id: `${stream}-t${j}`,
        stream,
        template: `${stream} ${t}`,
        count: Math.round(50_000 / (j + 1) ** 3) + s,
        firstSeen: new Date(now - (j === 3 ? 2 : 72) * 3600_000).toISOString(),
        lastSeen: new Date(now - j * 60_000).toISOString(),
        example: `${stream} ${t.replaceAll('<*>', '42')}`,
        isNew: j === 3,
      }),
    );
  });
  const stats = (units: number) => ({ units, lines: units * 180, templates: 12, streams: 3, seconds: 41.5 });
  const models: ModelVersion[] = [
    {
      version: 'v2',
      createdAt: new Date(now - 3 * 3600_000).toISOString(),
      active: true,
      trainingStats: stats(1440),
      evaluation: {
        isolation_forest: 0.0012,
        one_class_svm: 0.002,
        lof: 0.0009,
        autoencoder: 0.0011,
        lstm: 0.0015,
      },
    },
    {
      version: 'v1',
      createdAt: new Date(now - 27 * 3600_000).toISOString(),
      active: false,
      trainingStats: stats(720),
      evaluation: null,
    },
  ];
  return {
    anomalies,
    templates,
    global: defaultThreshold(),
    streams: { payments: { ...defaultThreshold(), minScore: 85 } },
    models,
    previousActive: ['v1'],
    audit: [
      {
        id: 'au1',
        at: new Date(now - 5 * 3600_000).toISOString(),
        actor: 'alice',
        action: 'threshold.update',
        target: 'streams/payments',
        before: { minScore: 75 },
        after: { minScore: 85 },
      },
    ],
    actor: 'grafana-app',
    accepted: 0,
  };
}

function err(status: number, error: string, message: string): FakeResponse {
  return { status, body: { error, message } };
}

/** The first field that breaks the Threshold contract, or null. */
export function thresholdFault(t: unknown): string | null {
  const x = t as Partial<Threshold> | null;
  if (!x || typeof x !== 'object') return 'threshold';
  if (typeof x.falseAlarmRate !== 'number' || !(x.falseAlarmRate > 0 && x.falseAlarmRate < 0.5))
    return 'falseAlarmRate';
  if (typeof x.minScore !== 'number' || x.minScore < 0 || x.minScore > 100) return 'minScore';
  if (!x.models || typeof x.models !== 'object') return 'models';
  for (const m of MODEL_NAMES) {
    const s = x.models[m];
    if (!s || typeof s.enabled !== 'boolean') return `models.${m}.enabled`;
    if (typeof s.weight !== 'number' || s.weight < 0 || s.weight > 10) return `models.${m}.weight`;
  }
  return null;
}

function page<T>(items: T[], q: Record<string, string>, defLimit = 50): { items: T[]; total: number } {
  const limit = Math.min(500, Number(q.limit ?? defLimit));
  const offset = Number(q.offset ?? 0);
  return { items: items.slice(offset, offset + limit), total: items.length };
}

function record(state: FakeState, action: string, target: string, before: unknown, after: unknown): void {
  state.audit.unshift({
    id: `au${state.audit.length + 1}`,
    at: new Date().toISOString(),
    actor: state.actor,
    action,
    target,
    before,
    after,
  });
}

function streamsSummary(state: FakeState) {
  return STREAMS.map((stream) => {
    const mine = state.anomalies.filter((a) => a.stream === stream);
    return {
      stream,
      records: 10_000 + mine.length * 100,
      anomalies: mine.length,
      templates: state.templates.filter((t) => t.stream === stream).length,
      lastSeen: new Date().toISOString(),
      score: mine[0]?.score ?? 0,
      // One stream whose producer delivers late (lines after their window had closed).
      late: stream === 'payments' ? 42 : 0,
    };
  }).sort((a, b) => b.anomalies - a.anomalies);
}

/** Answers one request as the documented API would. */
export function handle(state: FakeState, req: FakeRequest): FakeResponse {
  const { method, query: q } = req;
  const parts = req.path
    .replace(/^\/api\/v1/, '')
    .split('/')
    .filter(Boolean)
    .map(decodeURIComponent);
  const route = `${method} /${parts.join('/')}`;
  const [head, id, tail] = parts;

  if (route === 'GET /health')
    return {
      status: 200,
      body: {
        status: 'ok',
        version: '0.1.0',
        ready: true,
        model: { state: 'active', version: 'v2', baselineProgress: 1 },
        storage: 'memory',
        uptimeSeconds: 12,
      },
    };
  if (head === 'anomalies') {
    if (method === 'GET' && !id) {
      let items = state.anomalies.slice().sort((a, b) => b.start.localeCompare(a.start));
      if (q.stream) items = items.filter((a) => a.stream === q.stream);
      if (q.severity) items = items.filter((a) => a.severity === q.severity);
      if (q.minScore) items = items.filter((a) => a.score >= Number(q.minScore));
      if (q.from) items = items.filter((a) => a.start >= q.from);
      if (q.to) items = items.filter((a) => a.start <= q.to);
      return { status: 200, body: page(items, q) };
    }
    const a = state.anomalies.find((x) => x.id === id);
    if (!a) return err(404, 'not_found', `anomaly ${id} not found`);
    if (method === 'GET' && !tail) return { status: 200, body: a };
    if (tail === 'feedback' && method === 'POST') {
      const body = req.body as { label?: string; comment?: string };
      if (body?.label !== 'false_positive' && body?.label !== 'true_positive')
        return err(400, 'invalid', 'label: expected false_positive or true_positive');
      a.feedback = {
        label: body.label,
        comment: body.comment,
        actor: state.actor,
        at: new Date().toISOString(),
      };
      record(state, 'feedback.create', `anomalies/${a.id}`, null, a.feedback);
      return { status: 201, body: a };
    }
    if (tail === 'feedback' && method === 'DELETE') {
      record(state, 'feedback.delete', `anomalies/${a.id}`, a.feedback, null);
      a.feedback = null;
      return { status: 200, body: a };
    }
  }
  if (route === 'GET /streams') return { status: 200, body: { items: streamsSummary(state) } };
  if (route === 'GET /templates') {
    let items = state.templates.slice().sort((a, b) => b.count - a.count);
    if (q.stream) items = items.filter((t) => t.stream === q.stream);
    if (q.search) items = items.filter((t) => t.template.toLowerCase().includes(q.search.toLowerCase()));
    if (q.onlyNew === 'true') items = items.filter((t) => t.isNew);
    return { status: 200, body: page(items, q) };
  }
  if (head === 'thresholds') {
    if (route === 'GET /thresholds')
      return { status: 200, body: { global: state.global, streams: state.streams } };
    if (route === 'POST /thresholds/preview') {
      const body = req.body as { stream?: string; threshold: Threshold; hours?: number };
      const fault = thresholdFault(body?.threshold);
      if (fault) return err(400, 'invalid', `threshold.${fault}: out of range`);
      const hours = body.hours ?? 24;
      const to = new Date();
      const from = new Date(to.getTime() - hours * 3600_000);
      const inRange = state.anomalies.filter(
        (a) => (!body.stream || a.stream === body.stream) && a.start >= from.toISOString(),
      );
      const current = body.stream ? (state.streams[body.stream] ?? state.global) : state.global;
      return {
        status: 200,
        body: {
          from: from.toISOString(),
          to: to.toISOString(),
          units: inRange.length * 40,
          current: inRange.filter((a) => a.score >= current.minScore).length,
          proposed: inRange.filter((a) => a.score >= body.threshold.minScore).length,
        },
      };
    }
    if (method === 'PUT' || method === 'DELETE') {
      const fault = method === 'PUT' ? thresholdFault(req.body) : null;
      if (fault) return err(400, 'invalid', `${fault}: out of range`);
      if (id === 'global' && method === 'PUT') {
        record(state, 'threshold.update', 'global', state.global, req.body);
        state.global = req.body as Threshold;
        return { status: 200, body: state.global };
      }
      if (id === 'streams' && tail) {
        if (method === 'DELETE') {
          record(state, 'threshold.delete', `streams/${tail}`, state.streams[tail] ?? null, null);
          delete state.streams[tail];
          return { status: 204 };
        }
        record(state, 'threshold.update', `streams/${tail}`, state.streams[tail] ?? null, req.body);
        state.streams[tail] = req.body as Threshold;
        return { status: 200, body: state.streams[tail] };
      }
    }
  }
  if (head === 'models') {
    if (route === 'GET /models')
      return {
        status: 200,
        body: { active: state.models.find((m) => m.active)?.version ?? null, items: state.models },
      };
    if (route === 'POST /models/retrain') return { status: 202, body: { jobId: 'job-1', state: 'queued' } };
    const activate = (version: string) => {
      const before = state.models.find((m) => m.active)?.version ?? null;
      state.models.forEach((m) => (m.active = m.version === version));
      record(state, 'model.activate', `models/${version}`, before, version);
      return before;
    };
    if (route === 'POST /models/rollback') {
      const prev = state.previousActive.pop();
      if (!prev) return err(409, 'conflict', 'no previous model version');
      activate(prev);
      return { status: 200, body: state.models.find((m) => m.version === prev) };
    }
    if (method === 'POST' && tail === 'activate') {
      const m = state.models.find((x) => x.version === id);
      if (!m) return err(404, 'not_found', `model ${id} not found`);
      const before = activate(id);
      if (before && before !== id) state.previousActive.push(before);
      return { status: 200, body: m };
    }
  }
  if (route === 'GET /audit') return { status: 200, body: page(state.audit, q) };
  if (route === 'POST /logs') {
    const n = Array.isArray(req.body) ? req.body.length : 0;
    state.accepted += n;
    return { status: 202, body: { accepted: n, rejected: 0 } };
  }
  return err(404, 'not_found', `no route ${route}`);
}
