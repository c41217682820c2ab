import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { hasRole } from '../collector-processor/src/api/auth/admission';
import { createHeaderCheck, type CheckHeaders } from '../collector-processor/src/api/auth/authenticator';
import type { Role } from '../collector-processor/src/api/routes';
import { requireBinary } from '../alertmanager-config/test-support/binaries';
import { repoRoot } from '../alertmanager-config/test-support/repo-paths';
import {
  composeLogsieveConfig,
  expandEnv,
  hostPath,
  resolvedCompose,
  type ResolvedService,
} from './test-support/compose-config';

/*
 * Every credential the compose stack hands out, with its defaults, goes through logsieve's own
 * start-up check (keys of at least 24 characters) and header check, and must carry the role the
 * listener it calls demands (SECURITY.md): OTLP needs editor, /metrics viewer. Only the keys of
 * auth.apiKeys are involved; the database's keys store is never asked.
 */

const dockerCompose = requireBinary('docker-compose');
const noDatabaseKeys = { verify: async () => null };
type Tree = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe.skipIf(!dockerCompose)('docker-compose.yml credentials, checked by logsieve', () => {
  let services: Record<string, ResolvedService>;
  const service = (name: string) => services[name]!;
  /** What logsieve serve builds at start (and throws from) with the compose configuration. */
  const headerCheck = (): CheckHeaders =>
    createHeaderCheck({ config: composeLogsieveConfig(services), keys: noDatabaseKeys });
  /** The role logsieve gives these headers; fails the test on refused credentials. */
  const roleOf = async (headers: Record<string, string>): Promise<Role> => {
    const result = await headerCheck()(headers);
    if (result === null || result === 'invalid') throw new Error(`refused: ${JSON.stringify(headers)}`);
    return result.role;
  };

  beforeAll(() => {
    services = resolvedCompose(dockerCompose!);
  });

  it('starts logsieve: auth is on and every configured key passes the start-up check', () => {
    const config = composeLogsieveConfig(services);
    expect(config.auth.enabled).toBe(true);
    expect(config.auth.apiKeys.length).toBeGreaterThan(0);
    // This is what refuses start-up (at least 24 characters per key).
    expect(headerCheck).not.toThrow();
  });

  it("sends the collector's logs over OTLP/HTTP with an editor key", async () => {
    const collector = service('otel-collector');
    const configArg = collector.command!.find((a) => a.startsWith('--config='))!;
    const otelcol = parse(
      readFileSync(hostPath(collector, configArg.slice('--config='.length)), 'utf8'),
    ) as Tree;
    const headers = otelcol['exporters'].otlphttp.headers as Record<string, string>;
    const sent = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, expandEnv(v, collector)]));
    expect(hasRole({ actor: 'collector', role: await roleOf(sent) }, 'editor')).toBe(true);
  });

  it("gives Grafana's app a key with the admin role its model routes need", async () => {
    const grafana = service('grafana');
    const provisioning = parse(
      readFileSync(hostPath(grafana, '/etc/grafana/provisioning/plugins/logsieve-anomaly-app.yaml'), 'utf8'),
    ) as Tree;
    const apiKey = expandEnv(provisioning['apps'][0].secureJsonData.apiKey, grafana);
    // The header the app's proxy routes send (plugin.json); activating a model needs admin.
    const plugin = JSON.parse(
      readFileSync(resolve(repoRoot, 'grafana-plugin/src/plugin.json'), 'utf8'),
    ) as Tree;
    const header = (plugin['routes'][0].headers as { name: string; content: string }[])[0]!;
    const sent = { [header.name]: header.content.replace('{{ .SecureJsonData.apiKey }}', apiKey) };
    expect(await roleOf(sent)).toBe('admin');
  });

  it('lets Prometheus scrape /metrics with the viewer key of its mounted secrets', async () => {
    const prometheus = service('prometheus');
    const config = parse(
      readFileSync(hostPath(prometheus, '/etc/prometheus/prometheus.yml'), 'utf8'),
    ) as Tree;
    const job = (config['scrape_configs'] as Tree[]).find((j) => j['job_name'] === 'logsieve')!;
    const keyFile = hostPath(prometheus, job['authorization'].credentials_file);
    // Prometheus sends the file's content, trimmed, as a Bearer token.
    const key = readFileSync(keyFile, 'utf8').trim();
    const role = await roleOf({ authorization: `Bearer ${key}` });
    expect(role).toBe('viewer');
  });
});
