import { describe, expect, it } from 'vitest';
import { generateScenario, STREAMS, type StreamName } from './generate';
import { scenarioLabels, scenarioVerdicts } from './score';

// One day of training at a fifth of the traffic keeps the test fast; the timeline is the same.
const small = generateScenario({ seed: 7, trainDays: 1, scale: 0.2 });
const full = generateScenario({ seed: 7, trainDays: 1 });

function timeOf(line: string): number {
  const iso = line.match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/);
  if (iso) return Date.parse(iso[0].replace(/(\.\d{3})\d+Z$/, '$1Z'));
  const clf = line.match(/\[(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) \+0000\]/);
  if (clf) return Date.parse(`${clf[2]} ${clf[1]} ${clf[3]} ${clf[4]}:${clf[5]}:${clf[6]} UTC`);
  const header = line.match(/^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d),(\d{3})/);
  if (header) return Date.parse(`${header[1]}T${header[2]}.${header[3]}Z`);
  throw new Error(`no time in ${line}`);
}

const within = (line: string, s: { start: string; end: string }) =>
  timeOf(line) >= Date.parse(s.start) && timeOf(line) < Date.parse(s.end);
const span = (kind: string) => full.labels.incidents.find((i) => i.kind === kind)!;
const benign = (kind: string) => full.labels.benign.find((b) => b.kind === kind)!;

