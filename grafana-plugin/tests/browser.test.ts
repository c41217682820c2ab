// @vitest-environment node
// The browser scenario against the real service: `logsieve serve` with its REST API, fed logs over
// POST /api/v1/logs (a baseline, then an incident), scraped by a real Prometheus (Debian's
// /usr/bin/prometheus). Skipped until collector-processor/src/cli/serve.ts exists.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe } from 'vitest';
import { buildHarness } from '../scripts/build-harness.mjs';
import { startHarnessServer } from './harness/server';
import { browserScenario, chromiumSkip, repoRoot } from './browser/scenario';

const SERVE = path.join(repoRoot, 'collector-processor/src/cli/serve.ts');
const PROMETHEUS = '/usr/bin/prometheus';
const out = path.join(repoRoot, 'test-output/grafana-plugin');

function skipReason(): string | null {
  if (!existsSync(SERVE))
    return 'collector-processor/src/cli/serve.ts is not there yet (logsieve serve not written)';
  if (process.env.CI === 'true') return null;
  if (!existsSync(PROMETHEUS)) return `${PROMETHEUS} not found (apt-get install prometheus)`;
  return null;
}
const reason = skipReason();
if (reason) console.warn(`grafana-plugin real-service browser test skipped: ${reason}`);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function waitFor<T>(what: string, seconds: number, probe: () => Promise<T | undefined>): Promise<T> {
  const until = Date.now() + seconds * 1000;
  let last: unknown;
  while (Date.now() < until) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out after ${seconds} s waiting for ${what}${last ? ` (${String(last)})` : ''}`);
}

function spawnLogged(cmd: string, args: string[], log: string[]): ChildProcess {
  const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (b: Buffer) => {
    log.push(b.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return child;
}

const STREAMS = ['checkout', 'payments', 'auth'];

/** Plain-text lines with RFC 3339 event times: steady traffic, then an error burst with a new template. */
function logLines(fromMs: number, toMs: number, incident: boolean): { line: string; stream: string }[] {
  const lines: { line: string; stream: string }[] = [];
  let n = 0;
  for (let t = fromMs; t < toMs; t += 500) {
    for (const stream of STREAMS) {
      n++;
      const ts = new Date(t + (n % 7) * 13).toISOString();
      lines.push({
        stream,
        line: `${ts} INFO ${stream} GET /api/items/${n % 97} 200 in ${10 + (n % 23)} ms`,
      });
      if (n % 5 === 0) lines.push({ stream, line: `${ts} INFO ${stream} user u${n % 31} logged in` });
      if (incident && stream === 'payments') {
        lines.push({
          stream,
          line: `${ts} ERROR payments request ${n} failed: upstream timeout after 3000 ms`,
        });
        lines.push({ stream, line: `${ts} ERROR payments circuit breaker db-${n % 3} opened` });
      }
    }
  }
  return lines;
}

const title = 'browser: app pages against the real logsieve serve and Prometheus';
describe.skipIf(chromiumSkip() || reason !== null)(reason ? `${title} (skipped: ${reason})` : title, () => {
  browserScenario(async () => {
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'logsieve-grafana-'));
    const [otlpHttp, otlpGrpc, rest, metrics, prom] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const config = [
      `dataDir: ${JSON.stringify(path.join(tmp, 'data'))}`,
      'server:',
      '  host: 127.0.0.1',
      `  ports: { otlpHttp: ${otlpHttp}, otlpGrpc: ${otlpGrpc}, rest: ${rest}, metrics: ${metrics} }`,
      'model: { baselineMinutes: 20, baselineMinUnits: 200, retrainHours: 0 }',
      'features: { windowSeconds: 10, allowedLatenessSeconds: 0 }',
      'log: { level: warn }',
    ].join('\n');
    await writeFile(path.join(tmp, 'logsieve.yaml'), `${config}\n`);
    await writeFile(
      path.join(tmp, 'prometheus.yml'),
      `global: { scrape_interval: 1s }\nscrape_configs:\n  - job_name: logsieve\n    static_configs: [{ targets: ['127.0.0.1:${metrics}'] }]\n`,
    );
    const serviceLog: string[] = [];
    const service = spawnLogged(
      process.execPath,
      ['collector-processor/bin/logsieve.js', 'serve', '--config', path.join(tmp, 'logsieve.yaml')],
      serviceLog,
    );
    const prometheus = spawnLogged(
      PROMETHEUS,
      [
        `--config.file=${path.join(tmp, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(tmp, 'prom')}`,
        `--web.listen-address=127.0.0.1:${prom}`,
      ],
      [],
    );
    const base = `http://127.0.0.1:${rest}`;
    const promUrl = `http://127.0.0.1:${prom}`;
    const stop = async () => {
      service.kill('SIGTERM');
      prometheus.kill('SIGTERM');
      await rm(tmp, { recursive: true, force: true });
    };
    try {
      const api = async <T>(method: string, apiPath: string, body?: unknown): Promise<T> => {
        const res = await fetch(`${base}/api/v1${apiPath}`, {
          method,
          headers: { 'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        if (!res.ok) throw new Error(`${method} ${apiPath}: ${res.status} ${await res.text()}`);
        return (await res.json()) as T;
      };
      const post = (lines: { line: string; stream: string }[]) => api('POST', '/logs', lines);
      await waitFor('logsieve /healthz', 60, async () =>
        (await fetch(`${base}/healthz`)).ok ? true : undefined,
      );

      // Event times end just before now, so the app's "last 24 h" shows them.
      const now = Date.now();
      const baseline = logLines(now - 30 * 60_000, now - 6 * 60_000, false);
      for (let i = 0; i < baseline.length; i += 2000) await post(baseline.slice(i, i + 2000));
      await waitFor('/readyz (a model trained on the baseline)', 150, async () =>
        (await fetch(`${base}/readyz`)).ok ? true : undefined,
      );
      // This test is about the pages, not detection quality (tested in collector-processor): a
      // lower global threshold makes the incident over a 20-minute baseline show reliably.
      const all = { enabled: true, weight: 1 };
      await api('PUT', '/thresholds/global', {
        falseAlarmRate: 0.01,
        minScore: 50,
        models: { isolation_forest: all, one_class_svm: all, lof: all, autoencoder: all, lstm: all },
      });
      await post(logLines(now - 6 * 60_000, now - 3 * 60_000, true));
      await post(logLines(now - 3 * 60_000, now, false));
      await waitFor('an anomaly from the incident', 90, async () =>
        (await api<{ total: number }>('GET', '/anomalies?limit=1')).total > 0 ? true : undefined,
      );
      await waitFor('Prometheus scraping logsieve_anomaly_score', 60, async () => {
        const r = (await (await fetch(`${promUrl}/api/v1/query?query=logsieve_anomaly_score`)).json()) as {
          data?: { result: unknown[] };
        };
        return r.data?.result.length ? true : undefined;
      });

      const harness = await startHarnessServer({
        staticDir: await buildHarness(path.join(out, 'harness')),
        logsieveUrl: base,
        apiKey: 'unused-auth-off',
        prometheusUrl: promUrl,
      });
      return {
        harnessUrl: harness.url,
        shotsDir: path.join(out, 'real'),
        api,
        stopService: async () => {
          if (service.exitCode !== null) return;
          const exited = new Promise((resolve) => service.once('exit', resolve));
          service.kill('SIGTERM');
          await exited;
        },
        stop: async () => {
          harness.server.close();
          await stop();
        },
      };
    } catch (err) {
      await stop();
      throw new Error(`${String(err)}\nlogsieve serve output:\n${serviceLog.join('').slice(-4000)}`);
    }
  });
});
