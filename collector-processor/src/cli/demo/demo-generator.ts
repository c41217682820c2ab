import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The demo's own log generator: six services, each in a different format, with normal traffic
 * (diurnal-free but noisy rates, realistic parameters) and six incidents in the detection part;
 * the training part holds one of its own, as real baselines do.
 * Deterministic given the seed, so the demo report is the same on every machine.
 */
export interface DemoIncident {
  stream: string;
  kind: string;
  startMs: number;
  endMs: number;
  description: string;
}

export interface DemoOptions {
  seed?: number;
  startMs?: number;
  trainMinutes?: number;
  testMinutes?: number;
}

export interface DemoDataset {
  trainDir: string;
  testDir: string;
  incidents: DemoIncident[];
  /** Incidents inside the training part: training must not learn them as normal. */
  baselineIncidents: DemoIncident[];
  lines: { train: number; test: number };
}

type Emit = (timeMs: number, line: string) => void;

interface Rand {
  (): number;
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
  poisson(rate: number): number;
}

function makeRand(seed: number): Rand {
  let a = seed >>> 0;
  const r = (() => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Rand;
  r.int = (lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
  r.pick = (xs) => xs[Math.floor(r() * xs.length)]!;
  r.poisson = (rate) => {
    let k = 0;
    for (let p = Math.exp(-rate), s = r(); s > p; s *= r()) k++;
    return k;
  };
  return r;
}

const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'];
const PATHS = [
  '/api/orders',
  '/api/orders/{id}',
  '/api/cart',
  '/api/products',
  '/api/products/{id}',
  '/api/login',
  '/healthz',
];
const AGENTS = ['Mozilla/5.0 (X11; Linux x86_64)', 'curl/8.5.0', 'okhttp/4.12.0', 'Mozilla/5.0 (Macintosh)'];
const ip = (r: Rand) => `10.${r.int(0, 3)}.${r.int(0, 255)}.${r.int(1, 254)}`;
const hex = (r: Rand, n: number) =>
  Array.from({ length: n }, () => '0123456789abcdef'[r.int(0, 15)]).join('');

function clfTime(ms: number): string {
  const d = new Date(ms);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][
    d.getUTCMonth()
  ];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${mon}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
const iso = (ms: number) => new Date(ms).toISOString();

interface Ctx {
  r: Rand;
  t: number;
  incident: (kind: string) => boolean;
}

/** One service: called once per second of simulated time. */
type Service = { name: string; tick: (c: Ctx, emit: Emit) => void };

const services: Service[] = [
  {
    name: 'api-gateway',
    // nginx combined format with $request_time: the latency spike shows in the numeric parameter.
    tick({ r, t, incident }, emit) {
      const slow = incident('latency-spike');
      for (let i = r.poisson(6); i > 0; i--) {
        const path = r.pick(PATHS).replace('{id}', String(r.int(1000, 99999)));
        const status = r() < 0.01 ? 404 : 200;
        const rt = slow ? 2 + r() * 6 : 0.005 + r() * r() * 0.2;
        const ms = t + r.int(0, 999);
        emit(
          ms,
          `${ip(r)} - - [${clfTime(ms)}] "GET ${path} HTTP/1.1" ${status} ${r.int(200, 9000)} "-" "${r.pick(AGENTS)}" ${rt.toFixed(3)}`,
        );
      }
    },
  },
  {
    name: 'auth-service',
    // JSON lines (pino style); brute force = a flood of failed logins for many users from one IP.
    tick({ r, t, incident }, emit) {
      const line = (ms: number, level: number, msg: string, extra: Record<string, unknown>) =>
        emit(ms, JSON.stringify({ level, time: ms, pid: 4242, hostname: 'auth-7f9c', msg, ...extra }));
      for (let i = r.poisson(2); i > 0; i--) {
        const ms = t + r.int(0, 999);
        if (r() < 0.03) line(ms, 40, `login failed for user ${r.pick(USERS)}: bad password`, { ip: ip(r) });
        else line(ms, 30, `login succeeded for user ${r.pick(USERS)}`, { ip: ip(r), session: hex(r, 16) });
      }
      if (r() < 0.2) line(t + r.int(0, 999), 30, `token refreshed for user ${r.pick(USERS)}`, { ttl: 3600 });
      if (incident('brute-force')) {
        for (let i = r.poisson(25); i > 0; i--) {
          line(
            t + r.int(0, 999),
            40,
            `login failed for user ${r.pick(['admin', 'root', 'test', 'oracle', 'postgres'])}: unknown user`,
            {
              ip: '185.220.101.47',
            },
          );
        }
      }
    },
  },
  {
    name: 'orders-service',
    // logfmt; after a deploy a new exception appears in a share of the requests.
    tick({ r, t, incident }, emit) {
      const lf = (ms: number, level: string, msg: string, kv: string) =>
        emit(ms, `time=${iso(ms)} level=${level} msg="${msg}" ${kv}`);
      for (let i = r.poisson(3); i > 0; i--) {
        const ms = t + r.int(0, 999);
        const id = r.int(100000, 999999);
        lf(
          ms,
          'info',
          'order created',
          `order_id=${id} items=${r.int(1, 6)} total=${(r() * 300).toFixed(2)} user=${r.pick(USERS)}`,
        );
        if (r() < 0.7)
          lf(
            ms + 20,
            'info',
            'payment authorised',
            `order_id=${id} provider=stripe duration=${r.int(40, 300)}ms`,
          );
        if (incident('new-exception') && r() < 0.5) {
          lf(
            ms + 25,
            'error',
            'order validation failed',
            `order_id=${id} error="NullPointerException at OrderValidator.checkStock(OrderValidator.java:88)"`,
          );
        }
      }
      if (t % 60_000 === 0) lf(t, 'info', 'cache stats', `hits=${r.int(900, 1100)} misses=${r.int(10, 60)}`);
    },
  },
  {
    name: 'billing-worker',
    // free text with a Java-style header; every job runs start -> fetch -> charge -> commit -> done.
    tick({ r, t, incident }, emit) {
      const line = (ms: number, level: string, comp: string, msg: string) =>
        emit(
          ms,
          `${iso(ms).replace('T', ' ').replace('Z', '')} ${level.padEnd(5)} [worker-${r.int(1, 4)}] ${comp}: ${msg}`,
        );
      if (t % 10_000 !== 0) return;
      const job = r.int(10000, 99999);
      const broken = incident('broken-sequence');
      line(t, 'INFO', 'c.a.billing.JobRunner', `Starting job ${job} for batch ${r.int(1, 500)}`);
      line(t + 100, 'INFO', 'c.a.billing.InvoiceFetcher', `Fetched ${r.int(5, 80)} invoices for job ${job}`);
      line(
        t + 400,
        'INFO',
        'c.a.billing.Charger',
        `Charged ${r.int(5, 80)} invoices in ${r.int(100, 900)} ms`,
      );
      if (broken) {
        line(t + 500, 'INFO', 'c.a.billing.JobRunner', `Retrying job ${job} from checkpoint ${r.int(1, 9)}`);
        return; // neither commit nor done: the job never finishes
      }
      line(t + 600, 'INFO', 'c.a.billing.Ledger', `Committed transaction ${hex(r, 12)} for job ${job}`);
      line(t + 700, 'INFO', 'c.a.billing.JobRunner', `Job ${job} done in ${r.int(600, 900)} ms`);
    },
  },
  {
    name: 'inventory',
    // RFC 5424 syslog with a heartbeat every 5 s; "goes quiet" = nothing at all for a while.
    tick({ r, t, incident }, emit) {
      if (incident('quiet')) return;
      const sys = (ms: number, pri: number, msg: string) =>
        emit(ms, `<${pri}>1 ${iso(ms)} inv-01 inventory 311 - - ${msg}`);
      if (t % 5000 === 0) sys(t, 14, `heartbeat ok queue_depth=${r.int(0, 20)}`);
      for (let i = r.poisson(1.5); i > 0; i--) {
        sys(
          t + r.int(0, 999),
          14,
          `reserved ${r.int(1, 5)} units of sku ${r.int(1000, 9999)} for order ${r.int(100000, 999999)}`,
        );
      }
      if (r() < 0.05)
        sys(t + r.int(0, 999), 12, `stock low for sku ${r.int(1000, 9999)}: ${r.int(0, 5)} left`);
    },
  },
  {
    name: 'payments-db',
    // RFC 3164 syslog; an error burst when the connection pool to the database breaks.
    tick({ r, t, incident }, emit) {
      const d = new Date(t);
      const stamp = `${['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${iso(t).slice(11, 19)}`;
      const sys = (msg: string) => emit(t + r.int(0, 999), `<30>${stamp} db-proxy pgbouncer[812]: ${msg}`);
      for (let i = r.poisson(1); i > 0; i--)
        sys(`stats: ${r.int(50, 200)} xacts/s, ${r.int(60, 260)} queries/s, avg ${r.int(200, 900)} us`);
      if (r() < 0.1)
        sys(
          `C-${hex(r, 8)}: payments/app@${ip(r)}:${r.int(30000, 60000)} login attempt: db=payments user=app tls=no`,
        );
      if (incident('error-burst')) {
        for (let i = r.poisson(12); i > 0; i--) {
          sys(
            `S-${hex(r, 8)}: payments/app@10.0.9.12:5432 closing because: server conn crashed? (age=${r.int(0, 40)}s)`,
          );
        }
      }
    },
  },
];

export async function generateDemo(dir: string, opts: DemoOptions = {}): Promise<DemoDataset> {
  const r = makeRand(opts.seed ?? 7);
  const start = opts.startMs ?? Date.UTC(2026, 10, 23, 8, 0, 0);
  const trainMs = (opts.trainMinutes ?? 150) * 60_000;
  const testMs = (opts.testMinutes ?? 90) * 60_000;
  const t0 = start + trainMs;
  const at = (min: number, dur: number) => [t0 + min * 60_000, t0 + (min + dur) * 60_000] as const;
  const plan: [string, string, readonly [number, number], string][] = [
    [
      'payments-db',
      'error-burst',
      at(10, 4),
      'database connection pool breaks: burst of "server conn crashed" errors',
    ],
    [
      'orders-service',
      'new-exception',
      at(25, 8),
      'deploy brings a NullPointerException in order validation',
    ],
    ['auth-service', 'brute-force', at(40, 5), 'brute-force logins for admin/root/test from one IP'],
    ['inventory', 'quiet', at(55, 6), 'inventory stops logging entirely (heartbeat missing)'],
    ['api-gateway', 'latency-spike', at(68, 4), 'request times jump from ~50 ms to 2-8 s'],
    ['billing-worker', 'broken-sequence', at(80, 5), 'billing jobs retry from checkpoint and never commit'],
  ];
  const asIncident = ([stream, kind, [s, e], description]: (typeof plan)[number]): DemoIncident => ({
    stream,
    kind,
    startMs: s,
    endMs: e,
    description,
  });
  const incidents = plan.map(asIncident);
  const mid = start + Math.floor(trainMs / 120_000) * 60_000;
  const baselineIncidents = [
    asIncident([
      'payments-db',
      'error-burst',
      [mid, mid + 4 * 60_000],
      'in the baseline: the connection pool broke once before',
    ]),
  ];
  const trainDir = join(dir, 'train');
  const testDir = join(dir, 'test');
  await mkdir(trainDir, { recursive: true });
  await mkdir(testDir, { recursive: true });
  const lines = { train: 0, test: 0 };
  for (const svc of services) {
    const out = { train: [] as [number, string][], test: [] as [number, string][] };
    const active = [...incidents, ...baselineIncidents].filter((i) => i.stream === svc.name);
    for (let t = start; t < t0 + testMs; t += 1000) {
      const part = t < t0 ? out.train : out.test;
      const incident = (kind: string) => active.some((i) => i.kind === kind && t >= i.startMs && t < i.endMs);
      svc.tick({ r, t, incident }, (ms, line) => part.push([ms, line]));
    }
    for (const part of ['train', 'test'] as const) {
      const sorted = out[part].sort((a, b) => a[0] - b[0]);
      lines[part] += sorted.length;
      await writeFile(
        join(part === 'train' ? trainDir : testDir, `${svc.name}.log`),
        sorted.map((x) => x[1]).join('\n') + '\n',
      );
    }
  }
  return { trainDir, testDir, incidents, baselineIncidents, lines };
}
