import { spawnServe } from './testing/serve-child';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../emit/testing/daemon';
import { freePort } from '../emit/testing/free-port';
import { startMinutesAgo } from '../pipeline/testing/service-traffic';
import { openStorage } from '../store/open-storage';
import { trainTrafficBundle } from './testing/trained-bundle';
import { TrafficLoad, type LoadFigures } from './testing/traffic-load';

// SIGTERM to a `logsieve serve` process while records stream in: it stops taking requests,
// processes what it had accepted and stores the results and its open windows before it exits;
// started again on the same data dir, it carries on. Every api minute carries a burst of new
// errors, so every api window it accepted records for must end up as a stored anomaly, the one
// still open at SIGTERM included.
describe('graceful shutdown mid-stream', () => {
  let dir: string;
  let bundle: string;
  let proc: ChildProcess | undefined;
  let output = '';
  const start = startMinutesAgo(600);
  const ports = { rest: 0, otlpHttp: 0, otlpGrpc: 0, metrics: 0 };
  const rest = () => `http://127.0.0.1:${ports.rest}`;
  const loads: TrafficLoad[] = [];

  const serve = async () => {
    const t0 = Date.now();
    output = '';
    proc = spawnServe(
      ['--model', bundle, '--data-dir', path.join(dir, 'data')],
      ports,
      (text) => (output += text),
    );
    await waitFor(
      async () => ((await fetch(`${rest()}/readyz`)).ok ? true : undefined),
      60_000,
      'the service to be ready',
    );
    console.info(`ready in ${Date.now() - t0} ms`);
  };

  /** Streams traffic from `first` until `minutes` minutes went out, then SIGTERM mid-stream. */
  const streamThenTerm = async (first: number, minutes: number): Promise<LoadFigures> => {
    const load = new TrafficLoad(rest(), start, first, { burstEvery: 1, pauseMs: 20, stopOnRefusal: true });
    loads.push(load);
    await waitFor(
      async () => (load.figures.minute >= first + minutes ? true : undefined),
      30_000,
      `${minutes} minutes of traffic`,
    );
    const exited = new Promise<number | null>((r) => proc!.once('exit', (code) => r(code)));
    const t0 = Date.now();
    proc!.kill('SIGTERM');
    const code = await exited;
    console.info(`stopped in ${Date.now() - t0} ms`);
    const figures = await load.stop();
    expect(code, output.slice(-3000)).toBe(0);
    return figures;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-shutdown-'));
    for (const k of Object.keys(ports) as (keyof typeof ports)[]) ports[k] = await freePort();
    bundle = await trainTrafficBundle(dir, start, 40);
  });

  afterAll(async () => {
    await Promise.all(loads.map((l) => l.stop()));
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await new Promise((r) => proc!.once('exit', r));
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loses nothing it accepted across SIGTERM and a restart', async () => {
    await serve();
    const first = await streamThenTerm(40, 20);
    await serve();
    const second = await streamThenTerm(first.minute, 5);

    const storage = await openStorage({ kind: 'pglite', dataDir: path.join(dir, 'data', 'pglite') });
    try {
      const processed = (await storage.listStreams()).reduce((n, s) => n + s.records, 0);
      const anomalies = await storage.listAnomalies({ stream: 'api', limit: 1000, offset: 0 });
      const stored = new Set(anomalies.items.map((a) => (Date.parse(a.start) - start) / 60_000));
      const missing = first.apiMinutes.filter((i) => !stored.has(i));
      const accepted = first.accepted + second.accepted;
      console.info(
        `graceful shutdown figures: ${JSON.stringify({
          recordsSent: accepted + first.refused + second.refused,
          accepted,
          refusedWhileStopping: first.refused + second.refused,
          processedAndCounted: processed,
          lost: accepted - processed,
          apiWindowsAcceptedBeforeSigterm: first.apiMinutes.length,
          apiAnomaliesStored: anomalies.total,
          windowsMissing: missing.length,
        })}`,
      );
      expect(processed).toBe(accepted);
      expect(missing).toEqual([]);
      // Open at the first SIGTERM: kept across the restart, closed by the traffic after it.
      expect(stored.has(Math.max(...first.apiMinutes))).toBe(true);
    } finally {
      await storage.close();
    }
  }, 120_000);
});
