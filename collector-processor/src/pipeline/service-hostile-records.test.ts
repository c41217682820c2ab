import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultThreshold } from '../api/service-backend';
import { configSchema, type Config } from '../config/config-schema';
import { waitFor } from '../emit/testing/daemon';
import { logsServiceDefinition } from '../ingest/otlp-grpc-receiver';
import { encodeExportLogsRequest } from '../ingest/otlp/otlp-logs-encoder';
import type { LogRecord } from '../record';
import type { LivePipeline } from './live-pipeline';
import { startService, type RunningService } from './service';
import { PROTOTYPE_NAMES } from './testing/prototype-names';
import { startMinutesAgo, trainTrafficModel } from './testing/service-traffic';

const record = (stream: string, body: string): LogRecord => ({
  stream,
  line: 1,
  timeMs: Date.now(),
  severityNumber: 9,
  severityText: 'INFO',
  body,
});

/** The reproduction: `curl --data '{"resourceLogs":...}' 127.0.0.1:4318/v1/logs`. */
const otlpJson = (service: string, body: string) =>
  JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeLogs: [{ logRecords: [{ body: { stringValue: body } }] }],
      },
    ],
  });

// `logsieve serve` with an active model (ready), fed records no stage may stop on.
describe('logsieve serve: hostile records never stop the pipeline', () => {
  let dir: string;
  let config: Config;
  let service: RunningService;
  const rest = (p: string) => `http://127.0.0.1:${service.ports.rest}${p}`;
  const otlp = () => `http://127.0.0.1:${service.ports.otlpHttp}/v1/logs`;

  const grpcExport = (records: LogRecord[]) => {
    const Client = grpc.makeGenericClientConstructor(logsServiceDefinition, 'LogsService');
    const c = new Client(`127.0.0.1:${service.ports.otlpGrpc}`, grpc.credentials.createInsecure());
    return new Promise<grpc.ServiceError | null>((resolve) =>
      (c as unknown as { Export: (r: Uint8Array, cb: (e: grpc.ServiceError | null) => void) => void }).Export(
        encodeExportLogsRequest(records),
        (err) => {
          c.close();
          resolve(err);
        },
      ),
    );
  };

  /** logsieve_records_processed_total (or another series) of a stream, from /metrics. */
  const counter = async (metric: string, stream: string, extra = '') => {
    const text = await (await fetch(`http://127.0.0.1:${service.ports.metrics}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`${metric}{`) && l.includes(`stream="${stream}"`) && l.includes(extra));
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
  };
  const processed = (stream: string) => counter('logsieve_records_processed_total', stream);

  /** Sends a canary through OTLP/HTTP and waits until the pipeline processed it. */
  const canaryProcessed = async (stream: string) => {
    const before = await processed(stream);
    const r = await fetch(otlp(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: otlpJson(stream, `canary ${before}`),
    });
    expect(r.status).toBe(200);
    await waitFor(
      async () => ((await processed(stream)) > before ? true : undefined),
      20_000,
      `${stream} processed`,
    );
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-hostile-'));
    await trainTrafficModel(path.join(dir, 'bundle'), ['api', 'worker'], startMinutesAgo(120), 30, 1);
    config = configSchema.parse({
      dataDir: path.join(dir, 'data'),
      server: { host: '127.0.0.1', ports: { otlpHttp: 0, otlpGrpc: 0, rest: 0, metrics: 0 } },
      model: { dir: path.join(dir, 'bundle') },
    });
    service = await startService(config, pino({ level: 'silent' }));
    await waitFor(async () => ((await fetch(rest('/readyz'))).ok ? true : undefined), 30_000, 'readiness');
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('processes streams named like Object.prototype members over OTLP/HTTP, gRPC and REST, and the streams after them', async () => {
    for (const name of PROTOTYPE_NAMES) {
      const r = await fetch(otlp(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: otlpJson(name, 'x'),
      });
      expect(r.status, name).toBe(200);
      expect(await grpcExport([record(name, `user 1 logged in via ${name}`)])).toBeNull();
      const q = await fetch(rest(`/api/v1/logs?stream=${encodeURIComponent(name)}`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(['plain line', { line: 'item line', stream: name }]),
      });
      expect(q.status, name).toBe(202);
    }
    await canaryProcessed('canary');
    await service.pipeline.drained();
    for (const name of PROTOTYPE_NAMES) expect(await processed(name), name).toBe(4);
    expect(service.pipeline.failure).toBeNull();
    expect((await fetch(rest('/readyz'))).status).toBe(200);
    const health = (await (await fetch(rest('/api/v1/health'))).json()) as { status: string };
    expect(health.status).toBe('ok');
  });

  it('stores and reads back a threshold for a stream named __proto__ or constructor, also after a restart', async () => {
    const t = defaultThreshold(0.01, 42);
    for (const name of ['__proto__', 'constructor']) {
      const r = await fetch(rest(`/api/v1/thresholds/streams/${name}`), {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(t),
      });
      expect(r.status).toBe(200);
    }
    const read = async () =>
      ((await (await fetch(rest('/api/v1/thresholds'))).json()) as { streams: Record<string, unknown> })
        .streams;
    for (const streams of [
      await read(),
      await (async () => {
        await service.stop();
        service = await startService(config, pino({ level: 'silent' }));
        return read();
      })(),
    ]) {
      expect(Object.keys(streams).sort()).toEqual(['__proto__', 'constructor']);
      expect(Object.getOwnPropertyDescriptor(streams, '__proto__')?.value).toEqual(t);
      expect(streams['constructor']).toEqual(t);
    }
    expect((await fetch(rest('/api/v1/thresholds/streams/__proto__'), { method: 'DELETE' })).status).toBe(
      204,
    );
    expect(Object.keys(await read())).toEqual(['constructor']);
  });

  it('drops a record a stage fails on (counted), and keeps processing', async () => {
    const poisoned = Object.defineProperty(record('poison', ''), 'body', {
      get() {
        throw new Error('poisoned record');
      },
    });
    await service.pipeline.accept([poisoned], 'rest');
    await service.pipeline.drained();
    expect(await counter('logsieve_records_dropped_total', 'poison', 'reason="pipeline_error"')).toBe(1);
    expect(service.pipeline.failure).toBeNull();
    await canaryProcessed('canary');
  });

  it('fails readiness and refuses records with 503 while a failed pipeline restarts, then processes again', async () => {
    // A failure of the loop itself (here: its scoring step), not of one record.
    const p = service.pipeline as unknown as { scoreClosed: LivePipeline['tick'] };
    const scoreClosed = p.scoreClosed;
    p.scoreClosed = () => Promise.reject(new Error('scoring stage down'));
    const sent = await fetch(rest('/api/v1/logs?stream=api'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(['INFO api GET /items/1 200 in 10 ms']),
    });
    expect(sent.status).toBe(202);
    await waitFor(async () => (service.pipeline.failure ? true : undefined), 10_000, 'the failure');
    p.scoreClosed = scoreClosed;
    const [ready, health, viaOtlp, viaRest, viaGrpc] = await Promise.all([
      fetch(rest('/readyz')),
      fetch(rest('/api/v1/health')).then((r) => r.json() as Promise<{ status: string; ready: boolean }>),
      fetch(otlp(), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: otlpJson('api', 'y'),
      }),
      fetch(rest('/api/v1/logs?stream=api'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(['y']),
      }),
      grpcExport([record('api', 'y')]),
    ]);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { reason: string }).reason).toMatch(
      /pipeline failed.*scoring stage down/,
    );
    expect(health).toMatchObject({ status: 'degraded', ready: false });
    expect(viaOtlp.status).toBe(503);
    expect(viaRest.status).toBe(503);
    expect(viaGrpc?.code).toBe(grpc.status.UNAVAILABLE);
    // The loop restarts by itself.
    await waitFor(
      async () => ((await fetch(rest('/readyz'))).ok ? true : undefined),
      20_000,
      'readiness again',
    );
    await canaryProcessed('canary-after-restart');
  });
});
