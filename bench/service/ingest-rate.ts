/**
 * Sustained OTLP/HTTP (JSON) ingest into a real `logsieve serve` process with scoring on.
 * First the service learns a baseline from the same traffic (timed separately), then the load runs
 * for --seconds (default 60); every 10 s it prints records/s accepted by the receiver, records/s
 * processed by the pipeline (logsieve_records_processed_total) and the service's RSS.
 * Usage: npx tsx bench/service/ingest-rate.ts [--seconds 60] [--batch 500] [--concurrency 4]
 */
import { benchLine, numberArg, sleep, startServe } from './serve-process';

const seconds = numberArg('seconds', 60);
const batch = numberArg('batch', 500);
const concurrency = numberArg('concurrency', 4);

const serve = await startServe();
const { ports, rest } = serve;

// Event time: 5 ms per record from a day ago, so windows close while the load runs and never
// run ahead of the wall clock.
// Replayed history, 12 h old: inside limits.maxEventAgeSeconds (24 h) for the whole run, so event
// time is the records' own and the baseline forms as fast as it is sent.
let eventMs = Date.now() - 12 * 3_600_000;
let seq = 0;
const streams = ['api', 'worker', 'billing'];
function payload(): string {
  const per = new Map<string, unknown[]>(streams.map((s) => [s, []]));
  for (let i = 0; i < batch; i++) {
    const stream = streams[seq % streams.length]!;
    const { severityText, body } = benchLine(stream, seq++);
    eventMs += 5;
    per.get(stream)!.push({
      timeUnixNano: `${eventMs}000000`,
      severityText,
      body: { stringValue: body },
    });
  }
  return JSON.stringify({
    resourceLogs: [...per].map(([s, logRecords]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: s } }] },
      scopeLogs: [{ scope: { name: 'bench' }, logRecords }],
    })),
  });
}

let accepted = 0;
let refused = 0;
async function sender(until: () => boolean) {
  while (!until()) {
    const r = await fetch(`http://127.0.0.1:${ports.otlpHttp}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload(),
    });
    await r.arrayBuffer();
    if (r.ok) accepted += batch;
    else {
      refused += batch;
      await sleep(50); // overloaded: the receiver asked us to back off
    }
  }
}
const processed = () => serve.metric('logsieve_records_processed_total');

try {
  await serve.started();
  const t0 = Date.now();
  let ready = false;
  const baseline = Promise.all(Array.from({ length: concurrency }, () => sender(() => ready)));
  while (!ready) {
    await sleep(500);
    ready = (await fetch(rest('/readyz'))).status === 200;
    if (Date.now() - t0 > 300_000) throw new Error('no model after 5 minutes');
  }
  await baseline;
  console.log(
    `baseline learned and model active after ${((Date.now() - t0) / 1000).toFixed(1)} s (${accepted} records)`,
  );

  const end = Date.now() + seconds * 1000;
  const load = Promise.all(Array.from({ length: concurrency }, () => sender(() => Date.now() >= end)));
  let [lastT, lastA, lastP] = [Date.now(), accepted, await processed()];
  const firstP = lastP;
  const startT = lastT;
  const startA = accepted;
  console.log('   t(s)  accepted/s  processed/s  refused  RSS(MiB)');
  while (Date.now() < end) {
    await sleep(Math.min(10_000, Math.max(0, end - Date.now())));
    const [now, p] = [Date.now(), await processed()];
    const dt = (now - lastT) / 1000;
    console.log(
      `${((now - startT) / 1000).toFixed(0).padStart(7)} ${((accepted - lastA) / dt).toFixed(0).padStart(11)} ${((p - lastP) / dt).toFixed(0).padStart(12)} ${String(refused).padStart(8)} ${serve.rssMiB().toFixed(0).padStart(9)}`,
    );
    [lastT, lastA, lastP] = [now, accepted, p];
  }
  await load;
  await sleep(2000);
  const total = (Date.now() - startT) / 1000;
  console.log(
    `mean over ${total.toFixed(0)} s: accepted ${((accepted - startA) / total).toFixed(0)} records/s, processed ${(((await processed()) - firstP) / total).toFixed(0)} records/s, refused ${refused}, RSS ${serve.rssMiB().toFixed(0)} MiB`,
  );
} finally {
  await serve.stop();
}
