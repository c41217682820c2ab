import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { loadConfig, type Config } from '../../collector-processor/src/config/load-config';
import { repoRoot } from '../../alertmanager-config/test-support/repo-paths';

export const composeFile = resolve(repoRoot, 'docker-compose.yml');

export interface ResolvedService {
  environment?: Record<string, string>;
  /** `host:container[:mode]`, host paths absolute. */
  volumes?: string[];
  command?: string[];
}

/**
 * docker-compose.yml as `docker-compose config` resolves it with none of its variables set and no
 * .env: the stack a person gets from `docker compose up` without configuring anything.
 */
export function resolvedCompose(dockerCompose: string): Record<string, ResolvedService> {
  const dir = mkdtempSync(join(tmpdir(), 'logsieve-compose-'));
  try {
    const envFile = join(dir, 'empty.env');
    writeFileSync(envFile, '');
    const r = spawnSync(dockerCompose, ['--env-file', envFile, '-f', composeFile, 'config'], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { PATH: process.env['PATH'] ?? '' },
    });
    if (r.status !== 0) throw new Error(`docker-compose config failed: ${r.stderr}`);
    return (parse(r.stdout) as { services: Record<string, ResolvedService> }).services;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The host path behind a path inside a service's container, through its bind mounts. */
export function hostPath(service: ResolvedService, containerPath: string): string {
  for (const v of service.volumes ?? []) {
    const [source, target] = v.split(':') as [string, string];
    if (!source.startsWith('/')) continue; // named volumes
    if (containerPath === target) return source;
    if (containerPath.startsWith(`${target}/`)) return source + containerPath.slice(target.length);
  }
  throw new Error(`${containerPath} is not bind-mounted`);
}

/**
 * logsieve's configuration as the compose service gets it (its mounted config file and its
 * environment), with `env` on top for what a test must change (ports, storage, ...).
 */
export function composeLogsieveConfig(
  services: Record<string, ResolvedService>,
  env: Record<string, string> = {},
): Config {
  const logsieve = services['logsieve']!;
  return loadConfig({
    file: hostPath(logsieve, '/etc/logsieve/config.yaml'),
    env: { ...logsieve.environment, ...env },
  });
}

/** `${NAME}` (Grafana) and `${env:NAME}` (OpenTelemetry Collector) from a service's environment. */
export function expandEnv(text: string, service: ResolvedService): string {
  return text.replace(/\$\{(?:env:)?(\w+)\}/g, (_, name: string) => {
    const value = service.environment?.[name];
    if (value === undefined) throw new Error(`${name} is not in the service's environment`);
    return value;
  });
}
