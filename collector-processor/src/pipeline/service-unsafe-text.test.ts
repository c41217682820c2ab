import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config/load-config';
import { waitFor } from '../emit/testing/daemon';
import { logsServiceDefinition } from '../ingest/otlp-grpc-receiver';
import { encodeExportLogsRequest } from '../ingest/otlp/otlp-logs-encoder';
import { openStorage, storageOptions } from '../store/open-storage';
import type { StreamSummary } from '../store/storage';
import { PIPELINE_STATE } from './pipeline-state';
import { startService, type RunningService } from './service';
import { loopbackEnv } from './testing/loopback-env';

const R = '\ufffd';

/*
 * Issue 14 item 3: one NUL in a body made every template flush and snapshot fail (PostgreSQL
 * text and jsonb cannot hold U+0000), so new streams never appeared; a NUL in a stream name
 * answered 500 / INTERNAL. Text is now stored with U+FFFD in place of NUL and lone surrogates.
 */
describe('logsieve serve with NUL and lone surrogates in records', () => {
  let dir: string;
  let config: Config;
  let service: RunningService | undefined;
  const url = (port: number, p: string) => `http://127.0.0.1:${port}${p}`;
  const rest = (p: string) => url(service!.ports.rest, p);
  const otlpJson = (serviceName: string, body: string) =>
    fetch(url(service!.ports.otlpHttp, '/v1/logs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
            scopeLogs: [
              {
                logRecords: [
                  { timeUnixNano: String(BigInt(Date.now()) * 1_000_000n), body: { stringValue: body } },
                ],
              },
            ],
          },
        ],
      }),
    });
  const streamNames = async () =>
    ((await (await fetch(rest('/api/v1/streams'))).json()) as { items: StreamSummary[] }).items.map(
      (x) => x.stream,
    );

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-nul-'));
    config = loadConfig({ env: await loopbackEnv(), overrides: { dataDir: dir } });
    service = await startService(config, pino({ level: 'silent' }));
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps storing templates and snapshots after a NUL body; new streams appear', async () => {
    // The reproduction, JSON-escaped exactly as a client sends it.
    expect((await otlpJson('nul-body', 'user 5 said \u0000 hello')).status).toBe(200);
    expect((await otlpJson('lone-surrogate', 'half an emoji \ud83d here')).status).toBe(200);
    expect((await otlpJson('fresh', 'a record of a new stream')).status).toBe(200);
    const names = await waitFor(
      async () => {
        const n = await streamNames();
        return n.includes('fresh') ? n : undefined;
      },
      30_000,
      'the new stream in /api/v1/streams',
    );
    expect(names).toEqual(expect.arrayContaining(['nul-body', 'lone-surrogate', 'fresh']));
    const templates = (await (await fetch(rest('/api/v1/templates?stream=nul-body'))).json()) as {
      items: { example: string }[];
    };
    expect(templates.items[0]?.example).toBe(`user 5 said ${R} hello`);
  }, 60_000);

  it('takes a NUL stream name on OTLP/HTTP, gRPC and REST (stored with U+FFFD), never 500', async () => {
    expect((await otlpJson('http\u0000name', 'from http')).status).toBe(200);

    const Client = grpc.makeGenericClientConstructor(logsServiceDefinition, 'LogsService');
    const c = new Client(`127.0.0.1:${service!.ports.otlpGrpc}`, grpc.credentials.createInsecure());
    const payload = encodeExportLogsRequest([
      {
        stream: 'grpc\u0000name',
        line: 1,
        timeMs: Date.now(),
        severityNumber: 9,
        severityText: '',
        body: 'x',
      },
    ]);
    const err = await new Promise<grpc.ServiceError | null>((resolve) =>
      (c as unknown as { Export: (r: Uint8Array, cb: (e: grpc.ServiceError | null) => void) => void }).Export(
        payload,
        (e) => resolve(e),
      ),
    );
    c.close();
    expect(err).toBeNull();

    const r = await fetch(rest('/api/v1/logs?stream=rest%00name'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(['from rest', { line: 'named in the body', stream: 'body\u0000name' }]),
    });
    expect(r.status).toBe(202);
    await waitFor(
      async () => {
        const n = await streamNames();
        return ['http', 'grpc', 'rest', 'body'].every((p) => n.includes(`${p}${R}name`)) ? true : undefined;
      },
      30_000,
      'the NUL-named streams, stored with U+FFFD',
    );
  }, 60_000);

  it('answers a NUL in a path parameter 400 with the reason', async () => {
    const r = await fetch(rest('/api/v1/anomalies/x%00'));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { message: string }).message).toMatch(/path\.id: contains NUL/);
    const del = await fetch(rest('/api/v1/thresholds/streams/x%00'), { method: 'DELETE' });
    expect(del.status).toBe(400);
  });

  it('snapshots every stream, the NUL ones included', async () => {
    await service!.stop();
    service = undefined;
    const storage = await openStorage(storageOptions(config));
    try {
      const stored = (await storage.listStates(PIPELINE_STATE)).map((s) => s.stream);
      expect(stored).toEqual(
        expect.arrayContaining(['nul-body', 'lone-surrogate', 'fresh', `http${R}name`, `rest${R}name`]),
      );
    } finally {
      await storage.close();
    }
  }, 60_000);
});
