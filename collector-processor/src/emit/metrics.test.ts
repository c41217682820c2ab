import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics } from './metrics';
import { binarySkipReason, startDaemon, waitFor } from './testing/daemon';
import { documentedMetrics } from './testing/documented-metrics';
import { freePort } from './testing/free-port';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (t) types.set(t[1]!, t[2]!);
    const s = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!s) continue;
    const labels: Record<string, string> = {};
    for (const m of (s[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]!] = m[2]!;
    samples.push({ name: s[1]!, labels, value: Number(s[3]) });
  }
  return { types, samples };
}

/** Records one of everything. */
function exercise(metrics: Metrics): void {
  metrics.recordsReceived('api', 'otlp_http', 5);
  metrics.recordsProcessed('api', 4);
  metrics.recordsDropped('api', 'malformed');
  metrics.recordsTimeClamped('api', 'future');
  metrics.recordsLate('api');
  metrics.ingestRejected('rest', 'too_large');
  metrics.templatesActive('api', 12);
  metrics.templatesNew('api');
  metrics.templatesOverflow('api', 'stream_limit');
  metrics.anomalyScore('api', 93.5);
  metrics.unitsScored('api', 3);
  metrics.anomalyRaised('api', 'critical');
  metrics.anomalySuppressed('api');
  metrics.feedbackMarked('false_positive');
  metrics.observeBacklogs(() => [['otlp', 2]]);
  metrics.modelFlagged('api', 'lof');
  metrics.stageLatency('score', 0.02);
  metrics.stageLatency('score', 3);
  metrics.queueDepth('ingest', 17);
  metrics.kafkaLag('otlp_logs', 2, 40);
  metrics.kafkaMessagesDuplicate('otlp_logs', 3);
  metrics.activeModels('v1', ['lof', 'lstm']);
  metrics.modelReady(true);
  metrics.eventsEmitted('kafka', 'error');
  metrics.storageBuffer(4096);
  metrics.walBytes(2048);
  metrics.walReplayed(7);
}

describe('Metrics on /metrics', () => {
  let metrics: Metrics;
  let base: string;
  beforeAll(async () => {
    metrics = new Metrics({ maxStreams: 2 });
    const { port } = await metrics.listen(0);
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await metrics.close();
  });

  it('exposes exactly the documented instruments with their types and labels', async () => {
    exercise(metrics);
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    const { types, samples } = parseExposition(await res.text());
    const documented = await documentedMetrics();
    expect(documented.size).toBe(26);
    expect(new Map([...types].sort())).toEqual(
      new Map([...documented].map(([n, d]) => [n, d.type] as const).sort()),
    );
    for (const [name, { type, labels }] of documented) {
      const own = samples.filter((s) =>
        type === 'histogram' ? s.name === `${name}_count` : s.name === name,
      );
      expect(own.length, name).toBeGreaterThan(0);
      for (const s of own) expect(Object.keys(s.labels).sort(), name).toEqual(labels);
    }
  });

  it('reports the recorded values', async () => {
    const { samples } = parseExposition(await (await fetch(`${base}/metrics`)).text());
    const value = (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;
    expect(value('logsieve_records_received_total', { stream: 'api', source: 'otlp_http' })).toBe(5);
    expect(value('logsieve_anomaly_score', { stream: 'api' })).toBe(93.5);
    expect(value('logsieve_processing_latency_seconds_count', { stage: 'score' })).toBe(2);
    expect(value('logsieve_processing_latency_seconds_bucket', { stage: 'score', le: '0.025' })).toBe(1);
    expect(value('logsieve_processing_latency_seconds_bucket', { stage: 'score', le: '5' })).toBe(2);
    expect(value('logsieve_kafka_consumer_lag', { topic: 'otlp_logs', partition: '2' })).toBe(40);
    expect(value('logsieve_kafka_messages_duplicate_total', { topic: 'otlp_logs' })).toBe(3);
    expect(value('logsieve_model_info', { model: 'lstm', version: 'v1' })).toBe(1);
    expect(value('logsieve_events_emitted_total', { sink: 'kafka', outcome: 'error' })).toBe(1);
    expect(value('logsieve_events_backlog', { sink: 'otlp' })).toBe(2);
  });

  it("starts a stream's new-template count at 0 once it holds templates, so increase() sees a burst", async () => {
    metrics.templatesActive('db', 4);
    const { samples } = parseExposition(await (await fetch(`${base}/metrics`)).text());
    const db = samples.find((x) => x.name === 'logsieve_templates_new_total' && x.labels.stream === 'db');
    expect(db?.value).toBe(0);
  });

  it('counts streams past the limit under _other', async () => {
    metrics.recordsProcessed('db', 1);
    metrics.recordsProcessed('cache', 2);
    metrics.recordsProcessed('queue', 3);
    const { samples } = parseExposition(await (await fetch(`${base}/metrics`)).text());
    const streams = samples
      .filter((s) => s.name === 'logsieve_records_processed_total')
      .map((s) => [s.labels.stream, s.value]);
    expect(new Map(streams as [string, number][])).toEqual(
      new Map([
        ['api', 4],
        ['db', 1],
        ['_other', 5],
      ]),
    );
  });

  it('zeroes the models of a replaced bundle', async () => {
    metrics.activeModels('v2', ['lof']);
    const { samples } = parseExposition(await (await fetch(`${base}/metrics`)).text());
    const info = samples
      .filter((s) => s.name === 'logsieve_model_info')
      .map((s) => `${s.labels.model}@${s.labels.version}=${s.value}`);
    expect(info.sort()).toEqual(['lof@v1=0', 'lof@v2=1', 'lstm@v1=0']);
    expect((await fetch(`${base}/other`)).status).toBe(404);
  });
});

const promSkip = binarySkipReason('/usr/bin/prometheus', 'prometheus');
if (promSkip) console.warn(`skipping the Prometheus scrape test: ${promSkip}`);

describe.skipIf(promSkip !== null)('scraped by a real Prometheus', () => {
  it('shows the service series in the Prometheus query API', async () => {
    const metrics = new Metrics();
    const dir = await mkdtemp(path.join(tmpdir(), 'logsieve-prom-'));
    try {
      const { port } = await metrics.listen(0);
      metrics.recordsReceived('checkout', 'kafka', 7);
      metrics.stageLatency('emit', 0.004);
      const promPort = await freePort();
      await writeFile(
        path.join(dir, 'prometheus.yml'),
        `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: logsieve\n    static_configs: [{ targets: ['127.0.0.1:${port}'] }]\n`,
      );
      const prom = await startDaemon(
        '/usr/bin/prometheus',
        [
          `--config.file=${path.join(dir, 'prometheus.yml')}`,
          `--storage.tsdb.path=${path.join(dir, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
        ],
        `http://127.0.0.1:${promPort}/-/ready`,
      );
      try {
        const query = async (q: string) => {
          const body = (await (
            await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`)
          ).json()) as {
            data: { result: { metric: Record<string, string>; value: [number, string] }[] };
          };
          return body.data.result[0];
        };
        const received = await waitFor(
          () => query('logsieve_records_received_total'),
          30_000,
          'the scraped counter',
        );
        expect(received.metric).toMatchObject({ job: 'logsieve', stream: 'checkout', source: 'kafka' });
        expect(received.value[1]).toBe('7');
        const buckets = await waitFor(
          () => query('logsieve_processing_latency_seconds_bucket{le="0.005"}'),
          10_000,
          'buckets',
        );
        expect(buckets.metric.stage).toBe('emit');
        expect(buckets.value[1]).toBe('1');
      } finally {
        await prom.stop();
      }
    } finally {
      await metrics.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
