import { spawnServe } from './testing/serve-child';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../emit/testing/daemon';
import { freePort } from '../emit/testing/free-port';
import { openStorage } from '../store/open-storage';
import { metricTotal } from './testing/traffic-load';

const BATCH = 100;
const SENDERS = 3;
/** Longer than the 5 s between checkpoints: the kill falls after one, with more acknowledged since. */
const LOAD_MS = 8000;
/** Between a sender's requests: a steady load the pipeline keeps up with on a busy machine. */
const PAUSE_MS = 20;

// kill -9 of a `logsieve serve` process while clients push over OTLP/HTTP: every record it
// acknowledged must be part of the stored state after it is started again on the same data dir
// (the template statistics, counted per record), and none twice. Requests cut off by the kill
// got no answer: their batch is found whole or not at all (the client would send it again).
describe('kill -9 under load', () => {
  let dir: string;
  let proc: ChildProcess | undefined;
  let output = '';
  const ports = { rest: 0, otlpHttp: 0, otlpGrpc: 0, metrics: 0 };

  const serve = async () => {
    output = '';
    proc = spawnServe(['--data-dir', path.join(dir, 'data')], ports, (text) => (output += text));
    // Listeners open once what the write-ahead log held is replayed.
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${ports.rest}/healthz`).catch(() => null))?.ok ? true : undefined,
      40_000,
      'the service to answer',
    );
  };

  const exit = (signal: NodeJS.Signals) => {
    const exited = new Promise<void>((r) => proc!.once('exit', () => r()));
    proc!.kill(signal);
    return exited;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-kill-'));
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
  });

  afterAll(async () => {
    if (proc && proc.exitCode === null && proc.signalCode === null) await exit('SIGKILL');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('finds every acknowledged record after a restart, once', async () => {
    await serve();
    const figures = { acknowledged: 0, refused: 0, cutOff: 0 };
    let sending = true;
    let n = 0;
    const sender = async () => {
      while (sending) {
        const ok = await fetch(`http://127.0.0.1:${ports.otlpHttp}/v1/logs`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: otlpBatch(n++),
        }).then(
          async (r) => (await r.arrayBuffer(), r.ok ? 'ok' : 'refused'),
          () => 'cutOff' as const,
        );
        if (ok === 'ok') figures.acknowledged += BATCH;
        else if (ok === 'refused') figures.refused += BATCH;
        else figures.cutOff += BATCH;
        await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    };
    const senders = Array.from({ length: SENDERS }, sender);
    await new Promise((r) => setTimeout(r, LOAD_MS));
    // No request starts after the kill: those without an answer were all in flight at it.
    sending = false;
    await exit('SIGKILL');
    await Promise.all(senders);
    expect(figures.acknowledged, output.slice(-3000)).toBeGreaterThan(0);

    await serve();
    const replayed = await metricTotal(
      `http://127.0.0.1:${ports.metrics}/metrics`,
      'logsieve_wal_replayed_records_total',
    );
    await exit('SIGTERM');
    const storage = await openStorage({ kind: 'pglite', dataDir: path.join(dir, 'data', 'pglite') });
    const found = await storage
      .listStreams()
      .then((s) => s.reduce((sum, x) => sum + x.records, 0))
      .finally(() => storage.close());
    console.info(`kill -9 figures: ${JSON.stringify({ ...figures, found, replayedAtRestart: replayed })}`);

    expect(figures.refused).toBe(0);
    // Everything acknowledged; of the cut-off requests, whole batches or nothing.
    expect(found).toBeGreaterThanOrEqual(figures.acknowledged);
    expect(found - figures.acknowledged).toBeLessThanOrEqual(figures.cutOff);
    expect((found - figures.acknowledged) % BATCH).toBe(0);
    // Part came from the checkpoint stored before the kill, the rest was replayed from the log.
    expect(replayed).toBeGreaterThan(0);
    expect(replayed).toBeLessThan(found);
  }, 90_000);
});

/** One OTLP/JSON request of BATCH records over two streams, stamped now. */
function otlpBatch(k: number): string {
  const ns = `${Date.now()}000000`;
  const lines = Array.from({ length: BATCH }, (_, i) => {
    const v = k * BATCH + i;
    return i % 3 === 0
      ? `GET /api/items/${v % 500} 200 ${v % 90} ms`
      : i % 3 === 1
        ? `user ${v % 70} logged in from 10.0.${v % 8}.${v % 250}`
        : `job ${v} finished in ${v % 40} ms`;
  });
  const half = BATCH / 2;
  return JSON.stringify({
    resourceLogs: [lines.slice(0, half), lines.slice(half)].map((part, s) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: s ? 'worker' : 'api' } }] },
      scopeLogs: [
        {
          logRecords: part.map((body) => ({
            timeUnixNano: ns,
            severityText: 'INFO',
            body: { stringValue: body },
          })),
        },
      ],
    })),
  });
}
