/**
 * A flood of distinct lines across many streams into a real `logsieve serve` process: every line
 * is a template of its own (a unique leading word, no digits to mask), so without a bound across
 * streams each one is kept. Sends --lines (default 2.5M) over --streams (default 600) through
 * OTLP/HTTP JSON, waits until the pipeline processed them, and prints the service's peak RSS, the
 * lines refused a template (logsieve_templates_overflow_total by reason), and the slowest /healthz.
 * Usage: npx tsx bench/service/template-flood.ts [--lines 2500000] [--streams 600] [--batch 2000]
 *        [--budget N]   (limits.maxTemplatesTotal; the default when absent)
 */
import { numberArg, sleep, startServe } from './serve-process';

const lines = numberArg('lines', 2_500_000);
const streams = numberArg('streams', 600);
const batch = numberArg('batch', 2000);
const budget = numberArg('budget', 0);
const concurrency = 2;

const serve = await startServe(budget > 0 ? { LOGSIEVE_LIMITS__MAX_TEMPLATES_TOTAL: String(budget) } : {});

/** A letters-only word per number: no digit for masking to blank out, so no two lines share a template. */
function word(i: number): string {
  let w = '';
  for (let n = i + 26; n > 0; n = Math.floor(n / 26)) w = String.fromCharCode(97 + (n % 26)) + w;
  return w;
}

let next = 0;
function payload(): string | null {
  if (next >= lines) return null;
  const per = new Map<number, unknown[]>();
  for (const end = Math.min(lines, next + batch); next < end; next++) {
    const s = next % streams;
    let list = per.get(s);
    if (!list) per.set(s, (list = []));
    list.push({ severityText: 'INFO', body: { stringValue: `${word(next)} started on host` } });
  }
  return JSON.stringify({
    resourceLogs: [...per].map(([s, logRecords]) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: `flood-${s}` } }] },
      scopeLogs: [{ logRecords }],
    })),
  });
}

let refusedRequests = 0;
async function sender() {
  for (let body = payload(); body;) {
    const r = await fetch(`http://127.0.0.1:${serve.ports.otlpHttp}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await r.arrayBuffer();
    if (r.ok) body = payload();
    else {
      refusedRequests++;
      await sleep(100); // queue full: send the same batch again
    }
  }
}

let peakRss = 0;
let slowestHealthMs = 0;
let sampling = true;
async function sample() {
  while (sampling) {
    peakRss = Math.max(peakRss, serve.rssMiB());
    const t = performance.now();
    await fetch(serve.rest('/healthz'), { signal: AbortSignal.timeout(30_000) }).catch(() => null);
    slowestHealthMs = Math.max(slowestHealthMs, performance.now() - t);
    await sleep(500);
  }
}

try {
  await serve.started();
  const startRss = serve.rssMiB();
  console.log(`started: RSS ${startRss.toFixed(0)} MiB`);
  const t0 = Date.now();
  const sampler = sample();
  const progress = setInterval(
    () =>
      console.log(
        `${((Date.now() - t0) / 1000).toFixed(0)} s: ${next} lines sent, RSS ${serve.rssMiB().toFixed(0)} MiB`,
      ),
    10_000,
  );
  await Promise.all(Array.from({ length: concurrency }, sender));
  // A scrape can meet a keep-alive connection the server just closed (ECONNRESET): ask again.
  const processed = () => serve.metric('logsieve_records_processed_total').catch(() => 0);
  while ((await processed()) < lines) await sleep(500);
  clearInterval(progress);
  const seconds = (Date.now() - t0) / 1000;
  // Settled: a few more samples after the last record.
  await sleep(3000);
  sampling = false;
  await sampler;
  let text = '';
  while (!text)
    text = await fetch(`http://127.0.0.1:${serve.ports.metrics}/metrics`).then(
      (r) => r.text(),
      () => '',
    );
  const overflow = (reason: string) => {
    let n = 0;
    for (const m of text.matchAll(/^logsieve_templates_overflow_total\{([^}]*)\} (\S+)$/gm))
      if (m[1]!.includes(`reason="${reason}"`)) n += Number(m[2]);
    return n;
  };
  console.log(
    [
      `${lines} distinct lines over ${streams} streams in ${seconds.toFixed(1)} s (${Math.round(lines / seconds)} lines/s)`,
      `RSS: ${startRss.toFixed(0)} MiB at start, peak ${peakRss.toFixed(0)} MiB`,
      `refused a template: ${overflow('total_limit')} (total_limit), ${overflow('stream_limit')} (stream_limit); templates held: ${lines - overflow('total_limit') - overflow('stream_limit')}`,
      `requests answered 429/503 and resent: ${refusedRequests}; slowest /healthz: ${slowestHealthMs.toFixed(0)} ms`,
    ].join('\n'),
  );
} finally {
  sampling = false;
  await serve.stop();
}
