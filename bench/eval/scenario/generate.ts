/**
 * The hard evaluation scenario of issue 16: a small web shop's logs in six formats, one file per
 * stream, with a training part whose baseline holds two (unlabelled) incidents and a test part
 * that mixes benign change (deploy, 2.5x traffic, nightly backup, new endpoint) with subtle
 * incidents. Deterministic for a seed. Independent of the demo's generator on purpose: a detector
 * tuned on the demo must not get this one for free.
 */
import { Rng } from './random';
import { clf, cri, headerText, jsonLine, logfmt, rfc5424 } from './formats';

export const STREAMS = {
  'nginx.log': 'combined log format + rt=',
  'api.log': 'JSON lines',
  'auth.log': 'logfmt',
  'worker.log': 'CRI container lines',
  'syslog.log': 'RFC 5424 syslog',
  'jobs.log': 'free text behind a log4j header',
} as const;
export type StreamName = keyof typeof STREAMS;

export interface Span {
  kind: string;
  start: string;
  end: string;
  streams?: StreamName[];
  note?: string;
}

export interface ScenarioLabels {
  seed: number;
  windowSeconds: number;
  trainStart: string;
  testStart: string;
  testEnd: string;
  streams: { name: StreamName; format: string }[];
  /** Test-part incidents: the truth for scoring. */
  incidents: (Span & { streams: StreamName[] })[];
  /** Test-part benign changes and the streams each changes: nothing there should page. */
  benign: (Span & { streams: StreamName[] })[];
  /** Incidents inside the training part (the detector is not told; listed for the record). */
  trainIncidents: (Span & { streams: StreamName[] })[];
}

export interface Scenario {
  train: Record<StreamName, string[]>;
  test: Record<StreamName, string[]>;
  labels: ScenarioLabels;
}

export interface ScenarioOptions {
  seed: number;
  trainDays?: number;
  testDays?: number;
  /** Multiplies every traffic rate (tests use a small scale). */
  scale?: number;
}

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 2, 4); // a Monday; every format below carries the year or an epoch

const ENDPOINTS = [
  { method: 'GET', route: '/api/products/{id}', w: 0.5, rt: 0.03 },
  { method: 'GET', route: '/api/orders/{id}', w: 0.15, rt: 0.05 },
  { method: 'POST', route: '/api/cart', w: 0.2, rt: 0.04 },
  { method: 'POST', route: '/api/checkout', w: 0.08, rt: 0.12 },
  { method: 'GET', route: '/static/{file}', w: 0.07, rt: 0.004 },
] as const;
/** The streams whose volume follows the requests (the 2.5x traffic change). */
const REQUEST_DRIVEN: StreamName[] = ['nginx.log', 'api.log', 'auth.log', 'worker.log'];
const NEW_ENDPOINT = { method: 'GET', route: '/api/v2/recommendations', w: 0.1, rt: 0.06 } as const;
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/122.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_3 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 Version/17.3 Safari/605.1.15',
  'shop-app/4.2.0 (Android 14)',
];
const STATIC = ['app.js', 'app.css', 'logo.svg', 'vendor.js'];

/** Test-part timeline, as offsets from the test start (ms). Nothing overlaps. */
function timeline(testStart: number) {
  const at = (h: number, m = 0) => testStart + h * 3_600_000 + m * MIN;
  return {
    backup: [at(2), at(2, 24)] as const,
    errorShare: [at(4), at(4, 40)] as const,
    latency: [at(6), at(6, 45)] as const,
    heartbeat: [at(8), at(8, 30)] as const,
    deploy: [at(10), at(10, 6)] as const,
    order: [at(11, 30), at(11, 50)] as const,
    traffic: [at(13), at(15)] as const,
    newEndpoint: [at(16), at(24)] as const,
    diskFull: [at(17), at(17, 20)] as const,
    stuffing: [at(19), at(19, 30)] as const,
    oom: [at(21), at(21, 4)] as const,
  };
}

const inSpan = (t: number, s: readonly [number, number]) => t >= s[0] && t < s[1];
const isoZ = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

