import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBinary } from '../alertmanager-config/test-support/binaries';
import { prometheusFile } from '../alertmanager-config/test-support/repo-paths';

const promtool = requireBinary('promtool');

interface PrometheusConfig {
  rule_files: string[];
  alerting: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
}
const config = parse(readFileSync(prometheusFile, 'utf8')) as PrometheusConfig;

describe('prometheus.yml', () => {
  it('scrapes logsieve on 9464 as job "logsieve" and alerts to Alertmanager', () => {
    const job = config.scrape_configs.find((j) => j.job_name === 'logsieve');
    expect(job?.static_configs[0]?.targets).toEqual(['logsieve:9464']);
    expect(config.alerting.alertmanagers[0]?.static_configs[0]?.targets).toEqual(['alertmanager:9093']);
  });

  it.skipIf(!promtool)('passes promtool check config, resolving the rule files', () => {
    // rule_files are relative to the config file, so run where it lies.
    const r = spawnSync(promtool!, ['check', 'config', 'prometheus.yml'], {
      cwd: dirname(prometheusFile),
      encoding: 'utf8',
    });
    const out = r.stdout + r.stderr;
    expect(out).toContain('SUCCESS: 1 rule files found');
    expect(out).toMatch(/logsieve\.rules\.yml\s+SUCCESS: \d+ rules found/);
    expect(r.status, out).toBe(0);
  });
});
