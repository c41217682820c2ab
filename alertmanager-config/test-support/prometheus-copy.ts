import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { prometheusFile, prometheusSecretsExample } from './repo-paths';

const SECRETS_DIR = '/etc/prometheus/secrets/';

export interface PrometheusCopyOptions {
  /** Folder standing in for /etc/prometheus/secrets; the repository's placeholders by default. */
  secretsDir?: string;
  /** Keeps only job "logsieve", scraping this host:port (the other jobs name compose hosts). */
  logsieveTarget?: string;
  /** host:port of Alertmanager. */
  alertmanagerTarget?: string;
  /** Replaces rule_files, which otherwise resolve against provisioning/prometheus as Prometheus would. */
  ruleFiles?: string[];
  /** Scrape and evaluation interval. */
  interval?: string;
}

type Tree = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Writes prometheus.yml into dir with the paths that only exist in the compose container
 * (/etc/prometheus/secrets, rule_files relative to /etc/prometheus) pointed at real files, and
 * returns the copy's path. Jobs, their authorization and the rule files' content stay as they are.
 */
export function writePrometheusCopy(dir: string, o: PrometheusCopyOptions = {}): string {
  const config = parse(readFileSync(prometheusFile, 'utf8')) as Tree;
  const secretsDir = o.secretsDir ?? prometheusSecretsExample;
  config['rule_files'] =
    o.ruleFiles ?? (config['rule_files'] as string[]).map((f) => resolve(dirname(prometheusFile), f));
  for (const job of config['scrape_configs'] as Tree[]) {
    const auth = job['authorization'];
    if (typeof auth?.credentials_file === 'string')
      auth.credentials_file = auth.credentials_file.replace(SECRETS_DIR, `${secretsDir}/`);
  }
  if (o.interval) config['global'] = { scrape_interval: o.interval, evaluation_interval: o.interval };
  if (o.alertmanagerTarget)
    config['alerting'].alertmanagers[0].static_configs[0].targets = [o.alertmanagerTarget];
  if (o.logsieveTarget)
    config['scrape_configs'] = (config['scrape_configs'] as Tree[])
      .filter((j) => j['job_name'] === 'logsieve')
      .map((j) => ({ ...j, static_configs: [{ targets: [o.logsieveTarget] }] }));
  const file = join(dir, 'prometheus.yml');
  writeFileSync(file, stringify(config));
  return file;
}
