import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config/load-config';
import { waitFor } from '../emit/testing/daemon';
import type { AuditEntry } from '../store/storage';
import { startService, type RunningService } from './service';
import { normalMinute, startMinutesAgo, trainTrafficModel } from './testing/service-traffic';
import { loopbackEnv } from './testing/loopback-env';

// model.retrainHours on a short interval: scheduled retraining activates a new version only once
// training succeeds, records it in the models table and the audit log, and works from a history
// kept on disk, so it still has data after a restart with no new records.
describe('logsieve serve retrains on a schedule', () => {
  const INTERVAL_S = 5;
  let dir: string;
  let config: Config;
  let service: RunningService | undefined;
  const start = startMinutesAgo(45);
  const rest = (p: string) => `http://127.0.0.1:${service!.ports.rest}${p}`;
  const get = async <T>(p: string) => (await (await fetch(rest(p))).json()) as T;
  const models = () => get<{ active: string; items: { version: string }[] }>('/api/v1/models');
  const audit = async () => (await get<{ items: AuditEntry[] }>('/api/v1/audit?limit=200')).items;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-retrain-'));
    await trainTrafficModel(path.join(dir, 'model'), ['api', 'worker'], startMinutesAgo(120));
    const env = await loopbackEnv({
      LOGSIEVE_MODEL__RETRAIN_HOURS: String(INTERVAL_S / 3600),
    });
    config = loadConfig({ env, overrides: { dataDir: dir, modelDir: path.join(dir, 'model') } });
    service = await startService(config, pino({ level: 'silent' }));
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('activates retrained versions from the kept history, before and after a restart', async () => {
    const first = await models();
    expect(first.items).toHaveLength(1);
    // Scheduled runs with no history yet: training fails, the active model stays.
    await waitFor(
      async () =>
        (await audit()).filter((a) => a.action === 'model.retrain').length >= 2 ? true : undefined,
      30_000,
      'two scheduled retraining runs',
    );
    expect(await models()).toEqual(first);

    for (let i = 0; i < 40; i++) {
      const m = normalMinute(start, i);
      for (const [stream, lines] of [
        ['api', m.api],
        ['worker', m.worker],
      ] as const) {
        const r = await fetch(rest(`/api/v1/logs?stream=${stream}`), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(lines),
        });
        expect(r.status).toBe(202);
      }
    }
    const retrained = await waitFor(
      async () => {
        const m = await models();
        return m.items.length > 1 && m.active !== first.active ? m : undefined;
      },
      60_000,
      'a retrained version active',
    );
    const activations = (await audit()).filter((a) => a.action === 'model.activate');
    expect(activations.some((a) => a.actor === 'logsieve' && a.target === `model:${retrained.active}`)).toBe(
      true,
    );
    expect((await audit()).some((a) => a.action === 'model.retrain' && a.actor === 'schedule')).toBe(true);

    // No records after the restart: a new version can only come from the history on disk.
    await service!.stop();
    service = await startService(config, pino({ level: 'silent' }));
    const known = new Set((await models()).items.map((i) => i.version));
    await waitFor(
      async () => ((await models()).items.some((i) => !known.has(i.version)) ? true : undefined),
      60_000,
      'a version retrained after the restart',
    );
  }, 180_000);
});
