import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../anomaly-event';
import { severityForScore } from '../anomaly-event';
import type { Threshold } from '../api/schemas';
import { loadMigrations, migrate } from './migrate';
import { PgClient } from './pg-client';
import { PgliteClient } from './pglite-client';
import type { SqlClient } from './sql-client';
import { SqlStorage } from './sql-storage';
import { createTestSchema, type TestSchema } from './testing/test-postgres';

const pgSchema = await createTestSchema();
if (typeof pgSchema === 'string') console.warn(`skipping PostgreSQL storage tests: ${pgSchema}`);
const pgTarget = typeof pgSchema === 'string' ? null : pgSchema;

const DAY = 86_400_000;

function event(id: string, stream: string, startMs: number, score: number): AnomalyEvent {
  const start = new Date(startMs).toISOString();
  return {
    id,
    stream,
    unit: `${start}/60s`,
    unitKind: 'window',
    start,
    end: new Date(startMs + 60_000).toISOString(),
    score,
    severity: severityForScore(score),
    models: { isolation_forest: score, one_class_svm: 1, lof: 2, autoencoder: 3, lstm: 4 },
    explanation: { summary: `burst in ${stream}`, topTemplates: [], topFeatures: [], unexpectedEvents: [] },
    sampleLines: ['ERROR boom'],
    traceIds: [],
    modelVersion: 'v1',
    createdAt: new Date(startMs + 61_000).toISOString(),
    feedback: null,
  };
}

function threshold(minScore: number): Threshold {
  const on = { enabled: true, weight: 1 };
  return {
    falseAlarmRate: 0.001,
    minScore,
    models: {
      isolation_forest: on,
      one_class_svm: on,
      lof: on,
      autoencoder: on,
      lstm: { enabled: false, weight: 0 },
    },
  };
}

// One database per backend for the whole file: PGlite takes seconds to start.
const backends: { name: string; skip: boolean; connect: () => Promise<SqlClient> }[] = [
  { name: 'pglite', skip: false, connect: () => PgliteClient.open() },
  {
    name: 'postgres',
    skip: pgTarget === null,
    connect: async () => new PgClient({ url: pgTarget!.url, schema: pgTarget!.schema }),
  },
];

afterAll(async () => {
  await pgTarget?.drop();
});

