import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Captured } from './capture-server';
import { binarySkipReason, startDaemon, type Daemon } from './daemon';
import { freePort } from './free-port';

/*
 * A real Alertmanager (Debian prometheus-alertmanager) on loopback, routing every alert to a
 * webhook, one group per anomaly so a page is one notification. It keeps its state folder across
 * stop() and start(), as a restarted Alertmanager does.
 */

export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

export function alertmanagerSkipReason(): string | null {
  return binarySkipReason(ALERTMANAGER_BIN, 'prometheus-alertmanager');
}

export interface TestAlertmanager {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and removes its folder. */
  destroy(): Promise<void>;
}

export async function createTestAlertmanager(webhookUrl: string): Promise<TestAlertmanager> {
  const dir = await mkdtemp(path.join(tmpdir(), 'logsieve-am-'));
  const port = await freePort();
  await writeFile(
    path.join(dir, 'alertmanager.yml'),
    [
      'route:',
      '  receiver: hook',
      "  group_by: ['alertname', 'service', 'anomaly_id']",
      '  group_wait: 200ms',
      '  group_interval: 1s',
      '  repeat_interval: 4h',
      'receivers:',
      '  - name: hook',
      '    webhook_configs:',
      `      - url: ${webhookUrl}`,
      '        send_resolved: false',
      '',
    ].join('\n'),
  );
  let daemon: Daemon | null = null;
  const stop = async () => {
    await daemon?.stop();
    daemon = null;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    async start() {
      daemon = await startDaemon(
        ALERTMANAGER_BIN,
        [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--storage.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${port}`,
          '--cluster.listen-address=',
        ],
        `http://127.0.0.1:${port}/-/ready`,
      );
    },
    stop,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Notification {
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

/** Firing alerts in the webhook notifications received: one entry per page, by anomaly id. */
export function pagedIds(requests: Captured[]): string[] {
  return requests.flatMap((r) =>
    (JSON.parse(r.body) as Notification).alerts
      .filter((a) => a.status === 'firing')
      .map((a) => a.labels.anomaly_id!),
  );
}
