import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const alertmanagerDir = resolve(repoRoot, 'alertmanager-config');
export const rulesFile = resolve(alertmanagerDir, 'rules/logsieve.rules.yml');
export const alertmanagerFile = resolve(alertmanagerDir, 'alertmanager.yml');
export const templatesDir = resolve(alertmanagerDir, 'templates');
export const prometheusFile = resolve(repoRoot, 'provisioning/prometheus/prometheus.yml');
/** The placeholder secrets docker-compose mounts at /etc/prometheus/secrets by default. */
export const prometheusSecretsExample = resolve(repoRoot, 'provisioning/prometheus/secrets.example');
export const metricsDoc = resolve(repoRoot, 'docs/metrics.md');