describe.each(backends)('SqlStorage on $name', ({ skip, connect }) => {
  let db: SqlClient;
  let s: SqlStorage;
  let firstMigration: number[];
  const now = Date.UTC(2026, 10, 24, 10, 0, 0);

  beforeAll(async () => {
    if (skip) return;
    db = await connect();
    firstMigration = await migrate(db);
    s = new SqlStorage(db);
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  it.skipIf(skip)('migrates a fresh database once; running migrations again changes nothing', async () => {
    expect(firstMigration).toEqual((await loadMigrations()).map((m) => m.version));
    expect(await migrate(db)).toEqual([]);
  });

  it.skipIf(skip)('stores each anomaly once: a replay reports no new ids', async () => {
    const batch = [
      event('a1', 'api', now, 95),
      event('a2', 'api', now - DAY, 80),
      event('a3', 'db', now, 60),
    ];
    expect((await s.insertAnomalies(batch)).newIds.sort()).toEqual(['a1', 'a2', 'a3']);
    const replay = await s.insertAnomalies([...batch, event('a4', 'db', now + 60_000, 99)]);
    expect(replay.newIds).toEqual(['a4']);
    expect((await s.listAnomalies({ limit: 50, offset: 0, stream: 'api' })).total).toBe(2);
    expect(await s.getAnomaly('a1')).toEqual(batch[0]);
    expect(await s.getAnomaly('missing')).toBeNull();
  });

  it.skipIf(skip)('lists anomalies raised since a time by detection time, newest first', async () => {
    // createdAt is start + 61 s: a4 at now+121 s, a1 and a3 at now+61 s, a2 a day earlier.
    const since = (ms: number, limit = 50) =>
      s.listRaisedSince(new Date(ms).toISOString(), limit).then((l) => l.map((e) => e.id));
    expect(await since(now)).toEqual(['a4', 'a1', 'a3']);
    expect(await since(now + 100_000)).toEqual(['a4']);
    expect(await since(now - 2 * DAY, 2)).toEqual(['a4', 'a1']);
  });

  it.skipIf(skip)('filters anomalies and pages them newest first', async () => {
    const all = await s.listAnomalies({ limit: 50, offset: 0 });
    expect(all.items.map((e) => e.id)).toEqual(['a4', 'a1', 'a3', 'a2']);
    expect((await s.listAnomalies({ limit: 50, offset: 0, minScore: 80 })).items.map((e) => e.id)).toEqual([
      'a4',
      'a1',
      'a2',
    ]);
    expect(
      (await s.listAnomalies({ limit: 50, offset: 0, severity: 'critical' })).items.map((e) => e.id),
    ).toEqual(['a4', 'a1']);
    const window = await s.listAnomalies({
      limit: 50,
      offset: 0,
      from: new Date(now - DAY / 2).toISOString(),
      to: new Date(now).toISOString(),
    });
    expect(window.items.map((e) => e.id)).toEqual(['a1', 'a3']);
    const page = await s.listAnomalies({ limit: 2, offset: 2 });
    expect(page).toMatchObject({ total: 4 });
    expect(page.items.map((e) => e.id)).toEqual(['a3', 'a2']);
  });

  it.skipIf(skip)('sets and clears feedback with an audit row for each change', async () => {
    const withFb = await s.setFeedback('a1', { label: 'false_positive', comment: 'deploy' }, 'alice');
    expect(withFb?.feedback).toMatchObject({ label: 'false_positive', comment: 'deploy', actor: 'alice' });
    expect((await s.getAnomaly('a1'))?.feedback?.label).toBe('false_positive');
    expect(await s.listFeedback({ stream: 'api' })).toEqual([
      expect.objectContaining({
        anomalyId: 'a1',
        label: 'false_positive',
        stream: 'api',
        start: new Date(now).toISOString(),
      }),
    ]);
    const audit = await s.listAudit({ limit: 1, offset: 0 });
    expect(audit.items[0]).toMatchObject({
      actor: 'alice',
      action: 'feedback.set',
      target: 'anomaly:a1',
      before: null,
    });
    expect((await s.clearFeedback('a1', 'bob'))?.feedback).toBeNull();
    expect((await s.getAnomaly('a1'))?.feedback).toBeNull();
    expect((await s.listAudit({ limit: 1, offset: 0 })).items[0]).toMatchObject({
      actor: 'bob',
      action: 'feedback.clear',
      before: expect.objectContaining({ label: 'false_positive' }),
      after: null,
    });
    expect(await s.setFeedback('missing', { label: 'true_positive' }, 'alice')).toBeNull();
  });

  it.skipIf(skip)('accumulates template counts and first/last seen across batches', async () => {
    await s.upsertTemplates([
      { stream: 'api', id: 't1', template: 'GET <*> 200', countDelta: 5, seenAt: now, example: 'GET /a 200' },
      {
        stream: 'api',
        id: 't1',
        template: 'GET <*> 200',
        countDelta: 2,
        seenAt: now + 1000,
        example: 'GET /b 200',
      },
      {
        stream: 'api',
        id: 't2',
        template: 'disk 100% full',
        countDelta: 1,
        seenAt: now,
        example: 'disk 100% full',
      },
    ]);
    await s.upsertTemplates([
      {
        stream: 'api',
        id: 't1',
        template: 'GET <*> 200',
        countDelta: 3,
        seenAt: now - 5000,
        example: 'GET /c 200',
      },
    ]);
    const page = await s.listTemplates({ stream: 'api', limit: 10, offset: 0 });
    expect(page.total).toBe(2);
    expect(page.items[0]).toEqual({
      id: 't1',
      stream: 'api',
      template: 'GET <*> 200',
      count: 10,
      firstSeen: new Date(now - 5000).toISOString(),
      lastSeen: new Date(now + 1000).toISOString(),
      example: 'GET /a 200',
      isNew: false,
    });
    // '%' is matched literally, not as a wildcard.
    expect((await s.listTemplates({ search: '100%', limit: 10, offset: 0 })).items.map((t) => t.id)).toEqual([
      't2',
    ]);
    expect((await s.listTemplates({ search: '0%f', limit: 10, offset: 0 })).total).toBe(0);
  });

  it.skipIf(skip)('audits threshold changes with before and after', async () => {
    expect(await s.getThresholds()).toEqual({ global: null, streams: {} });
    await s.putGlobalThreshold(threshold(70), 'alice');
    await s.putGlobalThreshold(threshold(75), 'alice');
    await s.putStreamThreshold('api', threshold(90), 'bob');
    expect(await s.getThresholds()).toEqual({ global: threshold(75), streams: { api: threshold(90) } });
    const last = (await s.listAudit({ limit: 2, offset: 0 })).items;
    expect(last[1]).toMatchObject({
      action: 'threshold.put',
      target: 'threshold:global',
      before: threshold(70),
      after: threshold(75),
    });
    expect(last[0]).toMatchObject({ actor: 'bob', target: 'threshold:stream:api', before: null });
    expect(await s.deleteStreamThreshold('api', 'bob')).toBe(true);
    expect(await s.deleteStreamThreshold('api', 'bob')).toBe(false);
    expect((await s.getThresholds()).streams).toEqual({});
  });

  it.skipIf(skip)(
    'keeps exactly one active model, rolls back, and marks templates newer than it',
    async () => {
      const stats = { units: 10, lines: 100, templates: 5, streams: 1, seconds: 2 };
      await s.registerModel(
        {
          version: 'm1',
          createdAt: new Date(now - DAY).toISOString(),
          manifest: { k: 1 },
          trainingStats: stats,
          evaluation: null,
        },
        'ci',
      );
      await s.registerModel(
        {
          version: 'm2',
          createdAt: new Date(now - 1000).toISOString(),
          manifest: { k: 2 },
          trainingStats: stats,
          evaluation: { lof: 0.01 },
        },
        'ci',
      );
      await expect(
        s.registerModel(
          {
            version: 'm2',
            createdAt: new Date(now).toISOString(),
            manifest: {},
            trainingStats: stats,
            evaluation: null,
          },
          'ci',
        ),
      ).rejects.toThrow();
      expect(await s.getActiveModel()).toBeNull();
      expect((await s.listTemplates({ onlyNew: true, limit: 10, offset: 0 })).total).toBe(0);

      await s.activateModel('m1', 'admin');
      expect((await s.activateModel('m2', 'admin'))?.active).toBe(true);
      expect((await s.listModels()).map((m) => [m.version, m.active])).toEqual([
        ['m2', true],
        ['m1', false],
      ]);
      // m2 was created 1 s before `now`; t1 (first seen now - 5 s) is older, t2 (now) is newer.
      expect((await s.listTemplates({ onlyNew: true, limit: 10, offset: 0 })).items.map((t) => t.id)).toEqual(
        ['t2'],
      );

      expect((await s.rollbackModel('admin'))?.version).toBe('m1');
      expect((await s.getActiveModel())?.version).toBe('m1');
      expect((await s.getModel('m2'))?.manifest).toEqual({ k: 2 });
      expect((await s.listAudit({ limit: 1, offset: 0 })).items[0]).toMatchObject({
        action: 'model.rollback',
        before: { active: 'm2' },
        after: { active: 'm1' },
      });
      // Rollback walks back through versions, it does not toggle between the last two.
      await s.registerModel(
        {
          version: 'm3',
          createdAt: new Date(now).toISOString(),
          manifest: {},
          trainingStats: stats,
          evaluation: null,
        },
        'ci',
      );
      await s.activateModel('m2', 'admin');
      await s.activateModel('m3', 'admin');
      expect((await s.rollbackModel('admin'))?.version).toBe('m2');
      expect((await s.rollbackModel('admin'))?.version).toBe('m1');
      expect(await s.rollbackModel('admin')).toBeNull();
      expect((await s.getActiveModel())?.version).toBe('m1');
      expect(await s.activateModel('nope', 'admin')).toBeNull();
      await expect(s.deleteModel('m1', 'admin')).rejects.toThrow(/active/);
      expect(await s.deleteModel('m2', 'admin')).toBe(true);
      expect(await s.rollbackModel('admin')).toBeNull();
    },
  );

  it.skipIf(skip)('round-trips stream state as bytes or JSON, and offsets', async () => {
    const bytes = new Uint8Array([0, 1, 2, 255]);
    await s.saveState('api', 'miner', bytes);
    await s.saveState('db', 'miner', { clusters: [1, 2] });
    await s.saveState('db', 'miner', { clusters: [3] });
    expect((await s.loadState('api', 'miner'))?.data).toEqual(bytes);
    expect((await s.loadState('db', 'miner'))?.data).toEqual({ clusters: [3] });
    expect(await s.loadState('db', 'window')).toBeNull();
    expect((await s.listStates('miner')).map((r) => r.stream)).toEqual(['api', 'db']);

    expect(await s.getOffset('file:/var/log/a')).toBeNull();
    await s.setOffset('file:/var/log/a', { inode: 7, offset: 120, line: 3 });
    await s.setOffset('kafka:otlp_logs:0', '42');
    expect(await s.getOffset('file:/var/log/a')).toEqual({ inode: 7, offset: 120, line: 3 });
    expect(await s.getOffset('kafka:otlp_logs:0')).toBe('42');
  });

  it.skipIf(skip)('stores a checkpoint of states and offsets all together or not at all', async () => {
    await s.saveCheckpoint(
      'ckpt',
      { api: { windows: 1 }, db: { windows: 2 } },
      { 'kafka:g:t:0': { next: '5' } },
    );
    await s.saveCheckpoint('ckpt', { api: { windows: 3 }, db: null }, { 'kafka:g:t:0': { next: '9' } });
    expect((await s.listStates('ckpt')).map((r) => [r.stream, r.data])).toEqual([['api', { windows: 3 }]]);
    expect(await s.getOffset('kafka:g:t:0')).toEqual({ next: '9' });
    // A state that cannot be stored (JSON has no BigInt) rolls the offsets back with it.
    await expect(
      s.saveCheckpoint('ckpt', { api: { bad: 1n } }, { 'kafka:g:t:0': { next: '12' } }),
    ).rejects.toThrow();
    expect(await s.getOffset('kafka:g:t:0')).toEqual({ next: '9' });
    expect((await s.loadState('api', 'ckpt'))?.data).toEqual({ windows: 3 });
  });

  it.skipIf(skip)('summarises streams from templates and anomalies', async () => {
    const streams = await s.listStreams();
    expect(streams).toEqual([
      {
        stream: 'api',
        records: 11,
        anomalies: 2,
        templates: 2,
        lastSeen: new Date(now + 1000).toISOString(),
        score: 95,
      },
      { stream: 'db', records: 0, anomalies: 2, templates: 0, lastSeen: null, score: 99 },
    ]);
  });

  it.skipIf(skip)('drops whole day partitions past retention and recreates them on demand', async () => {
    const old = now - 30 * DAY;
    await s.insertAnomalies([event('old1', 'api', old, 91)]);
    const dropped = await s.applyRetention(14, new Date(now));
    expect(dropped).toEqual(['anomalies_p20261025']);
    expect(await s.getAnomaly('old1')).toBeNull();
    expect(await s.getAnomaly('a2')).not.toBeNull();
    // A late replay of old data gets its partition back instead of failing.
    expect((await s.insertAnomalies([event('old1', 'api', old, 91)])).newIds).toEqual(['old1']);
    await s.ping();
  });
});

describe('on PostgreSQL only', () => {
  describe.skipIf(pgTarget === null)('migrations and partitions', () => {
    let fresh: TestSchema;
    beforeAll(async () => {
      fresh = (await createTestSchema()) as TestSchema;
    });
    afterAll(async () => {
      await fresh?.drop();
    });

    it('run once when replicas start together', async () => {
      const a = new PgClient({ url: fresh.url, schema: fresh.schema });
      const b = new PgClient({ url: fresh.url, schema: fresh.schema });
      try {
        const results = await Promise.all([migrate(a), migrate(b), migrate(a)]);
        expect(results.map((r) => r.length).sort()).toEqual([0, 0, (await loadMigrations()).length]);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('let replicas create the same day partition at the same time', async () => {
      const replicas = [0, 1, 2, 3].map(
        () => new SqlStorage(new PgClient({ url: fresh.url, schema: fresh.schema })),
      );
      try {
        const day = Date.UTC(2027, 2, 3, 4);
        const results = await Promise.all(
          replicas.map((r, i) => r.insertAnomalies([event(`r${i}`, 'api', day + i, 80)])),
        );
        expect(results.flatMap((r) => r.newIds).sort()).toEqual(['r0', 'r1', 'r2', 'r3']);
        expect((await replicas[0]!.listAnomalies({ limit: 10, offset: 0 })).total).toBe(4);
      } finally {
        await Promise.all(replicas.map((r) => r.close()));
      }
    });

    it('honour sslmode from the URL', async () => {
      // The test server speaks no TLS, so requiring it must fail where disabling it works.
      const url = new URL(fresh.url);
      url.searchParams.set('sslmode', 'require');
      const tls = new PgClient({ url: url.toString() });
      await expect(tls.query('SELECT 1')).rejects.toThrow(/SSL/i);
      await tls.close();
      url.searchParams.set('sslmode', 'disable');
      const plain = new PgClient({ url: url.toString() });
      expect((await plain.query<{ x: number }>('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
      await plain.close();
    });
  });
});
