import { scrapeSum } from '../pipeline/testing/prometheus-text';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config/load-config';
import { waitFor } from '../emit/testing/daemon';
import { distinctTemplateLines } from '../mine/testing/distinct-templates';
import { startService, type RunningService } from '../pipeline/service';
import { unitSpecFromFlags } from '../pipeline/unit-spec';
import type { LogRecord } from '../record';
import { LOGS_EXPORT_PATH } from './otlp/otlp-logs-schema';
import { decodeOtlpLogsJsonBytes, decodeOtlpLogsProto } from './otlp/otlp-logs-decoder';
import { decodeExportLogsResponse, encodeExportLogsRequest } from './otlp/otlp-logs-encoder';
import {
  BAD_REGEXES,
  configCorpus,
  ingestCorpus,
  type GrpcCase,
  type HttpCase,
  type IngestCase,
} from './testing/malformed-corpus';
import { loopbackEnv } from '../pipeline/testing/loopback-env';

/*
 * A seeded corpus of over 1,000 hostile inputs against a real in-process `logsieve serve` on its
 * embedded defaults, with valid traffic interleaved. Every case must be answered with a 4xx (or a
 * gRPC error status) or accepted with its skipped records counted; the service's own metrics must
 * agree with the answers, and the valid traffic must be accepted and processed throughout.
 */

const SEED = 20261124;
const MAX_RECORDS = 2000;
const MAX_BODY = 12 << 20;
const TEMPLATE_LIMIT = 50;
const bin = path.resolve(import.meta.dirname, '../../bin/logsieve.js');

type Via = IngestCase['via'];
interface Tally {
  /** Answers per listener: refused (4xx / gRPC error counted by ingest), accepted. */
  refused: Record<Via, number>;
  /** gRPC errors from outside the logs service (unknown methods): UNIMPLEMENTED, not ingest's. */
  unimplemented: number;
  /** Records the service said it accepted, and those it said it skipped (partial success). */
  accepted: number;
  skipped: number;
  byKind: Map<string, { cases: number; refused: number; accepted: number; skipped: number; ms: number }>;
}

