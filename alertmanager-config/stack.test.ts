import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { requireBinary } from './test-support/binaries';
import { NotificationSink, type Notification } from './test-support/notification-sink';
import { freePort, start, waitFor, type Running } from './test-support/processes';
import { repoRoot } from './test-support/repo-paths';
import { PAGERDUTY_TEST_KEY, startStack, type Stack } from './test-support/test-stack';

/*
 * End to end with the real binaries: metrics -> Prometheus evaluating the repository's rules ->
 * the real Alertmanager -> the repository's routes, inhibitions and templates -> receivers.
 * See test-support/test-stack.ts for what the test copies of the configuration change and why.
 */

const prometheus = requireBinary('prometheus');
const alertmanager = requireBinary('prometheus-alertmanager');
const binaries = Boolean(prometheus && alertmanager);
const serveExists = existsSync(resolve(repoRoot, 'collector-processor/src/cli/serve.ts'));
if (!serveExists)
  console.warn(
    'skipping the logsieve serve stack test: collector-processor/src/cli/serve.ts does not exist yet',
  );

type Tree = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The rendered text of a Slack or a PagerDuty notification, as a person would read it. */
const slackText = (n: Notification) => {
  const a = (n.body['attachments'] as Tree[])[0]!;
  return `${a['title']}\n${a['title_link']}\n${a['text']}`;
};
const pagerText = (n: Notification) => {
  const b = n.body as Tree;
  return `${b['payload'].summary}\n${b['payload'].custom_details.summary}\n${JSON.stringify(b['links'])}`;
};

async function alertsInAlertmanager(url: string, alertname: string): Promise<Tree[]> {
  const r = await fetch(`${url}/api/v2/alerts?filter=${encodeURIComponent(`alertname="${alertname}"`)}`);
  return (await r.json()) as Tree[];
}

