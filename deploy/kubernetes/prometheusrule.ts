import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parse, stringify } from 'yaml';

/*
 * The PrometheusRule for the Prometheus operator is generated from
 * alertmanager-config/rules/logsieve.rules.yml so the two cannot drift:
 *   npx tsx deploy/kubernetes/prometheusrule.ts
 * rewrites deploy/kubernetes/base/prometheusrule.yaml, and kubernetes.test.ts fails when the
 * committed file differs from what this would write.
 */

const here = dirname(fileURLToPath(import.meta.url));
export const rulesFile = resolve(here, '../../alertmanager-config/rules/logsieve.rules.yml');
export const prometheusRuleFile = resolve(here, 'base/prometheusrule.yaml');

const HEADER =
  '# Generated from alertmanager-config/rules/logsieve.rules.yml by\n' +
  '# `npx tsx deploy/kubernetes/prometheusrule.ts`; edit the rules file, not this one.\n';

export function prometheusRuleYaml(rulesYaml: string): string {
  const rules = parse(rulesYaml) as { groups: unknown[] };
  const resource = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'logsieve',
      labels: { 'app.kubernetes.io/name': 'logsieve', release: 'prometheus' },
    },
    spec: { groups: rules.groups },
  };
  return HEADER + stringify(resource, { lineWidth: 0 });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(prometheusRuleFile, prometheusRuleYaml(readFileSync(rulesFile, 'utf8')));
  console.log(`wrote ${prometheusRuleFile}`);
}
