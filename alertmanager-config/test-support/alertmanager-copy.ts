import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { alertmanagerFile, templatesDir } from './repo-paths';

const SECRETS_DIR = '/etc/alertmanager/secrets/';
const TEMPLATES_DIR = '/etc/alertmanager/templates';

export interface CopyOptions {
  /** Secret files to write into dir/secrets (name -> content); the config's paths follow. */
  secrets?: Record<string, string>;
  /** Replaces every webhook receiver URL. */
  webhookUrl?: string;
  /** Replaces the PagerDuty API URL (its default is PagerDuty's public endpoint). */
  pagerdutyUrl?: string;
  /** Root route timings; nested routes lose their own so the root's apply everywhere. */
  timings?: { group_wait: string; group_interval: string; repeat_interval: string };
}

type Tree = Record<string, unknown>;

/**
 * Writes alertmanager.yml into dir with the paths that only exist in a container
 * (/etc/alertmanager/...) pointed at the repository's templates and the test's secrets, and
 * returns the copy's path. Routes, matchers, inhibitions and receivers stay as they are.
 */
export function writeAlertmanagerCopy(dir: string, options: CopyOptions = {}): string {
  const config = parse(readFileSync(alertmanagerFile, 'utf8')) as Tree;
  config['templates'] = (config['templates'] as string[]).map((t) => t.replace(TEMPLATES_DIR, templatesDir));

  const secretsDir = join(dir, 'secrets');
  mkdirSync(secretsDir, { recursive: true });
  for (const [name, content] of Object.entries(options.secrets ?? {}))
    writeFileSync(join(secretsDir, name), content);

  for (const receiver of config['receivers'] as Tree[]) {
    for (const [key, list] of Object.entries(receiver)) {
      if (!Array.isArray(list)) continue;
      for (const c of list as Tree[]) {
        for (const [k, v] of Object.entries(c)) {
          if (k.endsWith('_file') && typeof v === 'string') c[k] = v.replace(SECRETS_DIR, `${secretsDir}/`);
        }
        if (key === 'webhook_configs' && options.webhookUrl) c['url'] = options.webhookUrl;
        if (key === 'pagerduty_configs' && options.pagerdutyUrl) c['url'] = options.pagerdutyUrl;
      }
    }
  }
  if (options.timings) {
    const strip = (route: Tree): void => {
      delete route['group_wait'];
      delete route['group_interval'];
      delete route['repeat_interval'];
      for (const child of (route['routes'] as Tree[] | undefined) ?? []) strip(child);
    };
    const route = config['route'] as Tree;
    strip(route);
    Object.assign(route, options.timings);
  }
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, stringify(config));
  return file;
}