export function generateScenario(o: ScenarioOptions): Scenario {
  const trainDays = o.trainDays ?? 2;
  const testDays = o.testDays ?? 1;
  const scale = o.scale ?? 1;
  const rng = new Rng(o.seed);
  const testStart = T0 + trainDays * DAY;
  const end = testStart + testDays * DAY;
  const tl = timeline(testStart);
  const trainOom = [T0 + 15 * 3_600_000 + 10 * MIN, T0 + 15 * 3_600_000 + 13 * MIN] as const;
  const trainErrors = [T0 + DAY + 9 * 3_600_000, T0 + DAY + 9 * 3_600_000 + 20 * MIN] as const;

  const out = new Map<StreamName, [number, string][]>();
  for (const s of Object.keys(STREAMS) as StreamName[]) out.set(s, []);
  const emit = (s: StreamName, t: number, line: string) => out.get(s)!.push([Math.floor(t), line]);

  const users = Array.from({ length: 400 }, (_, i) => ({
    name: `u${10_000 + i * 7}`,
    ip: `10.${20 + (i % 7)}.${(i * 13) % 250}.${((i * 29) % 250) + 2}`,
  }));
  let orderSeq = 50_000;
  let pid = 3_000;
  let jobRun = 0;
  let backupNight = 0;
  const version = (t: number) => (t >= tl.deploy[0] + 2 * MIN ? '2.4.0' : '2.3.1');

  const request = (t: number) => {
    const endpoints = t >= tl.newEndpoint[0] ? [...ENDPOINTS, NEW_ENDPOINT] : ENDPOINTS;
    const total = endpoints.reduce((a, e) => a + e.w, 0);
    let r = rng.next() * total;
    const ep = endpoints.find((e) => (r -= e.w) < 0) ?? endpoints[0]!;
    const u = rng.pick(users);
    const errorP = inSpan(t, tl.errorShare) ? 0.04 : inSpan(t, trainErrors) ? 0.05 : 0.001;
    const failed = ep.route.startsWith('/api/') && rng.chance(errorP);
    const slow = ep.route === '/api/orders/{id}' && inSpan(t, tl.latency) ? 3 : 1;
    const rt = rng.logNormal(ep.rt, 0.35) * slow * (failed ? 40 : 1);
    const id = rng.int(1, 9_999);
    const path = ep.route.replace('{id}', String(id)).replace('{file}', rng.pick(STATIC));
    const status = failed ? 500 : ep.method === 'POST' ? 201 : 200;
    emit(
      'nginx.log',
      t + rt * 1000,
      clf(t + rt * 1000, {
        ip: u.ip,
        method: ep.method,
        path,
        status,
        bytes: failed ? 162 : rng.int(300, 9_000),
        agent: rng.pick(AGENTS),
        rt,
      }),
    );
    if (!ep.route.startsWith('/api/')) return;
    if (failed)
      emit(
        'api.log',
        t + rt * 1000,
        jsonLine(t + rt * 1000, 'error', 'payment provider call failed', {
          route: ep.route,
          error: 'upstream timeout after 5000 ms',
          status,
          duration_ms: Math.round(rt * 1000),
          version: version(t),
        }),
      );
    else
      emit(
        'api.log',
        t + rt * 1000,
        jsonLine(t + rt * 1000, 'info', 'request handled', {
          route: ep.route,
          method: ep.method,
          status,
          duration_ms: Math.round(rt * 1000),
          user: u.name,
          version: version(t),
        }),
      );
    if (ep.route === '/api/checkout' && !failed) checkout(t + rt * 1000);
  };

  const checkout = (t: number) => {
    const id = `o-${orderSeq++}`;
    const steps = [
      `[checkout] order ${id}: inventory reserved items=${rng.int(1, 6)}`,
      `[checkout] order ${id}: payment captured amount=${rng.logNormal(40, 0.6).toFixed(2)} currency=EUR`,
      `[checkout] order ${id}: shipment created carrier=${rng.pick(['dhl', 'ups', 'dpd'])}`,
      `[checkout] order ${id}: confirmation mail queued`,
    ];
    // The incident: payment captured before the stock was reserved for some orders.
    if (inSpan(t, tl.order) && rng.chance(0.5)) [steps[0], steps[1]] = [steps[1]!, steps[0]!];
    steps.forEach((s, i) => {
      const at = t + 200 + i * 350 + rng.int(0, 100);
      emit('worker.log', at, cri(at, s));
    });
  };

  const login = (t: number, u: { name: string; ip: string }, ok: boolean) =>
    emit(
      'auth.log',
      t,
      logfmt(t, ok ? 'info' : 'warn', ok ? 'login succeeded' : 'login failed', {
        user: u.name,
        ip: u.ip,
        method: 'password',
        ...(ok ? { session: `s${rng.int(100_000, 999_999)}` } : { reason: 'bad password' }),
      }),
    );

  const restart = (t: number, v: string) => {
    emit('worker.log', t, cri(t, `[main] shutting down: received SIGTERM`, 'stderr'));
    emit('worker.log', t + 4_000, cri(t + 4_000, `[main] starting checkout-worker version=${v} pid=1`));
    emit(
      'worker.log',
      t + 4_600,
      cri(t + 4_600, `[main] connected to queue broker=amqp://rabbitmq:5672 prefetch=20`),
    );
  };

  const oom = (t: number) => {
    const p = pid++;
    const host = 'web-1';
    emit(
      'syslog.log',
      t,
      rfc5424(t, {
        facility: 0,
        severity: 4,
        host,
        app: 'kernel',
        msg: `java invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0`,
      }),
    );
    emit(
      'syslog.log',
      t + 30,
      rfc5424(t + 30, {
        facility: 0,
        severity: 6,
        host,
        app: 'kernel',
        msg: `oom-kill:constraint=CONSTRAINT_MEMCG,task_memcg=/kubepods/pod-worker,task=java,pid=${p},uid=1000`,
      }),
    );
    emit(
      'syslog.log',
      t + 40,
      rfc5424(t + 40, {
        facility: 0,
        severity: 3,
        host,
        app: 'kernel',
        msg: `Out of memory: Killed process ${p} (java) total-vm:${rng.int(7_000_000, 9_000_000)}kB, anon-rss:${rng.int(3_900_000, 4_100_000)}kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:9012kB oom_score_adj:0`,
      }),
    );
    emit(
      'worker.log',
      t + 2_000,
      cri(t + 2_000, `[main] starting checkout-worker version=${version(t)} pid=1`),
    );
    emit(
      'worker.log',
      t + 2_600,
      cri(t + 2_600, `[main] connected to queue broker=amqp://rabbitmq:5672 prefetch=20`),
    );
  };

  for (let m = T0; m < end; m += MIN) {
    const hour = new Date(m).getUTCHours() + new Date(m).getUTCMinutes() / 60;
    const diurnal = 0.35 + 0.65 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 2)) / 24));
    const traffic = inSpan(m, tl.traffic) ? 2.5 : 1;
    const load = diurnal * traffic * scale;

    for (let i = rng.poisson(14 * load); i > 0; i--) request(m + rng.int(0, 59_999));

    // auth: logins from a user's usual address, a few bad passwords, token refreshes.
    for (let i = rng.poisson(2 * load); i > 0; i--) {
      const u = rng.pick(users);
      login(m + rng.int(0, 59_999), u, !rng.chance(0.04));
    }
    for (let i = rng.poisson(2 * load); i > 0; i--) {
      const t = m + rng.int(0, 59_999);
      emit('auth.log', t, logfmt(t, 'info', 'token refreshed', { user: rng.pick(users).name, ttl: 3600 }));
    }
    if (inSpan(m, tl.stuffing)) {
      // Credential stuffing that works: successes from addresses never seen, a few failures.
      for (let i = rng.poisson(2.5 * scale); i > 0; i--)
        login(
          m + rng.int(0, 59_999),
          {
            name: rng.pick(users).name,
            ip: `${rng.pick(['185.220', '45.134', '91.240'])}.${rng.int(0, 255)}.${rng.int(1, 254)}`,
          },
          true,
        );
      for (let i = rng.poisson(1.5 * scale); i > 0; i--)
        login(
          m + rng.int(0, 59_999),
          { name: `u${rng.int(90_000, 99_999)}`, ip: `185.220.${rng.int(0, 255)}.${rng.int(1, 254)}` },
          false,
        );
    }

    // worker: a queue-depth line every 30 s.
    for (const s of [5_000, 35_000])
      emit(
        'worker.log',
        m + s,
        cri(m + s, `[metrics] queue=checkout depth=${rng.poisson(3 * diurnal * traffic)} consumers=4`),
      );

    // jobs: inventory-sync each minute (the heartbeat), price refresh every 15 min, hourly report.
    if (!inSpan(m, tl.heartbeat)) {
      const t = m + 5_000 + rng.int(0, 900);
      emit(
        'jobs.log',
        t,
        headerText(
          t,
          'INFO',
          'scheduler-1',
          `job inventory-sync run=${++jobRun} finished in ${rng.int(600, 1_100)} ms items=${rng.int(11_800, 12_400)}`,
        ),
      );
    }
    const minuteOfDay = Math.round((m - T0) / MIN) % 1_440;
    if (minuteOfDay % 15 === 7) {
      const t = m + 12_000;
      emit(
        'jobs.log',
        t,
        headerText(
          t,
          'INFO',
          'scheduler-2',
          `job price-refresh finished in ${rng.int(2_000, 4_000)} ms updated=${rng.int(10, 400)}`,
        ),
      );
    }
    if (minuteOfDay % 60 === 30) {
      const t = m + 1_000;
      emit(
        'jobs.log',
        t,
        headerText(t, 'INFO', 'reports', `daily sales report refreshed rows=${rng.int(1_000, 5_000)}`),
      );
      emit(
        'syslog.log',
        t,
        rfc5424(t, {
          facility: 9,
          severity: 6,
          host: 'web-1',
          app: 'CRON',
          pid: pid++,
          msg: '(root) CMD (run-parts /etc/cron.hourly)',
        }),
      );
    }

    // nightly backup at 02:00: 15 minutes of chunk uploads (about 1.6x longer in the test night, the database grew).
    if (minuteOfDay === 120) {
      const chunks = m >= testStart ? 330 : 200 + rng.int(0, 20);
      const t0 = m + 2_000;
      backupNight++;
      emit(
        'syslog.log',
        m,
        rfc5424(m, {
          facility: 9,
          severity: 6,
          host: 'web-1',
          app: 'CRON',
          pid: pid++,
          msg: '(root) CMD (/usr/local/bin/backup.sh --target s3://shop-backups/db)',
        }),
      );
      emit(
        'jobs.log',
        t0,
        headerText(t0, 'INFO', 'backup', `backup started night=${backupNight} target=s3://shop-backups/db`),
      );
      for (let c = 1; c <= chunks; c++) {
        const t = t0 + c * 4_000 + rng.int(0, 500);
        emit(
          'jobs.log',
          t,
          headerText(t, 'INFO', 'backup', `uploaded chunk ${c}/${chunks} size=${rng.int(60, 64)} MiB`),
        );
      }
      const tEnd = t0 + (chunks + 1) * 4_000 + 500;
      emit(
        'jobs.log',
        tEnd,
        headerText(
          tEnd,
          'INFO',
          'backup',
          `backup finished chunks=${chunks} duration=${Math.round((tEnd - t0) / 1000)} s`,
        ),
      );
    }

    // syslog background: sessions, ssh, time sync.
    if (rng.chance(0.12)) {
      const t = m + rng.int(0, 59_999);
      emit(
        'syslog.log',
        t,
        rfc5424(t, {
          facility: 4,
          severity: 6,
          host: 'web-1',
          app: 'systemd-logind',
          pid: 612,
          msg: `New session ${rng.int(1_000, 9_999)} of user deploy.`,
        }),
      );
    }
    if (rng.chance(0.06)) {
      const t = m + rng.int(0, 59_999);
      emit(
        'syslog.log',
        t,
        rfc5424(t, {
          facility: 4,
          severity: 6,
          host: 'web-1',
          app: 'sshd',
          pid: pid++,
          msg: `Accepted publickey for deploy from 10.0.0.${rng.int(2, 9)} port ${rng.int(40_000, 60_000)} ssh2`,
        }),
      );
    }
    if (minuteOfDay % 17 === 3) {
      const t = m + 20_000;
      emit(
        'syslog.log',
        t,
        rfc5424(t, {
          facility: 3,
          severity: 6,
          host: 'web-1',
          app: 'chronyd',
          pid: 701,
          msg: `Selected source 10.0.0.1 (ntp.internal) offset ${(rng.normal() * 0.0004).toFixed(6)}`,
        }),
      );
    }
    if (inSpan(m, tl.diskFull)) {
      for (let i = rng.int(1, 3); i > 0; i--) {
        const t = m + rng.int(0, 59_999);
        if (rng.chance(0.5))
          emit(
            'syslog.log',
            t,
            rfc5424(t, {
              facility: 3,
              severity: 4,
              host: 'web-1',
              app: 'systemd-journald',
              pid: 412,
              msg: `Failed to write entry (${rng.int(18, 26)} items, ${rng.int(600, 800)} bytes), ignoring: No space left on device`,
            }),
          );
        else
          emit(
            'syslog.log',
            t,
            rfc5424(t, {
              facility: 0,
              severity: 4,
              host: 'web-1',
              app: 'kernel',
              msg: `EXT4-fs warning (device nvme0n1p1): ext4_end_bio:343: I/O error 28 writing to inode ${rng.int(1_000_000, 2_000_000)} starting block ${rng.int(7_000_000, 8_000_000)})`,
            }),
          );
      }
    }

    if (m === tl.deploy[0]) {
      // Rolling deploy: both services restart on the new version.
      const t = m + 15_000;
      emit('api.log', t, jsonLine(t, 'info', 'shutting down', { signal: 'SIGTERM', version: '2.3.1' }));
      emit(
        'api.log',
        t + 6_000,
        jsonLine(t + 6_000, 'info', 'server started', { port: 8080, version: '2.4.0' }),
      );
      restart(m + 40_000, '2.4.0');
    }
    if (m === tl.oom[0] + MIN || m === trainOom[0]) oom(m + 20_000);
  }

  const render = (from: number, to: number) => {
    const r = {} as Record<StreamName, string[]>;
    for (const [s, lines] of out)
      r[s] = lines
        .filter(([t]) => t >= from && t < to)
        .sort((a, b) => a[0] - b[0])
        .map(([, l]) => l);
    return r;
  };
  const span = (kind: string, s: readonly [number, number], streams: StreamName[], note: string) => ({
    kind,
    start: isoZ(s[0]),
    end: isoZ(s[1]),
    streams,
    note,
  });
  const benign = (kind: string, s: readonly [number, number], streams: StreamName[], note: string) => ({
    kind,
    start: isoZ(s[0]),
    end: isoZ(s[1]),
    streams,
    note,
  });
  return {
    train: render(T0, testStart),
    test: render(testStart, end),
    labels: {
      seed: o.seed,
      windowSeconds: 60,
      trainStart: isoZ(T0),
      testStart: isoZ(testStart),
      testEnd: isoZ(end),
      streams: (Object.entries(STREAMS) as [StreamName, string][]).map(([name, format]) => ({
        name,
        format,
      })),
      incidents: [
        span(
          'error_share',
          tl.errorShare,
          ['api.log', 'nginx.log'],
          'payment errors 0.1 % -> 4 % of API requests',
        ),
        span(
          'latency_x3',
          tl.latency,
          ['nginx.log', 'api.log'],
          'GET /api/orders/{id}: rt= and duration_ms x3',
        ),
        span('heartbeat_missing', tl.heartbeat, ['jobs.log'], 'inventory-sync (every minute) does not run'),
        span(
          'order_violation',
          tl.order,
          ['worker.log'],
          'payment captured before inventory reserved (half the orders)',
        ),
        span('disk_full', tl.diskFull, ['syslog.log'], 'journald and ext4 report no space left'),
        span('credential_stuffing', tl.stuffing, ['auth.log'], 'successful logins from many new addresses'),
        span(
          'oom_kill',
          [tl.oom[0] + MIN, tl.oom[0] + 2 * MIN],
          ['syslog.log', 'worker.log'],
          'kernel OOM-kills the worker; it restarts',
        ),
      ],
      benign: [
        benign(
          'nightly_backup',
          [tl.backup[0], tl.backup[1]],
          ['jobs.log', 'syslog.log'],
          'backup chunk burst, 1.6x longer than in training',
        ),
        benign('deploy', tl.deploy, ['api.log', 'worker.log'], 'api and worker restart on version 2.4.0'),
        benign('traffic_x2.5', tl.traffic, REQUEST_DRIVEN, 'every request-driven stream x2.5'),
        benign(
          'new_endpoint',
          tl.newEndpoint,
          ['nginx.log', 'api.log'],
          'GET /api/v2/recommendations appears',
        ),
      ],
      trainIncidents: [
        span('oom_kill', [trainOom[0], trainOom[0] + MIN], ['syslog.log', 'worker.log'], 'in the baseline'),
        span('error_share', trainErrors, ['api.log', 'nginx.log'], 'in the baseline: 5 % errors'),
      ],
    },
  };
}
