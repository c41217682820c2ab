import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config';
import { waitFor } from '../emit/testing/daemon';
import { decodeOtlpLogsJsonBytes, decodeOtlpLogsProto } from '../ingest/otlp/otlp-logs-decoder';
import { decodeExportLogsResponse, encodeExportLogsRequest } from '../ingest/otlp/otlp-logs-encoder';
import { LOGS_EXPORT_PATH, RpcStatus } from '../ingest/otlp/otlp-logs-schema';
import type { IngestCase } from '../ingest/testing/malformed-corpus';
import type { LogRecord } from '../record';
import { startService, type RunningService } from './service';
import { hostileCorpus } from './testing/hostile-inputs';
import { loopbackEnv } from './testing/loopback-env';
import { parseExposition, sumOf, type Sample } from './testing/prometheus-text';
import { startMinutesAgo, trainTrafficModel } from './testing/service-traffic';

/*
 * Issue 14: a seeded fuzz of hostile stream names, event times, NULs and body shapes through all
 * three ingest paths of a real `logsieve serve` (PGlite, an active model, free ports). Every
 * answer must be a 2xx, a 4xx or a 503 that says why (gRPC: OK, INVALID_ARGUMENT,
 * RESOURCE_EXHAUSTED or a retryable UNAVAILABLE); /healthz and /readyz stay 200 throughout;
 * nothing is logged at error level; every accepted record is processed or counted as dropped; the
 * process stays within a memory bound; and afterwards a canary on each path is processed and
 * stored. Deterministic but for the records dated "now". LOGSIEVE_FUZZ_SEED replays another seed.
 */

const SEED = Number(process.env.LOGSIEVE_FUZZ_SEED ?? 20_261_114);
const CASES = 500;
const MAX_LINE_BYTES = 65_536;
const MAX_BODY_BYTES = 2 << 20;
/** Slowest health answer tolerated, and the resident-memory growth allowed over the run. */
const HEALTH_MS = 2_000;
const RSS_GROWTH_MB = 400;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

interface Answer {
  /** `200`, `400`, `grpc OK`, ... */
  status: string;
  /** Records the answer says were taken. */
  accepted: number;
  /** Set when the answer breaks the rule. */
  problem?: string;
}

