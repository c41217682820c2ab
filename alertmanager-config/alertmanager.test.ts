import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { writeAlertmanagerCopy } from './test-support/alertmanager-copy';
import { requireBinary } from './test-support/binaries';
import { alertmanagerDir, alertmanagerFile } from './test-support/repo-paths';

const amtool = requireBinary('amtool');

interface Route {
  receiver?: string;
  matchers?: string[];
  routes?: Route[];
}
interface RouteCase {
  labels: Record<string, string>;
  receiver: string;
}

const config = parse(readFileSync(alertmanagerFile, 'utf8')) as {
  route: Route;
  receivers: { name: string }[];
};
const cases = parse(readFileSync(resolve(alertmanagerDir, 'tests/routes.yml'), 'utf8')) as RouteCase[];

/** Every route of the tree with the matchers of its ancestors (what a label set must satisfy). */
function flatten(route: Route, inherited: string[] = []): { matchers: string[]; receiver: string }[] {
  const matchers = [...inherited, ...(route.matchers ?? [])];
  return [
    { matchers, receiver: route.receiver! },
    ...(route.routes ?? []).flatMap((r) => flatten(r, matchers)),
  ];
}

/** Alertmanager matcher semantics for the `name="v"`, `name=~"re"` forms this config uses. */
function matches(matcher: string, labels: Record<string, string>): boolean {
  const m = /^(\w+)(=~|!~|!=|=)"(.*)"$/.exec(matcher);
  if (!m) throw new Error(`unsupported matcher ${matcher}`);
  const [, name, op, value] = m;
  const actual = labels[name!] ?? '';
  const re = new RegExp(`^(?:${value})$`);
  return op === '='
    ? actual === value
    : op === '!='
      ? actual !== value
      : op === '=~'
        ? re.test(actual)
        : !re.test(actual);
}

describe('alertmanager.yml structure', () => {
  it('groups by alertname and service and declares every receiver it routes to', () => {
    const root = config.route as Route & { group_by?: string[] };
    expect(root.group_by).toEqual(['alertname', 'service']);
    const declared = new Set(config.receivers.map((r) => r.name));
    for (const r of flatten(config.route)) expect(declared.has(r.receiver), r.receiver).toBe(true);
  });

  it('has a routes.yml case that reaches every route', () => {
    for (const route of flatten(config.route)) {
      const hit = cases.some(
        (c) => c.receiver === route.receiver && route.matchers.every((m) => matches(m, c.labels)),
      );
      expect(hit, `no case for route ${JSON.stringify(route)}`).toBe(true);
    }
  });
});

describe.skipIf(!amtool)('amtool', () => {
  const dir = mkdtempSync(join(tmpdir(), 'logsieve-am-'));
  const copy = writeAlertmanagerCopy(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('check-config accepts the configuration and loads its templates', () => {
    const r = spawnSync(amtool!, ['check-config', copy], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS[\s\S]*2 inhibit rules[\s\S]*3 receivers[\s\S]*1 templates/);
    expect(r.status).toBe(0);
  });

  it.each(
    cases.map(
      (c) =>
        [
          Object.entries(c.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
          c,
        ] as const,
    ),
  )('routes %s', (_name, c) => {
    const labels = Object.entries(c.labels).map(([k, v]) => `${k}=${v}`);
    const r = spawnSync(
      amtool!,
      ['config', 'routes', 'test', `--config.file=${copy}`, `--verify.receivers=${c.receiver}`, ...labels],
      { encoding: 'utf8' },
    );
    expect(r.stdout.trim()).toBe(c.receiver);
    expect(r.status).toBe(0);
  });

  it('renders score, stream, top templates and the Grafana link into the notification text', () => {
    const data = {
      receiver: 'pager',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'LogAnomaly', service: 'checkout', severity: 'critical' },
          annotations: {
            summary: 'Anomalous logs in checkout',
            score: '97.5',
            explanation: '- payment call failed: upstream timeout after <*>ms (42 seen, 0.3 expected)',
            grafana_url: 'http://grafana.test/a/logsieve-anomaly-app/anomalies/abc',
          },
          startsAt: '2026-11-24T10:00:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: '1',
        },
        {
          status: 'firing',
          labels: { alertname: 'LogAnomalyScoreHigh', service: 'payments', severity: 'warning' },
          annotations: { summary: 'Log anomaly score of payments is 80', score: '80.0' },
          startsAt: '2026-11-24T10:05:00Z',
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: '',
          fingerprint: '2',
        },
      ],
      groupLabels: { alertname: 'LogAnomaly' },
      commonLabels: {},
      commonAnnotations: {},
      externalURL: 'http://am.test',
    };
    const dataFile = join(dir, 'data.json');
    writeFileSync(dataFile, JSON.stringify(data));
    const r = spawnSync(
      amtool!,
      [
        'template',
        'render',
        `--template.glob=${join(alertmanagerDir, 'templates/*.tmpl')}`,
        `--template.data=${dataFile}`,
        '--template.text={{ template "logsieve.title" . }}\n{{ template "logsieve.text" . }}',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('[FIRING:2]');
    expect(r.stdout).toContain('Stream: checkout\nScore: 97.5 / 100');
    expect(r.stdout).toContain(
      'Top templates:\n- payment call failed: upstream timeout after <*>ms (42 seen, 0.3 expected)',
    );
    expect(r.stdout).toContain('Grafana: http://grafana.test/a/logsieve-anomaly-app/anomalies/abc');
    // A rule alert has no grafana_url: the template links to the app's overview for its stream.
    expect(r.stdout).toContain(
      'Grafana: http://localhost:3000/a/logsieve-anomaly-app/overview?stream=payments',
    );
  });
});