/** Records the service would decode from a request it accepted (to check received_total). */
function decodedCount(c: HttpCase | GrpcCase): number {
  let body = c.body();
  if (c.via !== 'otlp_grpc' && c.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
  if (c.via === 'otlp_grpc') return decodeOtlpLogsProto(body).length;
  return c.headers['content-type']?.startsWith('application/json')
    ? decodeOtlpLogsJsonBytes(body).length
    : decodeOtlpLogsProto(body).length;
}

describe('malformed-input corpus against logsieve serve', () => {
  let dir: string;
  let service: RunningService;
  let grpcClient: grpc.Client;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-corpus-'));
    const env = await loopbackEnv({
      LOGSIEVE_SERVER__MAX_BODY_BYTES: String(MAX_BODY),
      LOGSIEVE_LIMITS__MAX_RECORDS_PER_REQUEST: String(MAX_RECORDS),
      LOGSIEVE_LIMITS__MAX_TEMPLATES_PER_STREAM: String(TEMPLATE_LIMIT),
      // Keep collecting a baseline: training on corpus garbage is not what this test is about.
      LOGSIEVE_MODEL__BASELINE_MIN_UNITS: '1000000000',
    });
    service = await startService(loadConfig({ env, overrides: { dataDir: dir } }), pino({ level: 'silent' }));
    grpcClient = new grpc.Client(`127.0.0.1:${service.ports.otlpGrpc}`, grpc.credentials.createInsecure());
  }, 60_000);

  afterAll(async () => {
    grpcClient?.close();
    await service?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const grpcCall = (method: string, body: Buffer) =>
    new Promise<{ code: grpc.status; res?: Buffer }>((resolve) => {
      grpcClient.makeUnaryRequest(
        method,
        (b: Buffer) => b,
        (b: Buffer) => b,
        body,
        (err, res) => resolve({ code: err ? err.code : grpc.status.OK, res }),
      );
    });

  const httpPost = async (port: number, p: string, headers: Record<string, string>, body: Buffer) => {
    const r = await fetch(`http://127.0.0.1:${port}${p}`, { method: 'POST', headers, body });
    return {
      status: r.status,
      type: r.headers.get('content-type') ?? '',
      body: Buffer.from(await r.arrayBuffer()),
    };
  };

  /** Sends one case; returns what the answer says happened to it. */
  async function send(
    c: IngestCase,
  ): Promise<{ refused: boolean; unimplemented?: boolean; accepted: number; skipped: number }> {
    if (c.via === 'otlp_grpc') {
      const { code, res } = await grpcCall(c.method ?? LOGS_EXPORT_PATH, c.body());
      if (code === grpc.status.UNIMPLEMENTED)
        return { refused: true, unimplemented: true, accepted: 0, skipped: 0 };
      if (code !== grpc.status.OK) {
        expect(
          [grpc.status.INVALID_ARGUMENT, grpc.status.RESOURCE_EXHAUSTED],
          `${c.kind}: gRPC ${code}`,
        ).toContain(code);
        return { refused: true, accepted: 0, skipped: 0 };
      }
      const skipped = decodeExportLogsResponse(res!)?.rejectedLogRecords ?? 0;
      return { refused: false, accepted: decodedCount(c) - skipped, skipped };
    }
    const port = c.via === 'rest' ? service.ports.rest : service.ports.otlpHttp;
    const r = await httpPost(port, c.path, c.headers, c.body());
    expect(r.status, `${c.kind} answered ${r.status}: ${r.body.toString().slice(0, 200)}`).toBeLessThan(500);
    if (r.status >= 400) return { refused: true, accepted: 0, skipped: 0 };
    if (c.via === 'rest') {
      const { accepted, rejected } = JSON.parse(r.body.toString()) as { accepted: number; rejected: number };
      return { refused: false, accepted, skipped: rejected };
    }
    const partial = r.type.startsWith('application/json')
      ? (JSON.parse(r.body.toString()) as { partialSuccess?: { rejectedLogRecords?: string } }).partialSuccess
      : decodeExportLogsResponse(r.body);
    const skipped = Number(partial?.rejectedLogRecords ?? 0);
    return { refused: false, accepted: decodedCount(c) - skipped, skipped };
  }

  it('answers every hostile input with a 4xx or a counted skip and keeps serving valid traffic', async () => {
    const corpus = ingestCorpus({ seed: SEED, maxRecordsPerRequest: MAX_RECORDS, maxBodyBytes: MAX_BODY });
    expect(
      ingestCorpus({ seed: SEED, maxRecordsPerRequest: MAX_RECORDS, maxBodyBytes: MAX_BODY }).map(
        (c) => c.kind,
      ),
    ).toEqual(corpus.map((c) => c.kind));
    const tally: Tally = {
      refused: { otlp_http: 0, otlp_grpc: 0, rest: 0 },
      unimplemented: 0,
      accepted: 0,
      skipped: 0,
      byKind: new Map(),
    };

    // Valid traffic: REST lines and OTLP/protobuf records of their own streams, all along.
    const valid = { rest: 0, otlp: 0, requests: 0 };
    const validRecords = (n: number, k: number): LogRecord[] =>
      Array.from({ length: n }, (_, i) => ({
        stream: 'valid-otlp',
        line: i + 1,
        timeMs: Date.now(),
        severityNumber: 9,
        severityText: 'INFO',
        body: `order ${k * 10 + i} shipped in ${i} ms`,
      }));
    const sendValid = async () => {
      const k = valid.requests++;
      const lines = Array.from({ length: 10 }, (_, i) => `GET /items/${k * 10 + i} 200 in ${i} ms`);
      const rest = await httpPost(
        service.ports.rest,
        '/api/v1/logs?stream=valid-rest',
        { 'content-type': 'application/json' },
        Buffer.from(JSON.stringify(lines)),
      );
      expect(rest.status).toBe(202);
      valid.rest += 10;
      const otlp = await httpPost(
        service.ports.otlpHttp,
        '/v1/logs',
        { 'content-type': 'application/x-protobuf' },
        Buffer.from(encodeExportLogsRequest(validRecords(5, k))),
      );
      expect(otlp.status).toBe(200);
      valid.otlp += 5;
    };
    // First, so the valid streams have their metric labels before corpus streams could fill them.
    await sendValid();
    // A template flood on one stream: everything past the limit is mapped to the overflow template.
    const flood = await httpPost(
      service.ports.rest,
      '/api/v1/logs?stream=valid-flood',
      { 'content-type': 'application/json' },
      Buffer.from(JSON.stringify(distinctTemplateLines(300))),
    );
    expect(flood.status).toBe(202);

    // Configs and a bad CLI regex go through a real process, alongside the ingest corpus.
    const cli = new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = spawn(
        process.execPath,
        [bin, 'train', '--input', dir, '--out', path.join(dir, 'never'), '--session-key', '(unclosed'],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('exit', (code) => resolve({ code, stderr }));
    });

    let next = 0;
    let done = false;
    const worker = async () => {
      for (let i = next++; i < corpus.length; i = next++) {
        const c = corpus[i]!;
        const started = Date.now();
        const r = await send(c);
        const k = tally.byKind.get(c.kind) ?? { cases: 0, refused: 0, accepted: 0, skipped: 0, ms: 0 };
        k.ms += Date.now() - started;
        tally.byKind.set(c.kind, k);
        k.cases++;
        if (r.unimplemented) tally.unimplemented++;
        else if (r.refused) tally.refused[c.via]++;
        if (r.refused) k.refused++;
        else {
          k.accepted += r.accepted;
          k.skipped += r.skipped;
          tally.accepted += r.accepted;
          tally.skipped += r.skipped;
        }
      }
    };
    const validLoop = async () => {
      while (!done) {
        await sendValid();
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const t0 = Date.now();
    const loop = validLoop();
    await Promise.all(Array.from({ length: 4 }, worker));
    done = true;
    await loop;
    const seconds = (Date.now() - t0) / 1000;

    // Config corpus: each one a ConfigError with one line; each bad CLI regex a one-line error.
    const configs = configCorpus(SEED);
    for (const [i, c] of configs.entries()) {
      let file: string | undefined;
      if (c.yaml !== undefined) await writeFile((file = path.join(dir, `bad-${i}.yaml`)), c.yaml);
      let err: unknown;
      try {
        loadConfig({ file, env: c.env ?? {} });
      } catch (e) {
        err = e;
      }
      expect(err, `${c.kind}: ${c.yaml ?? JSON.stringify(c.env)}`).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/^config: [^\n]+$/);
    }
    for (const re of BAD_REGEXES) {
      let err: unknown;
      try {
        unitSpecFromFlags({ sessionKey: re });
      } catch (e) {
        err = e;
      }
      expect((err as Error).message, re).toMatch(/^invalid --session-key regex [^\n]+$/);
    }
    const cliRun = await cli;
    expect(cliRun.code).not.toBe(0);
    expect(cliRun.stderr.trim().split('\n')).toHaveLength(1);
    expect(cliRun.stderr).toMatch(/^logsieve: .*session-key/i);

    const counts = [...tally.byKind].sort(([a], [b]) => a.localeCompare(b));
    const totalCases = corpus.length + configs.length + BAD_REGEXES.length + 1;
    console.log(
      [
        `malformed corpus (seed ${SEED}): ${totalCases} cases, ingest part in ${seconds.toFixed(1)} s`,
        '  kind                      cases  refused  records accepted  records skipped  time (s)',
        ...counts.map(
          ([kind, k]) =>
            `  ${kind.padEnd(24)} ${String(k.cases).padStart(6)} ${String(k.refused).padStart(8)} ${String(k.accepted).padStart(17)} ${String(k.skipped).padStart(16)} ${(k.ms / 1000).toFixed(1).padStart(9)}`,
        ),
        `  bad_config/bad_regex      ${configs.length} (loadConfig) + ${BAD_REGEXES.length} (--session-key) + 1 (logsieve train process)`,
        `  valid traffic during the run: ${valid.requests} REST + ${valid.requests} OTLP requests, ${valid.rest + valid.otlp} records`,
      ].join('\n'),
    );
    expect(totalCases).toBeGreaterThanOrEqual(1000);

    // The metrics agree with the answers: every refusal counted by source, every skip counted.
    const m = service.ports.metrics;
    for (const via of ['otlp_http', 'otlp_grpc', 'rest'] as const)
      expect(await scrapeSum(m, 'logsieve_ingest_rejected_total', { source: via }), via).toBe(
        tally.refused[via],
      );
    expect(await scrapeSum(m, 'logsieve_records_dropped_total', { reason: 'too_long' })).toBe(tally.skipped);
    const floodLines = 300;
    const received = await scrapeSum(m, 'logsieve_records_received_total');
    expect(received).toBe(tally.accepted + valid.rest + valid.otlp + floodLines);

    // Everything accepted is processed (or counted malformed): the pipeline survived the corpus.
    await waitFor(
      async () =>
        (await scrapeSum(m, 'logsieve_records_processed_total')) +
          (await scrapeSum(m, 'logsieve_records_dropped_total', { reason: 'malformed' })) ===
        received
          ? true
          : undefined,
      30_000,
      'the pipeline to process every accepted record',
    );
    expect(await scrapeSum(m, 'logsieve_records_processed_total', { stream: 'valid-rest' })).toBe(valid.rest);
    expect(await scrapeSum(m, 'logsieve_records_processed_total', { stream: 'valid-otlp' })).toBe(valid.otlp);
    expect(await scrapeSum(m, 'logsieve_templates_overflow_total', { stream: 'valid-flood' })).toBe(
      floodLines - TEMPLATE_LIMIT,
    );
    expect((await fetch(`http://127.0.0.1:${service.ports.rest}/healthz`)).status).toBe(200);
  }, 120_000);
});
