import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../anomaly-event';
import { loadConfig } from '../config/load-config';
import { waitFor } from '../emit/testing/daemon';
import { createTestSchema, type TestSchema } from '../store/testing/test-postgres';
import { TEST_REDIS_URL, redisSkipReason } from '../store/testing/test-redis';
import { startService, type RunningService } from './service';
import { errorBurst, normalMinute, startMinutesAgo, trainTrafficModel } from './testing/service-traffic';
import { loopbackEnv } from './testing/loopback-env';

// Real components: two `logsieve serve` replicas sharing PostgreSQL (model bundles included, the
// default modelStore) and Redis. Each missing one skips (fails under CI=true).
const schemaOrReason = await createTestSchema();
const skip = typeof schemaOrReason === 'string' ? schemaOrReason : await redisSkipReason();
if (skip) console.warn(`skipping the feedback replica test: ${skip}`);

describe.skipIf(skip !== null)('two replicas: false-positive feedback and model versions', () => {
  const schema = schemaOrReason as TestSchema;
  let dir: string;
  const replicas: RunningService[] = [];
  // Event time ends a few minutes before now: the windows close by the records themselves.
  const start = startMinutesAgo(50);

  const call = async (r: RunningService, method: string, p: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${r.ports.rest}${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const postMinutes = async (r: RunningService, from: number, to: number, burst: number) => {
    for (let i = from; i < to; i++) {
      const m = normalMinute(start, i);
      const api = [...m.api, ...(i === burst ? errorBurst(start, i) : [])];
      expect((await call(r, 'POST', '/api/v1/logs?stream=api', api)).status).toBe(202);
      expect((await call(r, 'POST', '/api/v1/logs?stream=worker', m.worker)).status).toBe(202);
    }
  };
  /** The burst anomalies stored (by any replica) for the window starting at minute `i`. */
  const burstsAt = async (r: RunningService, i: number) =>
    ((await call(r, 'GET', '/api/v1/anomalies?stream=api&limit=500')).body.items as AnomalyEvent[]).filter(
      (a) => Date.parse(a.start) === start + i * 60_000 && a.sampleLines.some((l) => l.includes('refused')),
    );
  const scrape = async (r: RunningService) =>
    (await fetch(`http://127.0.0.1:${r.ports.metrics}/metrics`)).text();

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-feedback-'));
    await trainTrafficModel(path.join(dir, 'model'), ['api', 'worker'], start, 30, 1);
    for (const name of ['a', 'b']) {
      const env = await loopbackEnv({
        LOGSIEVE_MODEL__DIR: path.join(dir, 'model'),
        LOGSIEVE_STORAGE__KIND: 'postgres',
        LOGSIEVE_STORAGE__URL: `${schema.url}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`,
        LOGSIEVE_CACHE__KIND: 'redis',
        LOGSIEVE_CACHE__URL: TEST_REDIS_URL,
      });
      const config = loadConfig({ env, overrides: { dataDir: path.join(dir, name) } });
      replicas.push(await startService(config, pino({ level: 'silent' })));
    }
  }, 120_000);

  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await schema?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a false positive marked on one replica suppresses its like on the other, until the mark is removed', async () => {
    const [a, b] = replicas as [RunningService, RunningService];
    // Replica b raises an error burst.
    await postMinutes(b, 30, 36, 32);
    const [first] = await waitFor(
      async () => ((await burstsAt(b, 32)).length ? burstsAt(b, 32) : undefined),
      60_000,
      'the first burst anomaly',
    );
    // Someone marks it a false positive through replica a.
    const fb = await call(a, 'POST', `/api/v1/anomalies/${first!.id}/feedback`, { label: 'false_positive' });
    expect(fb.status).toBe(201);
    await waitFor(
      async () => ((await scrape(a)).includes('logsieve_feedback_total{') ? true : undefined),
      10_000,
      'the feedback count',
    );
    // The same burst again on b: scored as anomalous, not raised, counted as suppressed.
    const suppressed = /logsieve_anomalies_suppressed_total\{[^}]*stream="api"[^}]*\} 1/;
    await postMinutes(b, 36, 39, 37);
    await waitFor(
      async () => (suppressed.test(await scrape(b)) ? true : undefined),
      30_000,
      'the like burst suppressed on the other replica',
    );
    expect(await burstsAt(b, 37)).toEqual([]);

    // The mark removed (on a), b raises the like again.
    expect((await call(a, 'DELETE', `/api/v1/anomalies/${first!.id}/feedback`)).status).toBe(200);
    await postMinutes(b, 39, 42, 40);
    await waitFor(
      async () => ((await burstsAt(b, 40)).length ? true : undefined),
      30_000,
      'the burst raised again once the mark was removed',
    );
  }, 180_000);

  it('serves on every replica a version one of them trained: bundles live in the shared database', async () => {
    const [a, b] = replicas as [RunningService, RunningService];
    const version = async (r: RunningService) =>
      ((await call(r, 'GET', '/api/v1/health')).body.model as { version: string }).version;
    const before = await version(a);
    expect(await version(b)).toBe(before);
    expect((await call(b, 'POST', '/api/v1/models/retrain')).status).toBe(202);
    const trained = await waitFor(
      async () => ((await version(b)) !== before ? version(b) : undefined),
      90_000,
      'the version retrained on b',
    );
    // Replica a hears of the activation and loads the bundle it never had from the database.
    await waitFor(async () => ((await version(a)) === trained ? true : undefined), 30_000, 'a serving it');
  }, 180_000);
});
