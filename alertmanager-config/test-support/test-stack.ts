import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeAlertmanagerCopy } from './alertmanager-copy';
import { freePort, start, waitFor, type Running } from './processes';
import { writePrometheusCopy } from './prometheus-copy';
import { allRules, readRules } from './rules';

/*
 * Debian's prometheus and prometheus-alertmanager on loopback, configured from copies of the
 * repository's files. The copies change only what a test cannot wait for or reach:
 * - scrape and evaluation every second, and `for:` of 0s (promtool's unit tests cover `for:`),
 *   so an alert fires within seconds instead of minutes;
 * - group_wait/group_interval of 1s instead of 30s/5m, for the same reason;
 * - targets, secrets and receiver URLs pointing at the test's own servers and files (Prometheus
 *   scrapes with the repository's placeholder key, provisioning/prometheus/secrets.example).
 * Routes, matchers, inhibitions, templates and the rule expressions are the repository's.
 */

export interface StackOptions {
  dir: string;
  prometheus: string;
  alertmanager: string;
  /** host:port Prometheus scrapes as job "logsieve". */
  logsieveTarget: string;
  /** Base URL of the notification sink; receivers post to /pager, /chat and /ticket. */
  sinkUrl: string;
}

export interface Stack {
  alertmanagerUrl: string;
  prometheusUrl: string;
  processes: Running[];
  stop(): Promise<void>;
}

export const PAGERDUTY_TEST_KEY = 'test-routing-key';

/** Prometheus on 127.0.0.1:port with its data under dir/prom-data; wait for /-/ready before use. */
export function startPrometheus(binary: string, dir: string, config: string, port: number): Running {
  mkdirSync(join(dir, 'prom-data'));
  return start('prometheus', binary, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'prom-data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
  ]);
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const [amPort, promPort] = [await freePort(), await freePort()];
  const amConfig = writeAlertmanagerCopy(o.dir, {
    secrets: { pagerduty_routing_key: PAGERDUTY_TEST_KEY, slack_webhook_url: `${o.sinkUrl}/chat` },
    pagerdutyUrl: `${o.sinkUrl}/pager`,
    webhookUrl: `${o.sinkUrl}/ticket`,
    timings: { group_wait: '1s', group_interval: '1s', repeat_interval: '1h' },
  });
  const rules = readRules();
  for (const r of allRules(rules)) if (r.for) r.for = '0s';
  const rulesCopy = join(o.dir, 'logsieve.rules.yml');
  writeFileSync(rulesCopy, stringify(rules));

  const promConfig = writePrometheusCopy(o.dir, {
    logsieveTarget: o.logsieveTarget,
    alertmanagerTarget: `127.0.0.1:${amPort}`,
    ruleFiles: [rulesCopy],
    interval: '1s',
  });
  mkdirSync(join(o.dir, 'am-data'));

  const am = start('alertmanager', o.alertmanager, [
    `--config.file=${amConfig}`,
    `--storage.path=${join(o.dir, 'am-data')}`,
    `--web.listen-address=127.0.0.1:${amPort}`,
    '--cluster.listen-address=',
  ]);
  const pr = startPrometheus(o.prometheus, o.dir, promConfig, promPort);
  const stack: Stack = {
    alertmanagerUrl: `http://127.0.0.1:${amPort}`,
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    processes: [am, pr],
    stop: async () => {
      await Promise.all([am.stop(), pr.stop()]);
    },
  };
  try {
    for (const url of [`${stack.alertmanagerUrl}/-/ready`, `${stack.prometheusUrl}/-/ready`]) {
      await waitFor(url, async () => ((await fetch(url)).ok ? true : undefined), 30_000, stack.processes);
    }
  } catch (err) {
    await stack.stop();
    throw err;
  }
  return stack;
}
