/**
 * Soak: a real `logsieve serve` process under a steady OTLP/HTTP (protobuf) load for --minutes.
 * First the service learns a baseline from the same traffic (as fast as it takes it), then records
 * are sent at --rate records/s in batches of --batch, event time advancing at the wall clock's
 * pace. Every --sample seconds it prints the service's RSS, the ingest queue depth
 * (logsieve_queue_depth) and records sent/accepted/processed; at the end the RSS growth from the
 * first sample after --warmup seconds to the peak or last one (target < 10 %), and records
 * sent/accepted/refused/processed/lost (lost = accepted and never processed nor counted as dropped).
 * Usage: npx tsx bench/service/soak.ts [--minutes 10] [--rate 5000] [--batch 500] [--sample 10] [--warmup 120]
 */
import type { LogRecord } from '../../collector-processor/src/record';
import { encodeExportLogsRequest } from '../../collector-processor/src/ingest/otlp/otlp-logs-encoder';
import { benchLine, numberArg, sleep, startServe } from './serve-process';

const minutes = numberArg('minutes', 10);
const rate = numberArg('rate', 5000);
const batch = numberArg('batch', 500);
const sampleSeconds = numberArg('sample', 10);
// The baseline's records stay on the heap until V8's first full collection under load (about
// 90 s in), and caches, JIT and the first windows settle too; short runs warm up for a fifth.
const warmupSeconds = numberArg('warmup', Math.min(120, (minutes * 60) / 5));

const serve = await startServe();
const { ports, rest, metric } = serve;

// Event time starts a day ago. While the baseline is learned it runs at 5 ms per record (so that
// 30 minutes of it arrive in seconds); under the steady load at the wall clock's pace.
// Replayed history inside limits.maxEventAgeSeconds (24 h), so event time is the records' own.
let eventMs = Date.now() - 12 * 3_600_000;
let seq = 0;
const streams = ['api', 'worker', 'billing'];
function payload(msPerRecord: number): Buffer {
  const records: LogRecord[] = [];
  for (let i = 0; i < batch; i++) {
    const stream = streams[seq % streams.length]!;
    eventMs += msPerRecord;
    records.push({ stream, line: i + 1, timeMs: Math.floor(eventMs), ...benchLine(stream, seq++) });
  }
  return Buffer.from(encodeExportLogsRequest(records));
}

