import { gzipSync } from 'node:zlib';
import Fastify from 'fastify';
import { describe, it, expect } from 'vitest';
import { restLogsRoute } from './rest-logs-route';
import { OverloadedError } from './overloaded-error';
import type { IngestRejectReason } from './record-sink';
import { collectingSink } from './testing/collecting-sink';

async function build(
  limits: Partial<{ maxBodyBytes: number; maxLineBytes: number; maxRecordsPerRequest: number }> = {},
) {
  const collected = collectingSink();
  const rejected: IngestRejectReason[] = [];
  const app = Fastify();
  await app.register(restLogsRoute, {
    sink: collected.sink,
    maxBodyBytes: limits.maxBodyBytes ?? 1 << 20,
    maxLineBytes: limits.maxLineBytes ?? 1000,
    maxRecordsPerRequest: limits.maxRecordsPerRequest ?? 100,
    hooks: { onRejected: (_s, r) => rejected.push(r) },
  });
  const post = (
    payload: string | Buffer,
    type = 'application/json',
    url = '/api/v1/logs',
    extra: Record<string, string> = {},
  ) => app.inject({ method: 'POST', url, headers: { 'content-type': type, ...extra }, payload });
  return { app, post, rejected, ...collected };
}

describe('POST /api/v1/logs', () => {
  it('takes a JSON array of strings and objects, with ?stream= as the default stream', async () => {
    const t = await build();
    const res = await t.post(
      JSON.stringify(['2026-11-24 10:00:00 INFO started', { line: 'GET /x 200', stream: 'nginx' }]),
      'application/json',
      '/api/v1/logs?stream=app',
    );
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: 2, rejected: 0 });
    expect(t.records()).toEqual([
      {
        stream: 'app',
        line: 1,
        timeMs: null,
        severityNumber: 0,
        severityText: '',
        body: '2026-11-24 10:00:00 INFO started',
        raw: '2026-11-24 10:00:00 INFO started',
      },
      {
        stream: 'nginx',
        line: 2,
        timeMs: null,
        severityNumber: 0,
        severityText: '',
        body: 'GET /x 200',
        raw: 'GET /x 200',
      },
    ]);
    expect(t.batches[0]?.source).toBe('rest');
  });

  it('takes NDJSON (gzip too) and text/plain, skipping blank separators', async () => {
    const t = await build();
    const nd = '{"line":"a","stream":"s1"}\n"b"\n\n{"line":"c"}\n';
    expect(
      (
        await t.post(gzipSync(nd), 'application/x-ndjson', '/api/v1/logs', { 'content-encoding': 'gzip' })
      ).json(),
    ).toEqual({ accepted: 3, rejected: 0 });
    expect((await t.post('x 1\r\ny 2\n', 'text/plain; charset=utf-8')).json()).toEqual({
      accepted: 2,
      rejected: 0,
    });
    expect(t.records().map((r) => `${r.stream}:${r.body}`)).toEqual([
      's1:a',
      'unknown_service:b',
      'unknown_service:c',
      'unknown_service:x 1',
      'unknown_service:y 2',
    ]);
  });

  it('counts lines over limits.maxLineBytes as rejected', async () => {
    const t = await build({ maxLineBytes: 10 });
    const res = await t.post(JSON.stringify(['short', 'é'.repeat(6)]));
    expect(res.json()).toEqual({ accepted: 1, rejected: 1 });
  });

  it('400 for invalid JSON, wrong shapes, bad NDJSON and invalid UTF-8', async () => {
    const t = await build();
    const bad: [string | Buffer, string][] = [
      ['["a",', 'application/json'],
      ['{"line":"a"}', 'application/json'],
      ['[1]', 'application/json'],
      ['[{"line":"a","stream":5}]', 'application/json'],
      ['{"line":"a"}\n{oops', 'application/x-ndjson'],
      [Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]), 'application/json'],
    ];
    for (const [payload, type] of bad) {
      const res = await t.post(payload, type);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ error: 'bad_payload' });
      expect(res.json().message).toBeTruthy();
    }
    expect(t.records()).toHaveLength(0);
  });

  it('413 past the body or record limit, 415 for other types', async () => {
    const t = await build({ maxBodyBytes: 100, maxRecordsPerRequest: 2 });
    expect((await t.post(JSON.stringify(['x'.repeat(200)]))).statusCode).toBe(413);
    expect((await t.post(JSON.stringify(['a', 'b', 'c']))).statusCode).toBe(413);
    expect((await t.post('<a/>', 'application/xml')).statusCode).toBe(415);
    expect(t.rejected).toEqual(['too_large', 'too_large', 'unsupported_media_type']);
  });

  it('429 with Retry-After when overloaded', async () => {
    const t = await build();
    t.failWith(new OverloadedError('queue full', 4));
    const res = await t.post('["a"]');
    expect(res.statusCode).toBe(429);
    expect(res.headers['retry-after']).toBe('4');
    expect(res.json()).toMatchObject({ error: 'overloaded' });
  });
});
