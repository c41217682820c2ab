import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config/load-config';
import { waitFor } from '../emit/testing/daemon';
import type { WindowAssigner } from '../features/window-assigner';
import { openStorage, storageOptions } from '../store/open-storage';
import type { TemplateInfo } from '../store/storage';
import type { StreamSnapshot } from './live-pipeline';
import { PIPELINE_STATE } from './pipeline-state';
import { startService, type RunningService } from './service';
import { startMinutesAgo, trainTrafficModel } from './testing/service-traffic';
import { loopbackEnv } from './testing/loopback-env';

type OpenWindows = NonNullable<ReturnType<WindowAssigner['exportStream']>>;

// Template and window state of a stream survive a graceful restart on the embedded PGlite store:
// a template that generalised before the restart keeps its id after it, and the window that was
// open goes on counting from where it stopped, without losing or double-counting its lines.
describe('logsieve serve resumes per-stream state after a restart', () => {
  let dir: string;
  let config: Config;
  let service: RunningService | undefined;
  const STREAM = 'api-0';
  // A window far enough ahead that neither lines nor the clock close it during the test.
  const windowStart = Math.floor(Date.now() / 60_000) * 60_000 + 5 * 60_000;
  const at = (s: number) => new Date(windowStart + s * 1000).toISOString();
  const rest = (p: string) => `http://127.0.0.1:${service!.ports.rest}${p}`;
  const post = async (lines: string[]) => {
    const r = await fetch(rest(`/api/v1/logs?stream=${STREAM}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(lines),
    });
    expect(r.status).toBe(202);
  };
  const login = (user: string, s: number) => `${at(s)} INFO api user ${user} logged in from the vpn gateway`;
  const loginTemplate = async () =>
    waitFor(
      async () => {
        const r = await fetch(rest(`/api/v1/templates?stream=${STREAM}&limit=100`));
        const items = ((await r.json()) as { items: TemplateInfo[] }).items;
        return items.find((t) => t.template.includes('user <*> logged in'));
      },
      30_000,
      'the generalised login template',
    );
  const storedWindow = async (): Promise<OpenWindows> => {
    const storage = await openStorage(storageOptions(config));
    try {
      const snap = (await storage.loadState(STREAM, PIPELINE_STATE))!.data as StreamSnapshot;
      return snap.units as OpenWindows;
    } finally {
      await storage.close();
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-state-'));
    await trainTrafficModel(path.join(dir, 'model'), [STREAM, 'worker-0'], startMinutesAgo(60));
    const env = await loopbackEnv();
    config = loadConfig({ env, overrides: { dataDir: dir, modelDir: path.join(dir, 'model') } });
    service = await startService(config, pino({ level: 'silent' }));
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps template ids and the open window', async () => {
    // Three users: the miner generalises the user name into a wildcard at the third line.
    await post(['alice', 'bob', 'carol'].map((u, i) => login(u, i)));
    const before = await loginTemplate();

    await service!.stop();
    const stopped = await storedWindow();
    expect(stopped.open.map((u) => [u.startMs, u.lines])).toEqual([[windowStart, 3]]);

    service = await startService(config, pino({ level: 'silent' }));
    // A fourth user: without the restored miner this would start a template of its own.
    await post([login('dave', 3), login('erin', 4)]);
    const after = await waitFor(
      async () => {
        const t = await loginTemplate();
        return t.count === before.count + 2 ? t : undefined;
      },
      30_000,
      'the login template counting the new lines',
    );
    expect(after.id).toBe(before.id);

    await service!.stop();
    service = undefined;
    const resumed = await storedWindow();
    expect(resumed.open.map((u) => [u.startMs, u.lines])).toEqual([[windowStart, 5]]);
    const counts = new Map(resumed.open[0]!.counts);
    expect(counts.get(before.id)).toBe(new Map(stopped.open[0]!.counts).get(before.id)! + 2);
  }, 120_000);
});
