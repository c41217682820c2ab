import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  documentedMetrics,
  isDocumented,
  logsieveNames,
} from '../alertmanager-config/test-support/metric-names';
import { repoRoot } from '../alertmanager-config/test-support/repo-paths';
import { allRules, readRules } from '../alertmanager-config/test-support/rules';

const grafanaDir = resolve(repoRoot, 'provisioning/grafana');
const readYaml = (path: string) =>
  parse(readFileSync(resolve(grafanaDir, path), 'utf8')) as Record<string, unknown>;

interface Panel {
  title: string;
  type: string;
  datasource: { uid: string };
  targets?: { expr: string }[];
  panels?: Panel[];
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: { query: { query: string } | string }[] };
}

const dashboardFiles = readdirSync(resolve(grafanaDir, 'dashboards')).filter((f) => f.endsWith('.json'));
const dashboards = dashboardFiles.map(
  (f) => JSON.parse(readFileSync(resolve(grafanaDir, 'dashboards', f), 'utf8')) as Dashboard,
);
const exprs = (d: Dashboard): string[] => [
  ...d.panels.flatMap((p) => [p, ...(p.panels ?? [])]).flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ...d.templating.list.map((v) => (typeof v.query === 'string' ? v.query : v.query.query)),
];

describe('Grafana provisioning', () => {
  it('enables the logsieve app with its URL and API key from the environment', () => {
    const apps = readYaml('plugins/logsieve-anomaly-app.yaml')['apps'] as Record<
      string,
      Record<string, string>
    >[];
    expect(apps).toHaveLength(1);
    expect(apps[0]!['type']).toBe('logsieve-anomaly-app');
    expect(apps[0]!['jsonData']!['logsieveUrl']).toBe('${LOGSIEVE_URL}');
    expect(apps[0]!['secureJsonData']!['apiKey']).toBe('${LOGSIEVE_API_KEY}');
  });

  it('provides Prometheus and PostgreSQL datasources with the password kept in secureJsonData', () => {
    const sources = readYaml('datasources/logsieve.yaml')['datasources'] as Record<string, unknown>[];
    expect(sources.map((s) => s['type']).sort()).toEqual(['grafana-postgresql-datasource', 'prometheus']);
    const pg = sources.find((s) => s['type'] === 'grafana-postgresql-datasource')!;
    expect(pg['secureJsonData']).toEqual({ password: '${LOGSIEVE_PG_PASSWORD}' });
    expect(JSON.stringify(sources)).not.toMatch(/password"?:\s*"(?!\$\{)/);
  });

  it('has a dashboard provider reading the folder the compose file mounts', () => {
    const providers = readYaml('dashboards/provider.yaml')['providers'] as { options: { path: string } }[];
    expect(providers[0]!.options.path).toBe('/etc/grafana/provisioning/dashboards');
    expect(dashboardFiles.length).toBeGreaterThan(0);
  });

  it('queries only documented metrics or recording rules of the rules file', () => {
    const docs = documentedMetrics();
    const recorded = new Set(allRules(readRules()).flatMap((r) => (r.record ? [r.record] : [])));
    for (const d of dashboards) {
      const names = exprs(d).flatMap(logsieveNames);
      expect(names.length).toBeGreaterThan(5);
      expect(names.filter((n) => !recorded.has(n) && !isDocumented(n, docs))).toEqual([]);
    }
  });

  it('points every panel at the provisioned Prometheus datasource', () => {
    const prometheusUid = (
      readYaml('datasources/logsieve.yaml')['datasources'] as Record<string, string>[]
    ).find((s) => s['type'] === 'prometheus')!['uid'];
    for (const d of dashboards)
      for (const p of d.panels) expect(p.datasource.uid, p.title).toBe(prometheusUid);
  });
});