describe('scenario generator', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateScenario({ seed: 7, trainDays: 1, scale: 0.2 })).toEqual(small);
    const other = generateScenario({ seed: 8, trainDays: 1, scale: 0.2 });
    expect(other.test['nginx.log']).not.toEqual(small.test['nginx.log']);
  });

  it('writes every stream in its own format', () => {
    const first = (s: StreamName) => small.test[s][0]!;
    expect(() => JSON.parse(first('api.log'))).not.toThrow();
    expect(first('nginx.log')).toMatch(
      /^\S+ - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "\w+ \S+ HTTP\/1\.1" \d{3} \d+ "-" ".*" rt=\d+\.\d{3}$/,
    );
    expect(first('auth.log')).toMatch(/^ts=\S+ level=\w+ msg="[^"]+"( \w+=\S+)+$/);
    expect(first('worker.log')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z (stdout|stderr) F /);
    expect(first('syslog.log')).toMatch(/^<\d+>1 \d{4}-\d\d-\d\dT\S+Z \S+ \S+ \S+ - - /);
    expect(first('jobs.log')).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} \w+\s+\[[\w-]+\] /);
    expect(Object.keys(small.test).sort()).toEqual(Object.keys(STREAMS).sort());
  });

  it('keeps each part inside its time range, in time order per stream', () => {
    for (const part of ['train', 'test'] as const)
      for (const lines of Object.values(small[part])) {
        const ts = lines.map(timeOf);
        expect(ts.every((t, i) => i === 0 || t >= ts[i - 1]!)).toBe(true);
        const [lo, hi] =
          part === 'train'
            ? [Date.parse(small.labels.trainStart), Date.parse(small.labels.testStart)]
            : [Date.parse(small.labels.testStart), Date.parse(small.labels.testEnd)];
        expect(ts.every((t) => t >= lo && t < hi)).toBe(true);
      }
  });

  it('puts each incident in the lines of its streams and span, and nowhere else in the test part', () => {
    const test = full.test;
    // OOM kill: kernel lines only inside the span, and the baseline holds one too.
    const oom = test['syslog.log'].filter((l) => l.includes('Out of memory'));
    expect(oom.length).toBe(1);
    expect(oom.every((l) => within(l, span('oom_kill')))).toBe(true);
    expect(full.train['syslog.log'].some((l) => l.includes('Out of memory'))).toBe(true);
    // Disk full.
    const disk = test['syslog.log'].filter((l) => /No space left|EXT4-fs warning/.test(l));
    expect(disk.length).toBeGreaterThanOrEqual(20);
    expect(disk.every((l) => within(l, span('disk_full')))).toBe(true);
    // Heartbeat: none inside the span, one a minute elsewhere.
    const beats = test['jobs.log'].filter((l) => l.includes('inventory-sync'));
    expect(beats.filter((l) => within(l, span('heartbeat_missing')))).toEqual([]);
    expect(beats.length).toBe(1_440 - 30);
    // Order violation: payment before reservation only inside the span.
    const steps = new Map<string, string[]>();
    for (const l of test['worker.log']) {
      const m = l.match(/order (o-\d+): (inventory reserved|payment captured)/);
      if (m) steps.set(m[1]!, [...(steps.get(m[1]!) ?? []), l]);
    }
    const swapped = [...steps.values()].filter((s) => s[0]!.includes('payment captured'));
    expect(swapped.length).toBeGreaterThan(3);
    expect(swapped.every((s) => within(s[0]!, span('order_violation')))).toBe(true);
    // Credential stuffing: successful logins from outside the users' own 10.x addresses.
    const foreign = test['auth.log'].filter((l) => l.includes('login succeeded') && !/ ip=10\./.test(l));
    expect(foreign.length).toBeGreaterThan(30);
    expect(foreign.every((l) => within(l, span('credential_stuffing')))).toBe(true);
  });

  it('raises the error share about 40x inside its span and slows only GET /api/orders three-fold', () => {
    const api = full.test['api.log'];
    const share = (inside: boolean) => {
      const ls = api.filter((l) => within(l, span('error_share')) === inside && l.includes('"route"'));
      return ls.filter((l) => l.includes('"level":"error"')).length / ls.length;
    };
    expect(share(true)).toBeGreaterThan(0.02);
    expect(share(false)).toBeLessThan(0.004);
    const median = (route: string, inside: boolean) => {
      const xs = api
        .filter(
          (l) =>
            l.includes(`"route":"${route}"`) &&
            l.includes('"level":"info"') &&
            within(l, span('latency_x3')) === inside,
        )
        .map((l) => (JSON.parse(l) as { duration_ms: number }).duration_ms)
        .sort((a, b) => a - b);
      return xs[xs.length >> 1]!;
    };
    expect(median('/api/orders/{id}', true) / median('/api/orders/{id}', false)).toBeGreaterThan(2.3);
    expect(median('/api/products/{id}', true) / median('/api/products/{id}', false)).toBeLessThan(1.4);
  });

  it('shows the benign changes: new version after the deploy, the new endpoint only after its start, 2.5x traffic', () => {
    const api = full.test['api.log'];
    expect(
      api.some((l) => l.includes('"version":"2.4.0"') && timeOf(l) < Date.parse(benign('deploy').start)),
    ).toBe(false);
    expect(api.some((l) => l.includes('"version":"2.4.0"'))).toBe(true);
    const nginx = full.test['nginx.log'];
    const v2 = nginx.filter((l) => l.includes('/api/v2/recommendations'));
    expect(v2.length).toBeGreaterThan(100);
    expect(v2.every((l) => timeOf(l) >= Date.parse(benign('new_endpoint').start))).toBe(true);
    const traffic = benign('traffic_x2.5');
    const perHour = (from: number) =>
      nginx.filter((l) => timeOf(l) >= from && timeOf(l) < from + 3_600_000).length;
    // 13:00-14:00 at 2.5x against the same hour of the previous (training) day.
    const before = full.train['nginx.log'].filter((l) => {
      const t = timeOf(l) + 86_400_000;
      return t >= Date.parse(traffic.start) && t < Date.parse(traffic.start) + 3_600_000;
    }).length;
    expect(perHour(Date.parse(traffic.start)) / before).toBeGreaterThan(2);
  });

  it('labels windows of the incident streams only, and scores early detection and benign false alarms', () => {
    const labels = scenarioLabels(small.labels);
    expect(labels.size).toBe(6 * 1_440);
    const anomalous = [...labels].filter(([, l]) => l.anomalous);
    expect(
      anomalous.every(([k, l]) =>
        small.labels.incidents.some(
          (i) => i.streams.includes(l.stream as StreamName) && k.startsWith(l.stream),
        ),
      ),
    ).toBe(true);
    // A detector that flags exactly the incident windows catches every kind and raises no benign alarm.
    const perfect = new Map([...labels].map(([k, l]) => [k, l.anomalous]));
    const v = scenarioVerdicts(small.labels, perfect, new Map());
    expect(v.incidents.every((i) => i.caught && !i.baselineCaught)).toBe(true);
    expect(v.benign.every((b) => b.falseAlarms === 0)).toBe(true);
    // Flagging everything costs false alarms in every benign change.
    const all = new Map([...labels].map(([k]) => [k, true]));
    expect(scenarioVerdicts(small.labels, all, all).benign.every((b) => b.falseAlarms > 0)).toBe(true);
    // A benign change is charged only for the streams it changes: the backup touches no auth window.
    const auth = new Map([...labels].filter(([, l]) => l.stream === 'auth.log').map(([k]) => [k, true]));
    const byKind = scenarioVerdicts(small.labels, auth, new Map()).benign;
    expect(byKind.find((b) => b.kind === 'nightly_backup')!.falseAlarms).toBe(0);
    expect(byKind.find((b) => b.kind === 'traffic_x2.5')!.falseAlarms).toBeGreaterThan(0);
  });
});
