import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OTLPLogExporter as HttpJsonExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtoExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from '@opentelemetry/sdk-logs';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../anomaly-event';
import { loadConfig } from '../config/load-config';
import { startCaptureServer } from '../emit/testing/capture-server';
import { binarySkipReason, startDaemon, waitFor, type Daemon } from '../emit/testing/daemon';
import { freePort } from '../emit/testing/free-port';
import { createTestSchema, type TestSchema } from '../store/testing/test-postgres';
import { startService, type RunningService } from './service';
import { errorBurst, normalMinute, startMinutesAgo } from './testing/service-traffic';

// Real daemons and PostgreSQL: each missing one skips with a reason (fails under CI=true).
const amSkip = binarySkipReason('/usr/bin/prometheus-alertmanager', 'prometheus-alertmanager');
const promSkip = binarySkipReason('/usr/bin/prometheus', 'prometheus');
const schemaOrReason = await createTestSchema();
const skip = amSkip ?? promSkip ?? (typeof schemaOrReason === 'string' ? schemaOrReason : null);
if (skip) console.warn(`skipping the OTLP end-to-end service test: ${skip}`);

interface Notification {
  alerts: { labels: Record<string, string>; annotations: Record<string, string> }[];
}

/** Sends lines (ISO timestamp first) of one service through the OpenTelemetry SDK and `exporter`. */
async function sendThroughSdk(exporter: LogRecordExporter, service: string, lines: string[]) {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 512, maxQueueSize: 8192 })],
  });
  const logger = provider.getLogger('e2e');
  for (const line of lines) {
    const severityText = line.split(' ')[1]!;
    logger.emit({ timestamp: new Date(line.slice(0, 24)), severityText, body: line });
  }
  await provider.forceFlush();
  await provider.shutdown();
}