/** Records the service decodes from an OTLP payload it accepted (to total the acknowledged ones). */
function decodedCount(c: IngestCase): number {
  let body = c.body();
  if (c.via === 'otlp_grpc') return decodeOtlpLogsProto(body).length;
  if (c.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
  return c.headers['content-type'] === 'application/json'
    ? decodeOtlpLogsJsonBytes(body).length
    : decodeOtlpLogsProto(body).length;
}

/** The reason a 503 gives: REST `{message}`, OTLP/JSON `{message}`, OTLP/protobuf google.rpc.Status. */
function reasonOf(type: string, body: Buffer): string {
  try {
    if (type.startsWith('application/json'))
      return String((JSON.parse(body.toString()) as { message?: unknown }).message ?? '');
    return String(RpcStatus.decode(body).toJSON().message ?? '');
  } catch {
    return '';
  }
}

describe('logsieve serve under a seeded fuzz of hostile names, times, NULs and shapes', () => {
  let dir: string;
  let service: RunningService;
  let grpcClient: grpc.Client;
  const logLines: string[] = [];
  const url = (port: number, p: string) => `http://127.0.0.1:${port}${p}`;

  const scrape = async () =>
    parseExposition(await (await fetch(url(service.ports.metrics, '/metrics'))).text());

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-fuzz-'));
    // An active model, so /readyz is 200 from the start and must stay so.
    await trainTrafficModel(path.join(dir, 'model'), ['api', 'worker'], startMinutesAgo(40), 30, 1);
    const env = await loopbackEnv({
      LOGSIEVE_MODEL__DIR: path.join(dir, 'model'),
      LOGSIEVE_SERVER__MAX_BODY_BYTES: String(MAX_BODY_BYTES),
      LOGSIEVE_LIMITS__MAX_LINE_BYTES: String(MAX_LINE_BYTES),
    });
    const log = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });
    service = await startService(loadConfig({ env, overrides: { dataDir: path.join(dir, 'data') } }), log);
    grpcClient = new grpc.Client(`127.0.0.1:${service.ports.otlpGrpc}`, grpc.credentials.createInsecure());
    await waitFor(
      async () => ((await fetch(url(service.ports.rest, '/readyz'))).ok ? true : undefined),
      30_000,
      'readiness',
    );
  }, 120_000);

  afterAll(async () => {
    grpcClient?.close();
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  async function send(c: IngestCase): Promise<Answer> {
    if (c.via === 'otlp_grpc') {
      const { err, res } = await new Promise<{ err: grpc.ServiceError | null; res?: Buffer }>((resolve) =>
        grpcClient.makeUnaryRequest(
          LOGS_EXPORT_PATH,
          (b: Buffer) => b,
          (b: Buffer) => b,
          c.body(),
          (e, r) => resolve({ err: e, res: r }),
        ),
      );
      if (!err) {
        const rejected = decodeExportLogsResponse(res!)?.rejectedLogRecords ?? 0;
        return { status: 'grpc OK', accepted: decodedCount(c) - rejected };
      }
      const status = `grpc ${grpc.status[err.code]}`;
      const retryable =
        err.code === grpc.status.UNAVAILABLE && err.metadata.get('grpc-status-details-bin').length > 0;
      const fine =
        err.code === grpc.status.INVALID_ARGUMENT || err.code === grpc.status.RESOURCE_EXHAUSTED || retryable;
      return { status, accepted: 0, problem: fine ? undefined : `${status}: ${err.details}` };
    }
    const port = c.via === 'rest' ? service.ports.rest : service.ports.otlpHttp;
    let r: Response;
    try {
      r = await fetch(url(port, c.path), { method: 'POST', headers: c.headers, body: c.body() });
    } catch (err) {
      return { status: 'no answer', accepted: 0, problem: `no answer: ${(err as Error).message}` };
    }
    const body = Buffer.from(await r.arrayBuffer());
    const type = r.headers.get('content-type') ?? '';
    const status = String(r.status);
    if (r.status >= 400 && r.status < 500) return { status, accepted: 0 };
    if (r.status === 503) {
      const reason = reasonOf(type, body);
      return { status, accepted: 0, problem: reason ? undefined : '503 without a reason' };
    }
    if (r.status >= 300)
      return { status, accepted: 0, problem: `${status}: ${body.toString().slice(0, 300)}` };
    if (c.via === 'rest')
      return { status, accepted: (JSON.parse(body.toString()) as { accepted: number }).accepted };
    const partial = type.startsWith('application/json')
      ? (JSON.parse(body.toString()) as { partialSuccess?: { rejectedLogRecords?: string } }).partialSuccess
      : decodeExportLogsResponse(body);
    return { status, accepted: decodedCount(c) - Number(partial?.rejectedLogRecords ?? 0) };
  }

  /** Polls /healthz and /readyz until `done()`; returns the answers that were not a prompt 200. */
  async function watchHealth(done: () => boolean, rss: { peak: number }): Promise<string[]> {
    const bad: string[] = [];
    while (!done()) {
      for (const p of ['/healthz', '/readyz']) {
        const t0 = Date.now();
        try {
          const r = await fetch(url(service.ports.rest, p), { signal: AbortSignal.timeout(10_000) });
          const ms = Date.now() - t0;
          if (r.status !== 200 || ms > HEALTH_MS) bad.push(`${p}: ${r.status} in ${ms} ms ${await r.text()}`);
        } catch (err) {
          bad.push(`${p}: ${(err as Error).message} after ${Date.now() - t0} ms`);
        }
      }
      rss.peak = Math.max(rss.peak, process.memoryUsage.rss());
      await new Promise((ok) => setTimeout(ok, 250));
    }
    return bad;
  }

  /** Scrapes until every acknowledged record is counted received, then processed or dropped with a reason. */
  async function settle(acknowledged: number) {
    const totals = (samples: Sample[]) => ({
      received: sumOf(samples, 'logsieve_records_received_total'),
      done:
        sumOf(samples, 'logsieve_records_processed_total') +
        sumOf(samples, 'logsieve_records_dropped_total', { reason: 'malformed' }) +
        sumOf(samples, 'logsieve_records_dropped_total', { reason: 'pipeline_error' }),
    });
    try {
      return await waitFor(
        async () => {
          const { samples } = await scrape();
          const t = totals(samples);
          return t.received === acknowledged && t.done === t.received ? samples : undefined;
        },
        30_000,
        'every acknowledged record processed',
      );
    } catch (err) {
      const { samples } = await scrape();
      // Per stream: received minus processed and dropped, where it is not 0.
      const missing = new Map<string, number>();
      for (const x of samples) {
        const sign =
          x.name === 'logsieve_records_received_total'
            ? 1
            : x.name === 'logsieve_records_processed_total' || x.name === 'logsieve_records_dropped_total'
              ? -1
              : 0;
        const stream = JSON.stringify(x.labels.get('stream')?.slice(0, 40));
        if (sign) missing.set(stream, (missing.get(stream) ?? 0) + sign * x.value);
      }
      const open = [...missing].filter(([, n]) => n !== 0);
      throw new Error(
        `${(err as Error).message}: acknowledged ${acknowledged}, ${JSON.stringify(totals(samples))}, ` +
          `by stream ${JSON.stringify(open)}`,
      );
    }
  }

  it('answers every hostile request 2xx/4xx, stays healthy and ready, then processes a canary on each path', async () => {
    const corpus = hostileCorpus({
      seed: SEED,
      cases: CASES,
      maxLineBytes: MAX_LINE_BYTES,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    const rssBefore = process.memoryUsage.rss();
    const rss = { peak: rssBefore };
    const problems: string[] = [];
    const byKind = new Map<string, Map<string, number>>();
    let acknowledged = 0;
    const report: string[] = [];
    const t0 = Date.now();
    const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    let sending = true;
    try {
      const health = watchHealth(() => !sending, rss);
      let next = 0;
      const worker = async () => {
        for (let i = next++; i < corpus.length; i = next++) {
          const c = corpus[i]!;
          const a = await send(c);
          acknowledged += a.accepted;
          if (a.problem) problems.push(`case ${i} ${c.kind}: ${a.problem}`);
          const statuses = byKind.get(c.kind) ?? new Map<string, number>();
          statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
          byKind.set(c.kind, statuses);
        }
      };
      await Promise.all(Array.from({ length: 4 }, worker));
      report.push(`${corpus.length} requests answered at ${elapsed()}, ${acknowledged} records acknowledged`);
      const settled = await settle(acknowledged);
      sending = false;
      report.push(
        `all processed at ${elapsed()}: processed ${sumOf(settled, 'logsieve_records_processed_total')}, ` +
          `time-clamped ${sumOf(settled, 'logsieve_records_time_clamped_total')}, dropped malformed ` +
          `${sumOf(settled, 'logsieve_records_dropped_total', { reason: 'malformed' })}, too long ` +
          `${sumOf(settled, 'logsieve_records_dropped_total', { reason: 'too_long' })}; requests refused ` +
          `${sumOf(settled, 'logsieve_ingest_rejected_total')}`,
      );
      expect(problems).toEqual([]);
      expect(await health).toEqual([]);
      expect(sumOf(settled, 'logsieve_records_dropped_total', { reason: 'pipeline_error' })).toBe(0);

      await sendCanaries();
      report.push(`canaries processed and stored at ${elapsed()}`);

      const errors = logLines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
      expect(errors).toEqual([]);
      const { samples, invalid } = await scrape();
      expect(invalid, 'lines of /metrics that do not parse').toEqual([]);
      // No anomaly event waits in the disk buffer: storage took every write.
      expect(sumOf(samples, 'logsieve_storage_buffer_bytes')).toBe(0);
      expect(service.pipeline.failure).toBeNull();
      expect(mb(rss.peak - rssBefore)).toBeLessThan(RSS_GROWTH_MB);
      for (const p of ['/healthz', '/readyz'])
        expect((await fetch(url(service.ports.rest, p))).status, p).toBe(200);
    } finally {
      sending = false;
      const logged = new Map<string, number>();
      for (const l of logLines) {
        const { level, msg } = JSON.parse(l) as { level: number; msg?: unknown };
        const key = `level ${level}: ${String(msg).slice(0, 160)}`;
        logged.set(key, (logged.get(key) ?? 0) + 1);
      }
      console.log(
        [
          `service fuzz (seed ${SEED}, LOGSIEVE_FUZZ_SEED to replay another):`,
          ...report.map((l) => `  ${l}`),
          `  rss ${mb(rssBefore)} MB before, ${mb(rss.peak)} MB peak`,
          ...[...byKind]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([kind, st]) => `  ${kind.padEnd(34)} ${[...st].map(([k, n]) => `${k}: ${n}`).join(', ')}`),
          ...[...logged].map(([msg, n]) => `  logged ${n}x ${msg}`),
        ].join('\n'),
      );
    }
  }, 120_000);

  /** A canary in a normal stream on each path: processed, and stored (persistence is not poisoned). */
  async function sendCanaries() {
    const now = Date.now();
    const canary = (stream: string): LogRecord => ({
      stream,
      line: 1,
      timeMs: now,
      severityNumber: 9,
      severityText: 'INFO',
      body: `canary user 42 logged in via ${stream}`,
    });
    const viaHttp = await fetch(url(service.ports.otlpHttp, '/v1/logs'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: encodeExportLogsRequest([canary('canary-otlp-http')]),
    });
    expect(viaHttp.status).toBe(200);
    expect(decodeExportLogsResponse(Buffer.from(await viaHttp.arrayBuffer()))).toBeNull();
    const grpcBody = Buffer.from(encodeExportLogsRequest([canary('canary-otlp-grpc')]));
    expect(await send({ via: 'otlp_grpc', kind: 'canary', body: () => grpcBody })).toEqual({
      status: 'grpc OK',
      accepted: 1,
    });
    const viaRest = await fetch(url(service.ports.rest, '/api/v1/logs?stream=canary-rest'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([`${new Date(now).toISOString()} INFO canary user 42 logged in via rest`]),
    });
    expect(viaRest.status).toBe(202);
    expect(await viaRest.json()).toEqual({ accepted: 1, rejected: 0 });
    const canaries = ['canary-otlp-http', 'canary-otlp-grpc', 'canary-rest'];
    await waitFor(
      async () => {
        const { samples } = await scrape();
        return canaries.every((s) => sumOf(samples, 'logsieve_records_processed_total', { stream: s }) === 1)
          ? true
          : undefined;
      },
      20_000,
      'the canaries processed',
    );
    await waitFor(
      async () => {
        const r = await fetch(url(service.ports.rest, '/api/v1/streams'));
        const items = ((await r.json()) as { items: { stream: string }[] }).items.map((i) => i.stream);
        return canaries.every((s) => items.includes(s)) ? true : undefined;
      },
      30_000,
      'the canary streams in /api/v1/streams',
    );
  }
});
