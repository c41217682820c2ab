/**
 * What the service benchmarks share: a real `logsieve serve` child process on free loopback ports
 * with embedded defaults, its metrics and RSS, and the synthetic traffic both send.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `--name N` from the command line, else `dflt`. */
export function numberArg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const freePort = () =>
  new Promise<number>((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });

export interface ServeProcess {
  proc: ChildProcess;
  ports: { rest: number; otlpHttp: number; otlpGrpc: number; metrics: number };
  rest(path: string): string;
  /** Sum of every series of a metric on /metrics. */
  metric(name: string): Promise<number>;
  rssMiB(): number;
  /** Resolves once /healthz answers. */
  started(): Promise<void>;
  stop(): Promise<void>;
}

/** `--name VALUE` from the command line, else undefined. */
function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/**
 * Baseline: 30 minutes of event time and at least 60 units, as the service tests use.
 * `--cpu-prof DIR` on the bench's command line writes the service's V8 CPU profile there on exit.
 */
export async function startServe(env: Record<string, string> = {}): Promise<ServeProcess> {
  const ports = {
    rest: await freePort(),
    otlpHttp: await freePort(),
    otlpGrpc: await freePort(),
    metrics: await freePort(),
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'logsieve-bench-'));
  const profileDir = stringArg('cpu-prof');
  const proc = spawn(
    process.execPath,
    [
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
      resolve(import.meta.dirname, '../../collector-processor/bin/logsieve.js'),
      'serve',
      '--data-dir',
      dataDir,
    ],
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
        ...env,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const rest = (p: string) => `http://127.0.0.1:${ports.rest}${p}`;
  return {
    proc,
    ports,
    rest,
    async metric(name) {
      const text = await (await fetch(`http://127.0.0.1:${ports.metrics}/metrics`)).text();
      let n = 0;
      for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) n += Number(m[1]);
      return n;
    },
    rssMiB: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))![1]) / 1024,
    async started() {
      for (let t = Date.now(); ; await sleep(200)) {
        if ((await fetch(rest('/healthz')).catch(() => null))?.ok) return;
        if (Date.now() - t > 60_000) throw new Error('service did not start');
      }
    },
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BenchLine {
  severityText: string;
  severityNumber: number;
  body: string;
}

/** Four templates per stream in a fixed rotation: requests, job start/finish, cache statistics. */
export function benchLine(stream: string, n: number): BenchLine {
  switch (n % 4) {
    case 0:
      return {
        severityText: 'INFO',
        severityNumber: 9,
        body: `${stream} GET /items/${n % 97} 200 in ${5 + (n % 40)} ms`,
      };
    case 1:
      return {
        severityText: 'INFO',
        severityNumber: 9,
        body: `${stream} job ${n} started on worker-${n % 8}`,
      };
    case 2:
      return {
        severityText: 'INFO',
        severityNumber: 9,
        body: `${stream} job ${n - 1} finished in ${100 + (n % 300)} ms`,
      };
    default:
      return {
        severityText: 'DEBUG',
        severityNumber: 5,
        body: `${stream} cache hit ratio ${(n % 100) / 100} for shard ${n % 16}`,
      };
  }
}
