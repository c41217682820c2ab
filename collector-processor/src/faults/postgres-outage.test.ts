import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCaptureServer } from '../emit/testing/capture-server';
import { waitFor } from '../emit/testing/daemon';
import type { RunningService } from '../pipeline/service';
import { startMinutesAgo } from '../pipeline/testing/service-traffic';
import {
  privatePostgresSkipReason,
  startPrivatePostgres,
  type PrivatePostgres,
} from './testing/private-postgres';
import { startFaultService } from './testing/fault-service';
import { metricTotal, TrafficLoad } from './testing/traffic-load';

const OUTAGE_MS = 30_000;

// `logsieve serve` on a PostgreSQL of its own that the test stops for 30 s under load: readiness
// goes false, anomalies wait in the disk buffer, and once the database is back every anomaly
// the service raised is stored exactly once.
const skip = privatePostgresSkipReason();
if (skip) console.warn(`skipping the PostgreSQL outage test: ${skip}`);

describe.skipIf(skip !== null)('PostgreSQL outage under load', () => {
  let db: PrivatePostgres | undefined;
  let dir: string;
  let service: RunningService | undefined;
  let load: TrafficLoad | undefined;
  let hook: Awaited<ReturnType<typeof startCaptureServer>>;
  // Event time of the traffic starts far enough back that it never runs ahead of the clock.
  const start = startMinutesAgo(600);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'logsieve-pg-outage-'));
    db = await startPrivatePostgres();
    // Stands in for Alertmanager: it records the id of every anomaly the service raised.
    hook = await startCaptureServer();
    service = await startFaultService(dir, start, {
      LOGSIEVE_STORAGE__KIND: 'postgres',
      LOGSIEVE_STORAGE__URL: db!.url,
      LOGSIEVE_OUTPUTS__ALERTMANAGER__URL: hook.url,
    });
  }, 60_000);

  afterAll(async () => {
    await load?.stop();
    await service?.stop();
    await hook?.close();
    await db?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('buffers while the database is down, is not ready, and stores everything once', async () => {
    const rest = `http://127.0.0.1:${service!.ports.rest}`;
    const metrics = `http://127.0.0.1:${service!.ports.metrics}/metrics`;
    const ready = async () => (await fetch(`${rest}/readyz`)).status === 200;
    expect(await ready()).toBe(true);

    load = new TrafficLoad(rest, start, 40);
    await waitFor(
      async () => ((await metricTotal(metrics, 'logsieve_anomalies_total')) > 0 ? true : undefined),
      20_000,
      'a first anomaly with the database up',
    );

    await db!.stop();
    const stoppedAt = Date.now();
    await waitFor(async () => ((await ready()) ? undefined : true), 15_000, 'readiness false');
    const notReady = await fetch(`${rest}/readyz`);
    expect(((await notReady.json()) as { reason: string }).reason).toMatch(/storage down/);
    const raisedAtStop = await metricTotal(metrics, 'logsieve_anomalies_total');
    // Readiness stays false for the whole outage.
    let readyDuringOutage = 0;
    while (Date.now() - stoppedAt < OUTAGE_MS) {
      if (await ready()) readyDuringOutage++;
      await new Promise((r) => setTimeout(r, 1000));
    }
    expect(readyDuringOutage).toBe(0);
    const raisedInOutage = (await metricTotal(metrics, 'logsieve_anomalies_total')) - raisedAtStop;
    expect(raisedInOutage).toBeGreaterThan(0);
    expect(await metricTotal(metrics, 'logsieve_storage_buffer_bytes')).toBeGreaterThan(0);

    await db!.start();
    await waitFor(async () => ((await ready()) ? true : undefined), 20_000, 'readiness true again');
    const figures = await load.stop();
    // Everything accepted is processed, the buffer is written out, and every anomaly raised is
    // stored. (With no traffic the clock still closes windows, and empty ones are anomalous:
    // new anomalies keep coming, hence the polling.)
    const client = new pg.Client({ connectionString: db!.url });
    await client.connect();
    let raised = 0;
    let counted = 0;
    const rows = await waitFor(
      async () => {
        raised = await metricTotal(metrics, 'logsieve_anomalies_total');
        const ids = (await client.query<{ id: string }>('SELECT id FROM anomalies')).rows.map((r) => r.id);
        // Template statistics counted during the outage are written once it is over.
        counted = Number(
          (await client.query<{ n: string | null }>('SELECT sum(count) AS n FROM templates')).rows[0]!.n ?? 0,
        );
        const settled =
          (await metricTotal(metrics, 'logsieve_records_processed_total')) === figures.accepted &&
          counted === figures.accepted &&
          (await metricTotal(metrics, 'logsieve_storage_buffer_bytes')) === 0 &&
          ids.length === raised;
        return settled ? ids : undefined;
      },
      30_000,
      'the records processed and the anomalies stored',
    ).finally(() => client.end());
    const paged = new Set(
      hook.requests.flatMap((r) =>
        (JSON.parse(r.body) as { labels: { anomaly_id: string } }[]).map((a) => a.labels.anomaly_id),
      ),
    );
    const figuresLine = {
      recordsSent: figures.accepted + figures.refused,
      accepted: figures.accepted,
      processed: await metricTotal(metrics, 'logsieve_records_processed_total'),
      unitsScored: await metricTotal(metrics, 'logsieve_units_scored_total'),
      countedInTemplates: counted,
      anomaliesRaised: raised,
      raisedDuringOutage: raisedInOutage,
      storedRows: rows.length,
      distinctStored: new Set(rows).size,
      buffered: await metricOutcome(metrics, 'buffered'),
    };
    console.info(`postgres outage figures: ${JSON.stringify(figuresLine)}`);
    expect(figures.refused).toBe(0);
    expect(new Set(rows).size).toBe(rows.length);
    expect(rows.length).toBe(raised);
    // The ids went to the alert receiver too: storage has each one raised, not something else.
    expect(rows.filter((id) => !paged.has(id))).toEqual([]);
  }, 120_000);
});

async function metricOutcome(metricsUrl: string, outcome: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const m = text.match(
    new RegExp(`^logsieve_events_emitted_total\\{sink="postgres",outcome="${outcome}"\\} (\\S+)$`, 'm'),
  );
  return m ? Number(m[1]) : 0;
}