const counts = { sent: 0, accepted: 0, refused: 0, failed: 0 };
async function post(msPerRecord: number): Promise<boolean> {
  counts.sent += batch;
  try {
    const r = await fetch(`http://127.0.0.1:${ports.otlpHttp}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: payload(msPerRecord),
    });
    await r.arrayBuffer();
    if (r.ok) counts.accepted += batch;
    else counts.refused += batch;
    return r.ok;
  } catch {
    counts.failed += batch;
    return false;
  }
}

const settled = async () =>
  (await metric('logsieve_records_processed_total')) + (await metric('logsieve_records_dropped_total'));
/** Waits until every accepted record is processed or counted as dropped (or `ms` passed). */
async function drain(expected: () => number, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while ((await settled()) < expected() && Date.now() < end) await sleep(500);
}

try {
  await serve.started();

  // Baseline: send as fast as the service takes it until a model is active.
  const t0 = Date.now();
  let ready = false;
  const learners = Array.from({ length: 4 }, async () => {
    while (!ready) if (!(await post(5))) await sleep(50);
  });
  while (!ready) {
    await sleep(500);
    ready = (await fetch(rest('/readyz'))).status === 200;
    if (Date.now() - t0 > 600_000) throw new Error('no model after 10 minutes');
  }
  await Promise.all(learners);
  await drain(() => counts.accepted, 60_000);
  console.log(
    `baseline learned, model active after ${((Date.now() - t0) / 1000).toFixed(1)} s (${counts.accepted} records)`,
  );

  // Steady load: batch k leaves at start + k * interval; at most 8 requests in flight.
  const base = {
    ...counts,
    settled: await settled(),
    dropped: await metric('logsieve_records_dropped_total'),
  };
  const interval = (batch / rate) * 1000;
  const start = Date.now();
  const end = start + minutes * 60_000;
  let inFlight = 0;
  let late = 0;
  const sender = (async () => {
    for (let k = 0; ; k++) {
      const due = start + k * interval;
      if (due >= end) break;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
      while (inFlight >= 8) {
        late++;
        await sleep(5);
      }
      inFlight++;
      void post(1000 / rate).finally(() => inFlight--);
    }
    while (inFlight > 0) await sleep(10);
  })();

  interface Sample {
    t: number;
    rss: number;
    queue: number;
    sent: number;
    accepted: number;
    processed: number;
  }
  const samples: Sample[] = [];
  console.log(
    `steady load: ${rate} records/s in batches of ${batch} for ${minutes} min; warm-up ${warmupSeconds} s`,
  );
  console.log('   t(s)  RSS(MiB)  queue   sent/s  accepted/s  processed/s    refused');
  let last = { t: start, sent: base.sent, accepted: base.accepted, processed: base.settled };
  for (let next = start + sampleSeconds * 1000; next <= end; next += sampleSeconds * 1000) {
    await sleep(Math.max(0, next - Date.now()));
    const now = Date.now();
    const s: Sample = {
      t: (now - start) / 1000,
      rss: serve.rssMiB(),
      queue: await metric('logsieve_queue_depth'),
      sent: counts.sent,
      accepted: counts.accepted,
      processed: await settled(),
    };
    samples.push(s);
    const dt = (now - last.t) / 1000;
    console.log(
      `${s.t.toFixed(0).padStart(7)} ${s.rss.toFixed(0).padStart(9)} ${String(s.queue).padStart(6)} ${((s.sent - last.sent) / dt).toFixed(0).padStart(8)} ${((s.accepted - last.accepted) / dt).toFixed(0).padStart(11)} ${((s.processed - last.processed) / dt).toFixed(0).padStart(12)} ${String(counts.refused - base.refused).padStart(10)}`,
    );
    last = { t: now, sent: s.sent, accepted: s.accepted, processed: s.processed };
  }
  await sender;
  const accepted = counts.accepted - base.accepted;
  await drain(() => counts.accepted, 120_000);
  const settledNow = await settled();
  const dropped = (await metric('logsieve_records_dropped_total')) - base.dropped;
  const processed = settledNow - base.settled - dropped;

  const after = samples.find((s) => s.t >= warmupSeconds) ?? samples[0];
  const final = samples[samples.length - 1];
  console.log(
    `records: sent ${counts.sent - base.sent}, accepted ${accepted}, refused ${counts.refused - base.refused}, failed ${counts.failed - base.failed}, processed ${processed}, dropped (counted) ${dropped}, lost ${accepted - processed - dropped}; sender behind schedule ${late} times`,
  );
  if (after && final && final !== after) {
    // The peak after the warm-up, not only the last sample: a sawtooth must not hide growth.
    const peak = Math.max(...samples.filter((s) => s.t >= after.t).map((s) => s.rss));
    const growth = ((Math.max(final.rss, peak) - after.rss) / after.rss) * 100;
    console.log(
      `RSS ${after.rss.toFixed(0)} MiB at ${after.t.toFixed(0)} s -> ${final.rss.toFixed(0)} MiB at ${final.t.toFixed(0)} s, peak ${peak.toFixed(0)} MiB: growth ${growth >= 0 ? '+' : ''}${growth.toFixed(1)} % (target < 10 %: ${growth < 10 ? 'met' : 'NOT met'})`,
    );
  } else console.log('RSS growth: too few samples after the warm-up (run longer or lower --warmup)');
} finally {
  await serve.stop();
}
