import { scrapeSum } from './testing/prometheus-text';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../emit/testing/daemon';
import { logsServiceDefinition } from '../ingest/otlp-grpc-receiver';
import { decodeExportLogsResponse, encodeExportLogsRequest } from '../ingest/otlp/otlp-logs-encoder';
import { loopbackEnv } from './testing/loopback-env';
import { startMinutesAgo, trainTrafficModel } from './testing/service-traffic';

/*
 * Issue 14, items 2 and 5, against `logsieve serve` in its own process (a heap limit of its own, so
 * a regression dies there instead of in the test runner): single records with hostile event times
 * must not stop the service, and OTLP records with odd bodies must be processed, not dropped.
 */

const Y2100 = '2100-01-01T00:00:00Z';
const Y2100_NS = String(BigInt(Date.parse(Y2100)) * 1_000_000n);

interface Ports {
  rest: number;
  otlpHttp: number;
  otlpGrpc: number;
  metrics: number;
}

/** Resident memory of a process, in MB. */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
  return Number(kb) / 1024;
}

describe('logsieve serve with hostile event times and bodies', () => {
  let dir: string;
  let child: ChildProcess;
  let exited: Promise<void>;
  let ports: Ports;
  let grpcClient: grpc.Client;
  const url = (port: number, p: string) => `http://127.0.0.1:${port}${p}`;

  const postLines = async (stream: string, lines: string[]) => {
    const r = await fetch(url(ports.rest, `/api/v1/logs?stream=${stream}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(lines),
    });
    expect(r.status).toBe(202);
    return (await r.json()) as { accepted: number; rejected: number };
  };
  const postOtlpJson = async (stream: string, logRecords: Record<string, unknown>[]) => {
    const r = await fetch(url(ports.otlpHttp, '/v1/logs'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: stream } }] },
            scopeLogs: [{ logRecords }],
          },
        ],
      }),
    });
    expect(r.status).toBe(200);
    return (await r.json()) as { partialSuccess?: { rejectedLogRecords?: string; errorMessage?: string } };
  };
  const exportGrpc = (payload: Uint8Array) =>
    new Promise<Buffer>((resolve, reject) =>
      (
        grpcClient as unknown as {
          Export: (req: Uint8Array, cb: (e: grpc.ServiceError | null, r?: Buffer) => void) => void;
        }
      ).Export(payload, (err, res) => (err ? reject(err) : resolve(res!))),
    );
  /** /healthz answers within 2 s, every half second for `ms`. */
  const staysHealthy = async (ms: number) => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      const r = await fetch(url(ports.rest, '/healthz'), { signal: AbortSignal.timeout(2000) });
      expect(r.status).toBe(200);
      await new Promise((ok) => setTimeout(ok, 500));
    }
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-event-time-'));
    // A model from the start, so closed windows are scored at once.
    await trainTrafficModel(path.join(dir, 'model'), ['api', 'worker'], startMinutesAgo(40), 30, 1);
    const env = await loopbackEnv({
      LOGSIEVE_DATA_DIR: path.join(dir, 'data'),
      LOGSIEVE_MODEL__DIR: path.join(dir, 'model'),
    });
    child = spawn(
      process.execPath,
      [
        '--max-old-space-size=1024',
        '--import',
        'tsx',
        fileURLToPath(new URL('./testing/serve-child.ts', import.meta.url)),
      ],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    exited = new Promise((resolve) => child.once('exit', () => resolve()));
    ports = await new Promise<Ports>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`logsieve serve exited (${code}) before serving`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line.startsWith('{"event":"serving"')) resolve((JSON.parse(line) as { ports: Ports }).ports);
      });
    });
    const Client = grpc.makeGenericClientConstructor(logsServiceDefinition, 'LogsService');
    grpcClient = new Client(`127.0.0.1:${ports.otlpGrpc}`, grpc.credentials.createInsecure());
  }, 120_000);

  afterAll(async () => {
    grpcClient?.close();
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('item 2: records dated 2100, 1970, 1e300 and +275760 neither stop nor grow it, and are counted', async () => {
    const iso = (ms: number) => new Date(ms).toISOString();
    await postLines('worker', [`${iso(Date.now())} INFO worker job 1 started`]);
    await staysHealthy(1500);
    const rssBefore = rssMb(child.pid!);

    // Each reproduction of the issue, in its own stream or in the existing `worker` one.
    await postLines('h-own', [`${Y2100} INFO clock says 2100`]);
    await postLines('worker', [`${Y2100} INFO worker job 2 started`]);
    await postLines('h-1970', [`1970-01-01T00:00:01Z INFO boot`, `${iso(Date.now())} INFO boot`]);
    await postLines('h-json', [`{"time":"${Y2100}","msg":"hi"}`]);
    await postLines('h-1e300', ['{"time":1e300,"msg":"hi"}']);
    await postLines('h-max', ['{"time":"+275760-09-13T00:00:00.000Z","msg":"hi"}']);
    // OTLP times outside the range are reported in the reply, as a warning (nothing rejected).
    const http = await postOtlpJson('h-otlp', [{ timeUnixNano: Y2100_NS, body: { stringValue: 'x' } }]);
    expect(http.partialSuccess?.rejectedLogRecords ?? '0').toBe('0');
    expect(http.partialSuccess?.errorMessage).toMatch(
      /^1 records with a time more than limits\.maxEventAgeSeconds/,
    );
    const viaGrpc = decodeExportLogsResponse(
      await exportGrpc(
        encodeExportLogsRequest([
          {
            stream: 'h-grpc',
            line: 1,
            timeMs: Date.parse(Y2100),
            severityNumber: 9,
            severityText: 'INFO',
            body: 'x',
          },
        ]),
      ),
    );
    expect(viaGrpc).toMatchObject({
      rejectedLogRecords: 0,
      errorMessage: expect.stringMatching(/^1 records/),
    });

    // The service keeps answering while its clock ticks over the hostile records.
    await staysHealthy(6000);
    const m = ports.metrics;
    await waitFor(
      async () =>
        (await scrapeSum(m, 'logsieve_records_time_clamped_total', { direction: 'future' })) === 5 &&
        (await scrapeSum(m, 'logsieve_records_time_clamped_total', { direction: 'past' })) === 1
          ? true
          : undefined,
      20_000,
      'the clamped records counted',
    );
    for (const s of ['h-own', 'h-json', 'h-otlp', 'h-grpc'])
      expect(
        await scrapeSum(m, 'logsieve_records_time_clamped_total', { stream: s, direction: 'future' }),
        s,
      ).toBe(1);
    expect(
      await scrapeSum(m, 'logsieve_records_time_clamped_total', { stream: 'h-1970', direction: 'past' }),
    ).toBe(1);
    // Kept, never lost: every hostile record is processed.
    for (const [s, n] of [
      ['h-own', 1],
      ['worker', 2],
      ['h-1970', 2],
      ['h-json', 1],
      ['h-1e300', 1],
      ['h-max', 1],
      ['h-otlp', 1],
      ['h-grpc', 1],
    ] as const)
      expect(await scrapeSum(m, 'logsieve_records_processed_total', { stream: s }), s).toBe(n);
    expect(rssMb(child.pid!) - rssBefore).toBeLessThan(200);

    // A canary in another stream, dated in the minute just ended: its window closes by the clock
    // within seconds and is scored like any other.
    const nowMs = Date.now();
    if (nowMs % 60_000 > 40_000) await new Promise((ok) => setTimeout(ok, 60_000 - (nowMs % 60_000) + 500));
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
    const canary = Array.from(
      { length: 20 },
      (_, k) => `${iso(minute + k * 3000)} INFO api GET /items/${k} 200 in 12 ms`,
    );
    await postLines('canary', canary);
    await waitFor(
      async () =>
        (await scrapeSum(m, 'logsieve_units_scored_total', { stream: 'canary' })) >= 1 ? true : undefined,
      30_000,
      'the canary window scored',
    );
    expect(await scrapeSum(m, 'logsieve_records_processed_total', { stream: 'canary' })).toBe(20);
    const score = await scrapeSum(m, 'logsieve_anomaly_score', { stream: 'canary' });
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(100);
    await staysHealthy(1000);
    expect(child.exitCode).toBeNull();
  }, 120_000);

  it('item 5: OTLP records with an absent, empty or array body are processed, not dropped', async () => {
    const now = String(BigInt(Date.now()) * 1_000_000n);
    const json = (msg: string) => ({
      timeUnixNano: now,
      body: { stringValue: JSON.stringify({ msg, level: 'info' }) },
    });
    // JSON lines first, so the stream is detected as JSON, then the bodies that were dropped.
    const reply = await postOtlpJson('odd-bodies', [
      json('order 1 placed'),
      json('order 2 placed'),
      { timeUnixNano: now },
      { timeUnixNano: now, body: { stringValue: '' } },
      { timeUnixNano: now, body: { arrayValue: { values: [{ intValue: '1' }, { stringValue: 'a' }] } } },
      { timeUnixNano: now, body: { kvlistValue: { values: [{ key: 'k', value: { stringValue: 'v' } }] } } },
    ]);
    expect(reply).toEqual({});
    const m = ports.metrics;
    await waitFor(
      async () =>
        (await scrapeSum(m, 'logsieve_records_processed_total', { stream: 'odd-bodies' })) === 6
          ? true
          : undefined,
      20_000,
      'every record processed',
    );
    expect(await scrapeSum(m, 'logsieve_records_dropped_total', { stream: 'odd-bodies' })).toBe(0);
    // The empty body is a template of its own, the array body its JSON text.
    const templates = await waitFor(
      async () => {
        const r = await fetch(url(ports.rest, '/api/v1/templates?stream=odd-bodies&limit=100'));
        const items = ((await r.json()) as { items: { template: string; count: number }[] }).items;
        return items.length >= 3 ? items : undefined;
      },
      30_000,
      'the template statistics',
    );
    expect(templates.find((t) => t.template === '')?.count).toBe(2);
    expect(templates.some((t) => t.template.startsWith('['))).toBe(true);
  }, 60_000);
});
