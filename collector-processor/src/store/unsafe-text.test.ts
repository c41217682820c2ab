import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../anomaly-event';
import type { Threshold } from '../api/schemas';
import { migrate } from './migrate';
import { PgClient } from './pg-client';
import { PgliteClient } from './pglite-client';
import type { SqlClient } from './sql-client';
import { SqlStorage } from './sql-storage';
import { createTestSchema } from './testing/test-postgres';

/*
 * Text PostgreSQL cannot hold (U+0000; lone UTF-16 surrogates) is stored with U+FFFD in its place,
 * wherever it comes in: stream names, template text, event JSON and its keys, snapshots, thresholds,
 * audit, feedback. Before, one NUL failed the statement, and with it every later flush.
 */

const pgSchema = await createTestSchema();
if (typeof pgSchema === 'string') console.warn(`skipping PostgreSQL unsafe-text tests: ${pgSchema}`);
const pgTarget = typeof pgSchema === 'string' ? null : pgSchema;

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

const NUL = '\u0000';
const HIGH = '\ud800';
const LOW = '\udc00';
const R = '\ufffd';
/** Paired surrogates are ordinary text and must come back unchanged. */
const EMOJI = '\ud83d\ude00';
const STREAM = `user${NUL}svc`;
const SAFE_STREAM = `user${R}svc`;
const BODY = `user 5 said ${NUL} hello ${HIGH} and ${LOW} ${EMOJI}`;
const SAFE_BODY = `user 5 said ${R} hello ${R} and ${R} ${EMOJI}`;

const at = Date.UTC(2026, 0, 5, 10, 0, 0);

function event(id: string): AnomalyEvent {
  const start = new Date(at).toISOString();
  return {
    id,
    stream: STREAM,
    unit: `${start}/60s`,
    unitKind: 'window',
    start,
    end: new Date(at + 60_000).toISOString(),
    score: 90,
    severity: 'critical',
    models: { isolation_forest: 90, one_class_svm: 1, lof: 2, autoencoder: 3, lstm: 4 },
    explanation: {
      summary: BODY,
      topTemplates: [],
      topFeatures: [],
      unexpectedEvents: [],
    },
    sampleLines: [BODY],
    traceIds: [],
    modelVersion: 'v1',
    createdAt: new Date(at + 61_000).toISOString(),
    feedback: null,
  };
}

const threshold: Threshold = {
  falseAlarmRate: 0.001,
  minScore: 70,
  models: {
    isolation_forest: { enabled: true, weight: 1 },
    one_class_svm: { enabled: true, weight: 1 },
    lof: { enabled: true, weight: 1 },
    autoencoder: { enabled: true, weight: 1 },
    lstm: { enabled: false, weight: 0 },
  },
};

describe.each(backends)('unsafe text on $name', ({ skip, connect }) => {
  let s: SqlStorage;

  beforeAll(async () => {
    if (skip) return;
    const db = await connect();
    await migrate(db);
    s = new SqlStorage(db);
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  it.skipIf(skip)('stores templates with NUL and lone surrogates, and lists the stream', async () => {
    expect(
      await s.upsertTemplates([
        { stream: STREAM, id: `t${NUL}1`, template: BODY, countDelta: 2, seenAt: at, example: BODY },
      ]),
    ).toEqual([]);
    const page = await s.listTemplates({ stream: STREAM, limit: 10, offset: 0 });
    expect(page.items).toMatchObject([
      { stream: SAFE_STREAM, id: `t${R}1`, template: SAFE_BODY, example: SAFE_BODY, count: 2 },
    ]);
    expect((await s.listStreams()).map((x) => x.stream)).toContain(SAFE_STREAM);
  });

  it.skipIf(skip)('stores anomaly events (JSON keys included) and finds them by the same id', async () => {
    const e = event(`a${NUL}1`);
    (e.explanation as unknown as Record<string, unknown>)[`k${NUL}${HIGH}`] = 1;
    expect((await s.insertAnomalies([e])).newIds).toEqual([`a${R}1`]);
    const back = (await s.getAnomaly(`a${NUL}1`))!;
    expect(back.stream).toBe(SAFE_STREAM);
    expect(back.sampleLines).toEqual([SAFE_BODY]);
    expect(back.explanation.summary).toBe(SAFE_BODY);
    expect((back.explanation as unknown as Record<string, unknown>)[`k${R}${R}`]).toBe(1);
    expect((await s.listAnomalies({ stream: STREAM, limit: 10, offset: 0 })).total).toBe(1);

    const fb = await s.setFeedback(back.id, { label: 'true_positive', comment: BODY }, `eve${NUL}`);
    expect(fb?.feedback).toMatchObject({ comment: SAFE_BODY, actor: `eve${R}` });
  });

  it.skipIf(skip)('stores snapshots, checkpoints, offsets, thresholds and their audit', async () => {
    const state = { [`w${NUL}`]: [BODY, { [LOW]: HIGH }], literal: '\\u0000 stays text' };
    const safe = { [`w${R}`]: [SAFE_BODY, { [R]: R }], literal: '\\u0000 stays text' };
    await s.saveState(STREAM, 'pipeline', state);
    expect((await s.loadState(STREAM, 'pipeline'))?.data).toEqual(safe);
    await s.saveCheckpoint('ckpt', { [STREAM]: state }, { [`kafka:${NUL}`]: { next: BODY } });
    expect((await s.listStates('ckpt')).map((x) => [x.stream, x.data])).toEqual([[SAFE_STREAM, safe]]);
    expect(await s.getOffset(`kafka:${NUL}`)).toEqual({ next: SAFE_BODY });

    await s.putStreamThreshold(STREAM, threshold, `eve${HIGH}`);
    expect(Object.keys((await s.getThresholds()).streams)).toEqual([SAFE_STREAM]);
    const audit = (await s.listAudit({ limit: 1, offset: 0 })).items[0]!;
    expect(audit).toMatchObject({ actor: `eve${R}`, target: `threshold:stream:${SAFE_STREAM}` });
  });

  it.skipIf(skip)('leaves out the one template row the database refuses and stores the rest', async () => {
    const row = (id: string, extra: object = {}) => ({
      stream: 'iso',
      id,
      template: `template ${id}`,
      countDelta: 1,
      seenAt: at,
      example: id,
      ...extra,
    });
    const refused = await s.upsertTemplates([
      row('good1'),
      // bigint out of range (SQLSTATE 22003): refused by the database.
      row('huge', { countDelta: 1e20 }),
      row('good2'),
      // No date at all: refused while the row is prepared.
      row('nodate', { seenAt: 'not a time' }),
      row('good3'),
    ]);
    expect(refused).toEqual([
      { stream: 'iso', id: 'huge' },
      { stream: 'iso', id: 'nodate' },
    ]);
    const ids = (await s.listTemplates({ stream: 'iso', limit: 10, offset: 0 })).items.map((t) => t.id);
    expect(ids.sort()).toEqual(['good1', 'good2', 'good3']);
  });
});
