import { access } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import type { AnomalyEvent } from '../../anomaly-event';
import { loadConfig } from '../../config/load-config';
import { startService, type RunningService } from '../../pipeline/service';
import { trainTrafficBundle } from './trained-bundle';
import { loopbackEnv } from '../../pipeline/testing/loopback-env';

/**
 * `logsieve serve` in this process for a fault test: free loopback ports, state under `dir`, a
 * bundle trained on the test traffic starting at `start` (so it scores at once), and `env` for
 * the rest of the configuration (LOGSIEVE_* variables).
 */
export async function startFaultService(
  dir: string,
  start: number,
  env: Record<string, string>,
): Promise<RunningService> {
  const all = await loopbackEnv(env);
  const trained = path.join(dir, 'bundle');
  const bundle = await access(path.join(trained, 'manifest.json')).then(
    () => trained,
    () => trainTrafficBundle(dir, start, 40),
  );
  const config = loadConfig({ env: all, overrides: { dataDir: dir, modelDir: bundle } });
  return startService(config, pino({ level: 'silent' }));
}

/** Ids of every anomaly the service's REST API lists. */
export async function listedAnomalyIds(restUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; ; offset += 500) {
    const page = (await (await fetch(`${restUrl}/api/v1/anomalies?limit=500&offset=${offset}`)).json()) as {
      items: AnomalyEvent[];
    };
    ids.push(...page.items.map((a) => a.id));
    if (page.items.length < 500) return ids;
  }
}
