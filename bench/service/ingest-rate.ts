/**
 * Sustained OTLP/HTTP (JSON) ingest into a real `logsieve serve` process with scoring on.
 * First the service learns a baseline from the same traffic (timed separately), then the load runs
 * for --seconds (default 60); every 10 s it prints records/s accepted by the receiver, records/s
 * processed by the pipeline (logsieve_records_processed_total) and the service's RSS.
 * Usage: npx tsx bench/service/ingest-rate.ts [--seconds 60] [--batch 500] [--concurrency 4]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const seconds = arg('seconds', 60);
const batch = arg('batch', 500);
const concurrency = arg('concurrency', 4);

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });

const ports = {
  rest: await freePort(),
  otlpHttp: await freePort(),
  otlpGrpc: await freePort(),
  metrics: await freePort(),
};
const dataDir = mkdtempSync(join(tmpdir(), 'logsieve-bench-'));
const proc = spawn(
  process.execPath,
  [resolve(import.meta.dirname, '../../collector-processor/bin/logsieve.js'), 'serve', '--data-dir', dataDir],
  {
    env: {
      ...process.env,
      LOGSIEVE_SERVER__HOST: '127.0.0.1',
      LOGSIEVE_SERVER__PORTS__REST: String(ports.rest),
      LOGSIEVE_SERVER__PORTS__OTLP_HTTP: String(ports.otlpHttp),
      LOGSIEVE_SERVER__PORTS__OTLP_GRPC: String(ports.otlpGrpc),
      LOGSIEVE_SERVER__PORTS__METRICS: String(ports.metrics),
      LOGSIEVE_MODEL__BASELINE_MINUTES: '30',
      LOGSIEVE_MODEL__BASELINE_MIN_UNITS: '60',
      LOGSIEVE_LOG__LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  },
);
const rest = (p: string) => `http://127.0.0.1:${ports.rest}${p}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Event time: 5 ms per record from a day ago, so windows close while the load runs and never
// run ahead of the wall clock.
let eventMs = Date.now() - 24 * 3_600_000;
let seq = 0;
const streams = ['api', 'worker', 'billing'];
function line(stream: string, n: number): { severityText: string; body: string } {
  switch (n % 4) {
    case 0:
      return { severityText: 'INFO', body: `${stream} GET /items/${n % 97} 200 in ${5 + (n % 40)} ms` };
    case 1:
      return { severityText: 'INFO', body: `${stream} job ${n} started on worker-${n % 8}` };
    case 2:
      return { severityText: 'INFO', body: `${stream} job ${n - 1} finished in ${100 + (n % 300)} ms` };
    default:
      return {
        severityText: 'DEBUG',
        body: `${stream} cache hit ratio ${(n % 100) / 100} for shard ${n % 16}`,
      };
  }
}
function payload(): string {
  const per = new Map<string, unknown[]>(streams.map((s) => [s, []]));
  for (let i = 0; i < batch; i++) {
    const stream = streams[seq % streams.length]!;
    const { severityText, body } = line(stream, seq++);
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
const rssMiB = () =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))![1]) / 1024;
async function processed(): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
  let n = 0;
  for (const m of text.matchAll(/^logsieve_records_processed_total\{[^}]*\} (\S+)$/gm)) n += Number(m[1]);
  return n;
}

try {
  for (let t = Date.now(); ; await sleep(200)) {
    if ((await fetch(rest('/healthz')).catch(() => null))?.ok) break;
    if (Date.now() - t > 60_000) throw new Error('service did not start');
  }
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
      `${((now - startT) / 1000).toFixed(0).padStart(7)} ${((accepted - lastA) / dt).toFixed(0).padStart(11)} ${((p - lastP) / dt).toFixed(0).padStart(12)} ${String(refused).padStart(8)} ${rssMiB().toFixed(0).padStart(9)}`,
    );
    [lastT, lastA, lastP] = [now, accepted, p];
  }
  await load;
  await sleep(2000);
  const total = (Date.now() - startT) / 1000;
  console.log(
    `mean over ${total.toFixed(0)} s: accepted ${((accepted - startA) / total).toFixed(0)} records/s, processed ${(((await processed()) - firstP) / total).toFixed(0)} records/s, refused ${refused}, RSS ${rssMiB().toFixed(0)} MiB`,
  );
} finally {
  proc.kill('SIGTERM');
  await new Promise((r) => proc.once('exit', r));
  rmSync(dataDir, { recursive: true, force: true });
}
