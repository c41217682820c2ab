import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { requireBinary } from '../alertmanager-config/test-support/binaries';
import { repoRoot } from '../alertmanager-config/test-support/repo-paths';

const composeFile = resolve(repoRoot, 'docker-compose.yml');
const dockerCompose = requireBinary('docker-compose');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

describe('docker-compose.yml', () => {
  it('runs the whole stack', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'alertmanager',
        'grafana',
        'kafka',
        'loggen',
        'logsieve',
        'otel-collector',
        'postgres',
        'prometheus',
        'redis',
      ].sort(),
    );
  });

  it('pins every image to an explicit tag (no latest, no bare names)', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      expect(s.image!.split(':')[1], name).not.toMatch(/^(latest|main|master|stable)$/);
    }
  });

  it('builds logsieve from the repository with its Dockerfile', () => {
    const build = services['logsieve']!.build!;
    expect(build.context).toBe('.');
    const dockerfile = readFileSync(resolve(repoRoot, build.dockerfile), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:20\.\d+\.\d+-[\w-]+$/m);
    expect(dockerfile).toContain('npm ci');
    expect(dockerfile).toMatch(/"logsieve"[\s\S]*"serve", "--config", "\/etc\/logsieve\/config\.yaml"/);
  });

  it('waits for healthy dependencies, each of which has a health check', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(services).toHaveProperty([dep]);
        if (condition === 'service_healthy')
          expect(services[dep]!.healthcheck, `${name} -> ${dep}`).toBeDefined();
        else expect(condition, `${name} -> ${dep}`).toBe('service_started');
      }
    }
    expect(services['logsieve']!.depends_on).toMatchObject({
      kafka: { condition: 'service_healthy' },
      postgres: { condition: 'service_healthy' },
      redis: { condition: 'service_healthy' },
    });
  });

  it('mounts only files and folders that exist in the repository', () => {
    for (const s of Object.values(services)) {
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!.replace(/^\$\{[A-Z_]+:-(.*)\}$/, '$1');
        // grafana-plugin/dist is a build output (npm run build -w grafana-plugin), not a source.
        if (source.startsWith('.') && source !== './grafana-plugin/dist')
          expect(existsSync(resolve(repoRoot, source)), source).toBe(true);
      }
    }
  });

  it('mounts the Grafana plugin, provisioning and allows the unsigned app', () => {
    const grafana = services['grafana'] as Service & { environment: Record<string, string> };
    expect(grafana.environment['GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS']).toBe('logsieve-anomaly-app');
    expect(grafana.volumes).toContain(
      './grafana-plugin/dist:/var/lib/grafana/plugins/logsieve-anomaly-app:ro',
    );
    for (const d of ['datasources', 'plugins', 'dashboards']) {
      expect(grafana.volumes).toContain(`./provisioning/grafana/${d}:/etc/grafana/provisioning/${d}:ro`);
    }
  });

  it.skipIf(!dockerCompose)('passes docker-compose config -q', () => {
    const r = spawnSync(dockerCompose!, ['-f', composeFile, 'config', '-q'], {
      cwd: repoRoot,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
