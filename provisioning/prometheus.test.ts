import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBinary } from '../alertmanager-config/test-support/binaries';
import { writePrometheusCopy } from '../alertmanager-config/test-support/prometheus-copy';
import { prometheusFile } from '../alertmanager-config/test-support/repo-paths';

const promtool = requireBinary('promtool');

interface PrometheusConfig {
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: {
    job_name: string;
    authorization?: { type?: string; credentials_file?: string };
    static_configs: { targets: string[] }[];
  }[];
}
const config = parse(readFileSync(prometheusFile, 'utf8')) as PrometheusConfig;

describe('prometheus.yml', () => {
  it('scrapes logsieve on 9464 as job "logsieve" and alerts to Alertmanager', () => {
    const job = config.scrape_configs.find((j) => j.job_name === 'logsieve');
    expect(job?.static_configs[0]?.targets).toEqual(['logsieve:9464']);
    expect(config.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['alertmanager:9093']);
  });

  it('authenticates the logsieve scrape with a key file from the compose secrets folder', () => {
    // logsieve's /metrics answers 401 without a viewer key when auth is on (SECURITY.md);
    // docker-compose.yml mounts the folder, stack-credentials.test.ts checks the key's role.
    const job = config.scrape_configs.find((j) => j.job_name === 'logsieve');
    expect(job?.authorization?.type ?? 'Bearer').toBe('Bearer');
    expect(job?.authorization?.credentials_file).toMatch(/^\/etc\/prometheus\/secrets\/\w+$/);
  });

  it.skipIf(!promtool)('passes promtool check config, resolving the rule files and the key file', () => {
    // promtool requires the credentials file to exist: check a copy whose container-only paths
    // point at the repository's rules and placeholder secrets, everything else unchanged.
    const dir = mkdtempSync(join(tmpdir(), 'logsieve-promtool-'));
    try {
      const r = spawnSync(promtool!, ['check', 'config', writePrometheusCopy(dir)], { encoding: 'utf8' });
      const out = r.stdout + r.stderr;
      expect(out).toContain('SUCCESS: 1 rule files found');
      expect(out).toMatch(/logsieve\.rules\.yml\s+SUCCESS: \d+ rules found/);
      expect(r.status, out).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
