import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnomalyEvent } from '../anomaly-event';
import { documentedMetrics } from '../emit/testing/documented-metrics';
import { parseExposition } from './testing/prometheus-text';
import { errorBurst, normalMinute, startMinutesAgo } from './testing/service-traffic';

const bin = resolve(import.meta.dirname, '../../bin/logsieve.js');

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

async function until<T>(what: string, f: () => Promise<T | undefined>, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

// The service with no configuration file and no services: PGlite under a temp data dir, ports
// from LOGSIEVE_* overrides, a short baseline.
describe('logsieve serve on embedded defaults', () => {
  let proc: ChildProcess;
  const ports = { rest: 0, otlpHttp: 0, otlpGrpc: 0, metrics: 0 };
  // Event time ends about now: the service closes windows by the clock too (quiet streams).
  const start = startMinutesAgo(60);
  const rest = (path: string) => `http://127.0.0.1:${ports.rest}${path}`;
  const post = async (stream: string, lines: string[]) => {
    const r = await fetch(rest(`/api/v1/logs?stream=${stream}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(lines),
    });
    expect(r.status).toBe(202);
  };
  const postMinutes = async (from: number, to: number, extra?: (i: number) => string[]) => {
    for (let i = from; i < to; i++) {
      const m = normalMinute(start, i);
      await post('api', [...m.api, ...(extra?.(i) ?? [])]);
      await post('worker', m.worker);
    }
  };

  beforeAll(async () => {
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    proc = spawn(
      process.execPath,
      [bin, 'serve', '--data-dir', mkdtempSync(join(tmpdir(), 'logsieve-serve-'))],
      {
        env: {
          ...process.env,
          LOGSIEVE_SERVER__PORTS__REST: String(ports.rest),
          LOGSIEVE_SERVER__PORTS__OTLP_HTTP: String(ports.otlpHttp),
          LOGSIEVE_SERVER__PORTS__OTLP_GRPC: String(ports.otlpGrpc),
          LOGSIEVE_SERVER__PORTS__METRICS: String(ports.metrics),
          LOGSIEVE_MODEL__BASELINE_MINUTES: '30',
          LOGSIEVE_MODEL__BASELINE_MIN_UNITS: '60',
          LOGSIEVE_LIMITS__MAX_TEMPLATES_PER_STREAM: '100',
          LOGSIEVE_LOG__LEVEL: 'warn',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    );
    await until('the REST port', async () => ((await fetch(rest('/healthz'))).ok ? true : undefined), 60_000);
  }, 90_000);

  afterAll(async () => {
    proc?.kill('SIGTERM');
    await new Promise((r) => proc?.once('exit', r));
  });

  it('is not ready before it has a model, and says why', async () => {
    const r = await fetch(rest('/readyz'));
    expect(r.status).toBe(503);
    expect(((await r.json()) as { reason: string }).reason).toMatch(/collecting a baseline/);
  });

  it('learns a baseline from posted logs, then reports a burst of new errors as an anomaly', async () => {
    await postMinutes(0, 45);
    await until(
      'readiness',
      async () => ((await fetch(rest('/readyz'))).status === 200 ? true : undefined),
      90_000,
    );
    const health = (await (await fetch(rest('/api/v1/health'))).json()) as { model: { state: string } };
    expect(health.model.state).toBe('active');
    // Two minutes with an error burst in api, then normal minutes so the windows close.
    await postMinutes(45, 50, (i) => (i === 46 || i === 47 ? errorBurst(start, i) : []));
    const found = await until(
      'an anomaly',
      async () => {
        const body = (await (await fetch(rest('/api/v1/anomalies?stream=api'))).json()) as {
          items: AnomalyEvent[];
        };
        return body.items.length ? body.items : undefined;
      },
      60_000,
    );
    const burst = [start + 46 * 60_000, start + 47 * 60_000];
    const a = found.find((x) => burst.includes(Date.parse(x.start)))!;
    // Only the burst is anomalous: the normal minutes around it are not.
    expect(
      found.every((x) => burst.includes(Date.parse(x.start))),
      JSON.stringify(found.map((x) => x.start)),
    ).toBe(true);
    expect(a).toBeDefined();
    expect(a.explanation.summary).toMatch(/never-seen/);
    expect(Object.keys(a.models)).toHaveLength(5);
    expect(a.sampleLines.some((l) => l.includes('refused connection'))).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
    expect(metrics).toMatch(/logsieve_anomalies_total\{[^}]*stream="api"/);
    expect(metrics).toMatch(/logsieve_model_ready 1/);
    // The burst's lines match no trained template: new templates, counted for LogTemplateBurst.
    expect(metrics).toMatch(/logsieve_templates_new_total\{[^}]*stream="api"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/logsieve_templates_active\{[^}]*stream="worker"[^}]*\} [1-9]/);
  }, 200_000);

  it('decides by the threshold false-alarm rate as well as by its score', async () => {
    const call = async (method: string, path: string, body: unknown) => {
      const r = await fetch(rest(path), {
        method,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(r.status).toBe(200);
      return (await r.json()) as { units: number; proposed: number };
    };
    const bundle = ((await (await fetch(rest('/api/v1/thresholds'))).json()) as { global: object }).global;
    // minScore 0 passes every unit: whatever is flagged then, the rate alone decided.
    const byRate = (falseAlarmRate: number) => ({ ...bundle, minScore: 0, falseAlarmRate });
    const preview = (falseAlarmRate: number) =>
      call('POST', '/api/v1/thresholds/preview', { threshold: byRate(falseAlarmRate), hours: 2 });
    const strict = await preview(1e-3);
    expect(strict.units).toBeGreaterThan(20);
    expect(strict.proposed).toBeGreaterThan(0); // the burst
    expect(strict.proposed).toBeLessThan(strict.units / 4);
    expect((await preview(0.49)).proposed).toBeGreaterThanOrEqual(strict.proposed);

    // Live: normal minutes under that setting raise nothing.
    await call('PUT', '/api/v1/thresholds/global', byRate(1e-3));
    await postMinutes(50, 56);
    await until(
      'the new windows scored',
      async () => ((await preview(1e-3)).units >= strict.units + 8 ? true : undefined),
      60_000,
    );
    const body = (await (await fetch(rest('/api/v1/anomalies?limit=500'))).json()) as {
      items: AnomalyEvent[];
    };
    const later = body.items.filter((a) => Date.parse(a.start) >= start + 50 * 60_000);
    expect(later.map((a) => `${a.stream} ${a.start} ${a.score}`)).toEqual([]);
    await call('PUT', '/api/v1/thresholds/global', bundle);
  }, 120_000);

  it('answers malformed OTLP with 4xx, counts it, and keeps serving', async () => {
    const otlp = `http://127.0.0.1:${ports.otlpHttp}/v1/logs`;
    const send = (body: Buffer | string, type: string) =>
      fetch(otlp, { method: 'POST', headers: { 'content-type': type }, body });
    expect((await send(Buffer.from([0x0a, 0xff, 0xff, 0x0f]), 'application/x-protobuf')).status).toBe(400);
    expect((await send('hello', 'text/plain')).status).toBe(415);
    expect((await send(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d]), 'application/json')).status).toBe(
      400,
    );
    // 20 MB once decompressed, sent gzipped: the limit holds after gunzip, and a small upload
    // cannot race the early 413 (the raw 20 MB body is covered by the receiver's own tests).
    const bomb = gzipSync(Buffer.alloc(20 << 20, 0x61));
    const big = await fetch(otlp, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
      body: bomb,
    });
    expect(big.status).toBe(413);
    const metrics = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
    expect(metrics).toMatch(/logsieve_ingest_rejected_total\{[^}]*reason="bad_payload"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/reason="unsupported_media_type"/);
    expect(metrics).toMatch(/reason="too_large"/);
    expect((await fetch(rest('/healthz'))).status).toBe(200);
  });

  it('exports every metric docs/metrics.md documents, as documented, after real traffic', async () => {
    // A producer whose clock is 75 years ahead, and one logging more kinds of line than the limit.
    await post('clock', [
      JSON.stringify({ time: '2100-01-01T00:00:00Z', level: 'info', msg: 'clock ahead' }),
    ]);
    await post(
      'flood',
      // Lines of different lengths never share a template.
      Array.from({ length: 150 }, (_, i) => Array.from({ length: i + 1 }, () => 'step').join(' ')),
    );
    // A line three minutes old after a current one: its window had closed (late).
    const at = (agoMs: number) => new Date(Date.now() - agoMs).toISOString();
    await post(
      'late',
      [180_000, 0, 180_000].map((ago) => JSON.stringify({ time: at(ago), level: 'info', msg: 'tick' })),
    );
    const scrape = async () => (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
    await until(
      'the clamp, overflow and late counts',
      async () => {
        const text = await scrape();
        const counted = (text.match(/time_clamped|templates_overflow/g)?.length ?? 0) >= 4;
        return (counted && text.includes('logsieve_records_late_total{')) || undefined;
      },
      30_000,
    );
    const text = await scrape();
    const { samples, invalid } = parseExposition(text);
    expect(invalid).toEqual([]);
    const missing: string[] = [];
    for (const [name, doc] of await documentedMetrics()) {
      const type = new RegExp(`^# TYPE ${name} (\\w+)$`, 'm').exec(text)?.[1];
      if (type === undefined) missing.push(name);
      else expect(type, name).toBe(doc.type);
      const own = samples.filter((x) => x.name === name || x.name.startsWith(`${name}_`));
      for (const x of own)
        for (const l of x.labels.keys()) if (l !== 'le') expect(doc.labels, name).toContain(l);
    }
    // The Kafka input's two are scraped by service-kafka.test.ts, against librdkafka's mock cluster;
    // the feedback pair by service-replicas.test.ts (two replicas on PostgreSQL and Redis).
    expect(missing.sort()).toEqual([
      'logsieve_anomalies_suppressed_total',
      'logsieve_feedback_total',
      'logsieve_kafka_consumer_lag',
      'logsieve_kafka_messages_duplicate_total',
    ]);
  });
});