describe.skipIf(!binaries)('rules -> Prometheus -> Alertmanager -> receivers (metrics stand-in)', () => {
  const sink = new NotificationSink();
  let dir = '';
  let stack: Stack;
  let standIn: Server;
  let received = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logsieve-stack-'));
    const [sinkPort, standInPort] = [await freePort(), await freePort()];
    await sink.listen(sinkPort);
    // A stand-in for logsieve's /metrics (docs/metrics.md names): checkout's score is critical,
    // payments' a warning, inventory's normal; records keep arriving and the model is ready.
    standIn = createServer((_req, res) => {
      received += 100;
      res
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        .end(
          [
            '# TYPE logsieve_anomaly_score gauge',
            'logsieve_anomaly_score{stream="checkout"} 95',
            'logsieve_anomaly_score{stream="payments"} 80',
            'logsieve_anomaly_score{stream="inventory"} 12',
            '# TYPE logsieve_model_ready gauge',
            'logsieve_model_ready 1',
            '# TYPE logsieve_records_received_total counter',
            `logsieve_records_received_total{stream="checkout",source="otlp_http"} ${received}`,
            '',
          ].join('\n'),
        );
    });
    await new Promise<void>((done) => standIn.listen(standInPort, '127.0.0.1', done));
    stack = await startStack({
      dir,
      prometheus: prometheus!,
      alertmanager: alertmanager!,
      logsieveTarget: `127.0.0.1:${standInPort}`,
      sinkUrl: `http://127.0.0.1:${sinkPort}`,
    });
  });

  afterAll(async () => {
    await stack?.stop();
    await sink.close();
    await new Promise<void>((done) => (standIn ? standIn.close(() => done()) : done()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages for a critical score through PagerDuty with the rendered template', async () => {
    const page = await waitFor(
      'a page for checkout',
      () => sink.on('/pager').find((n) => pagerText(n).includes('LogAnomalyScoreCritical in checkout')),
      45_000,
      stack.processes,
    );
    const body = page.body as Tree;
    expect(body['routing_key']).toBe(PAGERDUTY_TEST_KEY);
    expect(body['event_action']).toBe('trigger');
    const text = pagerText(page);
    expect(text).toContain('[FIRING:1] LogAnomalyScoreCritical in checkout (critical)');
    expect(text).toContain('Stream: checkout\nScore: 95.0 / 100\nSeverity: critical');
    expect(text).toContain('Grafana: http://localhost:3000/a/logsieve-anomaly-app/overview?stream=checkout');
    expect(text).toContain(
      'Runbook: https://github.com/logsieve/logsieve/blob/main/README.md#runbook-loganomalyscorehigh',
    );
  });

  it('sends a warning score to chat, and inhibits the warning of the service that pages', async () => {
    const chat = await waitFor(
      'a chat message for payments',
      () => sink.on('/chat').find((n) => slackText(n).includes('in payments')),
      45_000,
      stack.processes,
    );
    expect(chat.body['channel']).toBe('#logsieve-alerts');
    const text = slackText(chat);
    expect(text).toContain('[FIRING:1] LogAnomalyScoreHigh in payments (warning)');
    expect(text).toContain('http://localhost:3000/a/logsieve-anomaly-app/overview?stream=payments');
    expect(text).toContain('Score: 80.0 / 100');

    // checkout's LogAnomalyScoreHigh fires too (95 >= 75) but is muted by its critical twin.
    const [checkoutWarning] = (
      await alertsInAlertmanager(stack.alertmanagerUrl, 'LogAnomalyScoreHigh')
    ).filter((a) => a['labels'].service === 'checkout');
    expect(checkoutWarning?.['status']).toMatchObject({ state: 'suppressed' });
    expect(checkoutWarning!['status'].inhibitedBy.length).toBe(1);
    expect(sink.on('/chat').filter((n) => slackText(n).includes('in checkout'))).toEqual([]);
    expect(sink.received.some((n) => JSON.stringify(n.body).includes('inventory'))).toBe(false);
  });

  it("routes logsieve's own LogAnomaly alerts by severity and renders their explanation and link", async () => {
    const now = new Date().toISOString();
    const alert = (service: string, severity: string, score: string) => ({
      labels: { alertname: 'LogAnomaly', service, severity },
      annotations: {
        summary: `Anomalous logs in ${service}`,
        description: `Window 2026-11-24T10:00:00Z/60s of ${service} scored ${score}.`,
        score,
        explanation: '- db pool exhausted: connection refused to <*> (120 seen, 0 expected)',
        grafana_url: `http://grafana.test/a/logsieve-anomaly-app/anomalies/${service}-1`,
      },
      startsAt: now,
    });
    // What logsieve's Alertmanager sink posts (docs/metrics.md lists the labels and annotations).
    const r = await fetch(`${stack.alertmanagerUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([alert('search', 'critical', '97.1'), alert('cart', 'info', '40.2')]),
    });
    expect(r.status).toBe(200);

    const page = await waitFor(
      'a page for search',
      () => sink.on('/pager').find((n) => pagerText(n).includes('LogAnomaly in search')),
      30_000,
      stack.processes,
    );
    const text = pagerText(page);
    expect(text).toContain('Stream: search\nScore: 97.1 / 100');
    expect(text).toContain(
      'Top templates:\n- db pool exhausted: connection refused to <*> (120 seen, 0 expected)',
    );
    expect(text).toContain('Grafana: http://grafana.test/a/logsieve-anomaly-app/anomalies/search-1');
    expect((page.body as Tree)['links'][0].href).toBe(
      'http://grafana.test/a/logsieve-anomaly-app/anomalies/search-1',
    );

    // info goes to the generic webhook: Alertmanager's own JSON with labels and annotations.
    const ticket = await waitFor('a ticket for cart', () => sink.on('/ticket')[0], 30_000, stack.processes);
    const alerts = ticket.body['alerts'] as Tree[];
    expect(alerts.map((a) => a['labels'])).toEqual([
      { alertname: 'LogAnomaly', service: 'cart', severity: 'info' },
    ]);
    expect(alerts[0]!['annotations'].grafana_url).toBe(
      'http://grafana.test/a/logsieve-anomaly-app/anomalies/cart-1',
    );
    expect(ticket.body['groupLabels']).toEqual({ alertname: 'LogAnomaly', service: 'cart' });
  });
});

describe.skipIf(!binaries || !serveExists)('logsieve serve -> Alertmanager -> receivers', () => {
  const sink = new NotificationSink();
  let dir = '';
  let stack: Stack;
  let logsieve: Running;
  let restUrl = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'logsieve-serve-stack-'));
    const [sinkPort, otlpHttp, otlpGrpc, rest, metrics, closed] = await Promise.all(
      Array.from({ length: 6 }, () => freePort()),
    );
    await sink.listen(sinkPort!);
    stack = await startStack({
      dir,
      prometheus: prometheus!,
      alertmanager: alertmanager!,
      logsieveTarget: `127.0.0.1:${metrics}`,
      sinkUrl: `http://127.0.0.1:${sinkPort}`,
    });
    // Keys from docs/config.md; a short event-time baseline so a model is trained in seconds.
    const config = {
      dataDir: join(dir, 'data'),
      server: { host: '127.0.0.1', ports: { otlpHttp, otlpGrpc, rest, metrics } },
      model: { baselineMinutes: 10, baselineMinUnits: 30, retrainHours: 0 },
      features: { windowSeconds: 10, allowedLatenessSeconds: 0 },
      outputs: {
        alertmanager: {
          url: stack.alertmanagerUrl,
          grafanaUrl: 'http://grafana.test/a/logsieve-anomaly-app',
        },
        // An OTLP collector that is down for good: its events wait in the buffer.
        otlp: { endpoint: `http://127.0.0.1:${closed}/v1/logs` },
      },
    };
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, stringify(config));
    logsieve = start(
      'logsieve',
      process.execPath,
      [resolve(repoRoot, 'collector-processor/bin/logsieve.js'), 'serve', '--config', configFile],
      repoRoot,
    );
    stack.processes.push(logsieve);
    restUrl = `http://127.0.0.1:${rest}`;
    await waitFor(
      'logsieve /healthz',
      async () => ((await fetch(`${restUrl}/healthz`)).ok ? true : undefined),
      60_000,
      stack.processes,
    );
  });

  afterAll(async () => {
    await logsieve?.stop();
    await stack?.stop();
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The alerts named `alertname` whose `label` is `value`, once Alertmanager holds one. */
  const firing = (alertname: string, label: string, value: string, timeoutMs: number) =>
    waitFor(
      `a ${alertname} alert for ${label}=${value}`,
      async () => {
        const alerts = (await alertsInAlertmanager(stack.alertmanagerUrl, alertname)).filter(
          (a) => a['labels'][label] === value,
        );
        return alerts.length > 0 ? alerts : undefined;
      },
      timeoutMs,
      stack.processes,
    );

  const post = async (lines: { line: string; stream: string }[]) => {
    const r = await fetch(`${restUrl}/api/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(lines),
    });
    expect(r.status).toBe(202);
  };
  // Event times end a few minutes before now: the service takes older records' receive time
  // (limits.maxEventAgeSeconds) and closes windows no later than its clock.
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 25 * 60_000;
  const normalLine = (ms: number, i: number) =>
    `${new Date(ms).toISOString()} INFO order ${100000 + i} created for user ${i % 97} total=${(i % 400) + 5}.00`;

  it('alerts LogAnomaly with service and severity through the repository route and template', async () => {
    // 20 minutes of normal traffic (event time), 5 lines a second: the baseline.
    const normal = Array.from({ length: 20 * 60 * 5 }, (_, i) => ({
      line: normalLine(t0 + i * 200, i),
      stream: 'checkout',
    }));
    for (let i = 0; i < normal.length; i += 2000) await post(normal.slice(i, i + 2000));
    await waitFor(
      'a trained model (/readyz 200)',
      async () => ((await fetch(`${restUrl}/readyz`)).ok ? true : undefined),
      120_000,
      stack.processes,
    );

    // The incident: a minute of errors never seen in training, then normal lines that move the
    // watermark past it so its windows close and are scored.
    const start = t0 + 20 * 60_000;
    const incident = Array.from({ length: 600 }, (_, i) => ({
      line: `${new Date(start + i * 100).toISOString()} ERROR db pool exhausted: connection refused to 10.0.3.${i % 30}:5432`,
      stream: 'checkout',
    }));
    const after = Array.from({ length: 300 }, (_, i) => ({
      line: normalLine(start + 60_000 + i * 200, i),
      stream: 'checkout',
    }));
    await post(incident);
    await post(after);

    const [alert] = await firing('LogAnomaly', 'service', 'checkout', 60_000);
    expect(['warning', 'critical']).toContain(alert!['labels'].severity);
    expect(alert!['annotations'].grafana_url).toMatch(/^http:\/\/grafana\.test\/a\/logsieve-anomaly-app/);
    expect(alert!['annotations'].explanation).toBeTruthy();

    // The repository's route picks the receiver from the severity logsieve set.
    const path = alert!['labels'].severity === 'critical' ? '/pager' : '/chat';
    const render = path === '/pager' ? pagerText : slackText;
    const note = await waitFor(
      `a ${path} notification for checkout`,
      () => sink.on(path).find((n) => render(n).includes('LogAnomaly in checkout')),
      30_000,
      stack.processes,
    );
    const text = render(note);
    expect(text).toContain('Stream: checkout');
    expect(text).toMatch(/Score: \d+(\.\d+)? \/ 100/);
    expect(text).toContain('Top templates:');
    expect(text).toContain('http://grafana.test/a/logsieve-anomaly-app');
  });

  // The rules below read the service's own metrics, scraped by Prometheus (`for:` 0s here).
  it('alerts LogsieveEventsFailing while anomaly events wait for a sink that is down', async () => {
    const [alert] = await firing('LogsieveEventsFailing', 'sink', 'otlp', 30_000);
    expect(alert!['annotations'].summary).toBe('logsieve cannot deliver anomaly events to otlp');
    // What keeps it firing past the first failure: the deliveries waiting, scraped from the service.
    const q = await fetch(
      `${stack.prometheusUrl}/api/v1/query?query=${encodeURIComponent('logsieve_events_backlog{sink="otlp"} > 0')}`,
    );
    const waiting = ((await q.json()) as Tree)['data'].result as Tree[];
    expect(waiting).toHaveLength(1);
    // The stores that answer raise nothing.
    const others = await alertsInAlertmanager(stack.alertmanagerUrl, 'LogsieveEventsFailing');
    expect(others.map((a) => a['labels'].sink)).toEqual(['otlp']);
  });

  it('alerts LogTemplateBurst when a stream logs more than 20 templates its model does not know', async () => {
    // 25 lines of different lengths: 25 templates, none known to the model.
    const start = t0 + 23 * 60_000;
    await post(
      Array.from({ length: 25 }, (_, i) => ({
        line: `${new Date(start + i * 1000).toISOString()} WARN feature flag ${'rollout '.repeat(i + 1)}`,
        stream: 'checkout',
      })),
    );
    const [alert] = await firing('LogTemplateBurst', 'service', 'checkout', 30_000);
    expect(alert!['annotations'].summary).toMatch(/^checkout produced \d+ new log templates in 15 minutes$/);
  });
});
