import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../anomaly-event';
import { loadConfig, type Config } from '../config/load-config';
import { waitFor } from '../emit/testing/daemon';
import { startService, type RunningService } from './service';
import { errorBurst, normalMinute, startMinutesAgo } from './testing/service-traffic';
import { loopbackEnv } from './testing/loopback-env';

// Operator changes (thresholds, retrained models, false-positive feedback) survive a restart on
// the embedded PGlite store, and the stored active model is served at once; a retrain takes the
// marked false positives as normal.
describe('logsieve serve across a restart', () => {
  let dir: string;
  let config: Config;
  let service: RunningService | undefined;
  // Event time ends a few minutes before now: the windows posted after the restart close by their
  // records, and the clock closes no empty ones meanwhile.
  const start = startMinutesAgo(55);
  const rest = (p: string) => `http://127.0.0.1:${service!.ports.rest}${p}`;
  const call = async (method: string, p: string, body?: unknown) => {
    const r = await fetch(rest(p), {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const postMinutes = async (from: number, to: number, burst: number[] = []) => {
    for (let i = from; i < to; i++) {
      const m = normalMinute(start, i);
      for (const [stream, lines] of [
        ['api', [...m.api, ...(burst.includes(i) ? errorBurst(start, i) : [])]],
        ['worker', m.worker],
      ] as const)
        expect((await call('POST', `/api/v1/logs?stream=${stream}`, lines)).status).toBe(202);
    }
  };
  const anomalies = async () =>
    ((await call('GET', '/api/v1/anomalies?stream=api')).body.items as AnomalyEvent[]).filter((a) =>
      a.sampleLines.some((l) => l.includes('refused connection')),
    );

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-restart-'));
    const env = await loopbackEnv({
      LOGSIEVE_MODEL__BASELINE_MINUTES: '30',
      LOGSIEVE_MODEL__BASELINE_MIN_UNITS: '60',
    });
    config = loadConfig({ env, overrides: { dataDir: dir } });
    service = await startService(config, pino({ level: 'silent' }));
  });

  afterAll(async () => {
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps thresholds, models and feedback', async () => {
    await postMinutes(0, 40);
    await waitFor(async () => ((await fetch(rest('/readyz'))).ok ? true : undefined), 90_000, 'readiness');

    const retrain = await call('POST', '/api/v1/models/retrain');
    expect(retrain.status).toBe(202);
    expect(retrain.body.jobId).toEqual(expect.any(String));
    const models = await waitFor(
      async () => {
        const m = (await call('GET', '/api/v1/models')).body as { active: string; items: unknown[] };
        return m.items.length === 2 ? m : undefined;
      },
      90_000,
      'the retrained model',
    );
    expect((await call('GET', '/api/v1/health')).body.model).toMatchObject({ version: models.active });

    const global = (await call('GET', '/api/v1/thresholds')).body.global as { minScore: number };
    const stricter = { ...global, minScore: Math.min(100, global.minScore + 1) };
    expect((await call('PUT', '/api/v1/thresholds/global', stricter)).status).toBe(200);

    await postMinutes(40, 45, [41]);
    const [burst] = await waitFor(
      async () => ((await anomalies()).length ? anomalies() : undefined),
      60_000,
      'the burst anomaly',
    );
    const fb = await call('POST', `/api/v1/anomalies/${burst!.id}/feedback`, { label: 'false_positive' });
    expect(fb.status).toBe(201);

    await service!.stop();
    service = await startService(config, pino({ level: 'silent' }));
    // The stored active model is back without a new baseline.
    expect((await fetch(rest('/readyz'))).status).toBe(200);
    expect((await call('GET', '/api/v1/models')).body.active).toBe(models.active);
    expect((await call('GET', '/api/v1/thresholds')).body.global).toEqual(stricter);

    // The false positive is known again: the like burst after the restart is suppressed, not raised.
    await postMinutes(45, 50, [47]);
    const scrape = async () => (await fetch(`http://127.0.0.1:${service!.ports.metrics}/metrics`)).text();
    await waitFor(
      async () =>
        /logsieve_anomalies_suppressed_total\{[^}]*stream="api"[^}]*\} 1/.test(await scrape())
          ? true
          : undefined,
      60_000,
      'the like burst suppressed',
    );
    expect((await anomalies()).map((a) => a.id)).toEqual([burst!.id]);

    // Retrained with the mark, the model takes such a burst as normal: with the mark removed, the
    // next one is scored below the threshold (neither raised nor suppressed).
    expect((await call('POST', '/api/v1/models/retrain')).status).toBe(202);
    await waitFor(
      async () =>
        ((await call('GET', '/api/v1/models')).body.items as unknown[]).length === 3 ? true : undefined,
      90_000,
      'the model retrained with the mark',
    );
    expect((await call('DELETE', `/api/v1/anomalies/${burst!.id}/feedback`)).status).toBe(200);
    const scored = async () =>
      Number(/logsieve_units_scored_total\{[^}]*stream="api"[^}]*\} (\d+)/.exec(await scrape())?.[1] ?? 0);
    const before = await scored();
    await postMinutes(50, 54, [52]);
    await waitFor(
      async () => ((await scored()) >= before + 3 ? true : undefined),
      60_000,
      'the burst scored',
    );
    expect((await anomalies()).map((a) => a.id)).toEqual([burst!.id]);
    expect(await scrape()).toMatch(/logsieve_anomalies_suppressed_total\{[^}]*stream="api"[^}]*\} 1\b/);
  }, 240_000);
});