describe.skipIf(skip !== null)(
  'logsieve serve end to end over OTLP, PostgreSQL, Alertmanager, Prometheus',
  () => {
    const schema = schemaOrReason as TestSchema;
    let dir: string;
    let hook: Awaited<ReturnType<typeof startCaptureServer>>;
    let am: Daemon | undefined;
    let prom: Daemon | undefined;
    let service: RunningService | undefined;
    let promPort: number;
    const start = startMinutesAgo(50);

    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'logsieve-e2e-'));
      hook = await startCaptureServer();
      const amPort = await freePort();
      await writeFile(
        path.join(dir, 'alertmanager.yml'),
        `route: { receiver: hook, group_by: ['anomaly_id'], group_wait: 200ms, group_interval: 1s }\n` +
          `receivers: [{ name: hook, webhook_configs: [{ url: '${hook.url}/hook' }] }]\n`,
      );
      const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
      const config = loadConfig({
        env: {
          LOGSIEVE_SERVER__HOST: '127.0.0.1',
          LOGSIEVE_SERVER__PORTS__OTLP_HTTP: String(ports[0]),
          LOGSIEVE_SERVER__PORTS__OTLP_GRPC: String(ports[1]),
          LOGSIEVE_SERVER__PORTS__REST: String(ports[2]),
          LOGSIEVE_SERVER__PORTS__METRICS: String(ports[3]),
          LOGSIEVE_STORAGE__KIND: 'postgres',
          // The throwaway schema first on search_path: pg reads `options` from the URL.
          LOGSIEVE_STORAGE__URL: `${schema.url}?options=${encodeURIComponent(`-c search_path=${schema.schema}`)}`,
          LOGSIEVE_OUTPUTS__ALERTMANAGER__URL: `http://127.0.0.1:${amPort}`,
          LOGSIEVE_MODEL__BASELINE_MINUTES: '30',
          LOGSIEVE_MODEL__BASELINE_MIN_UNITS: '60',
        },
        overrides: { dataDir: dir },
      });
      am = await startDaemon(
        '/usr/bin/prometheus-alertmanager',
        [
          `--config.file=${path.join(dir, 'alertmanager.yml')}`,
          `--storage.path=${path.join(dir, 'am')}`,
          `--web.listen-address=127.0.0.1:${amPort}`,
          '--cluster.listen-address=',
        ],
        `http://127.0.0.1:${amPort}/-/ready`,
      );
      service = await startService(config, pino({ level: 'silent' }));
      promPort = await freePort();
      await writeFile(
        path.join(dir, 'prometheus.yml'),
        `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: logsieve\n    static_configs: [{ targets: ['127.0.0.1:${service.ports.metrics}'] }]\n`,
      );
      prom = await startDaemon(
        '/usr/bin/prometheus',
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'prom')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        `http://127.0.0.1:${promPort}/-/ready`,
      );
    }, 60_000);

    afterAll(async () => {
      await service?.stop();
      await Promise.allSettled([am?.stop(), prom?.stop(), hook?.close()]);
      await schema?.drop?.();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('learns from OTLP logs and reports a burst in the API, PostgreSQL, Alertmanager and Prometheus', async () => {
      const otlp = `http://127.0.0.1:${service!.ports.otlpHttp}/v1/logs`;
      const rest = (p: string) => `http://127.0.0.1:${service!.ports.rest}${p}`;
      const minutes = (from: number, to: number, burst = new Set<number>()) => {
        const out = { api: [] as string[], worker: [] as string[] };
        for (let i = from; i < to; i++) {
          const m = normalMinute(start, i);
          out.api.push(...m.api, ...(burst.has(i) ? errorBurst(start, i) : []));
          out.worker.push(...m.worker);
        }
        return out;
      };
      // The baseline as protobuf, the rest as JSON: both exporters the collector world uses.
      const baseline = minutes(0, 45);
      await sendThroughSdk(new ProtoExporter({ url: otlp }), 'api', baseline.api);
      await sendThroughSdk(new ProtoExporter({ url: otlp }), 'worker', baseline.worker);
      await waitFor(
        async () => ((await fetch(rest('/readyz'))).status === 200 ? true : undefined),
        90_000,
        'readiness',
      );
      const after = minutes(45, 50, new Set([46, 47]));
      await sendThroughSdk(new HttpJsonExporter({ url: otlp }), 'api', after.api);
      await sendThroughSdk(new HttpJsonExporter({ url: otlp }), 'worker', after.worker);

      const isBurst = (e: Pick<AnomalyEvent, 'sampleLines'>) =>
        e.sampleLines.some((l) => l.includes('refused connection'));
      const fromApi = await waitFor(
        async () => {
          const body = (await (await fetch(rest('/api/v1/anomalies?stream=api'))).json()) as {
            items: AnomalyEvent[];
          };
          return body.items.find(isBurst);
        },
        60_000,
        'the anomaly in the API',
      );
      expect(fromApi.explanation.summary).toMatch(/never-seen/);

      const db = new pg.Client({ connectionString: schema.url });
      await db.connect();
      try {
        const { rows } = await db.query(
          `SELECT stream, severity, score, event FROM "${schema.schema}".anomalies WHERE id = $1`,
          [fromApi.id],
        );
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ stream: 'api', severity: fromApi.severity, score: fromApi.score });
        expect(isBurst(rows[0].event as AnomalyEvent)).toBe(true);
      } finally {
        await db.end();
      }

      const page = await waitFor(
        async () =>
          hook.requests
            .flatMap((r) => (JSON.parse(r.body) as Notification).alerts)
            .find((a) => a.labels.anomaly_id === fromApi.id),
        20_000,
        'the Alertmanager webhook',
      );
      expect(page.labels).toMatchObject({
        alertname: 'LogAnomaly',
        service: 'api',
        severity: fromApi.severity,
      });

      const series = await waitFor(
        async () => {
          const q = encodeURIComponent('logsieve_anomalies_total{stream="api"}');
          const r = (await (await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${q}`)).json()) as {
            data: { result: { metric: Record<string, string>; value: [number, string] }[] };
          };
          return r.data.result.length ? r.data.result : undefined;
        },
        20_000,
        'the scraped anomaly counter',
      );
      const total = series.reduce((n, s) => n + Number(s.value[1]), 0);
      expect(total).toBeGreaterThanOrEqual(1);
      expect(series.map((s) => s.metric.severity)).toContain(fromApi.severity);
    }, 180_000);
  },
);
