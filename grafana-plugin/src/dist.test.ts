// Builds dist/ as `npm run build` does and checks what Grafana loads from it.
import { AppPlugin } from '@grafana/data';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const dist = (f: string) => path.join(root, 'dist', f);

// What Grafana's SystemJS loader shares with plugins; anything else must be bundled.
const SHARED = [
  'react',
  'react-dom',
  'react/jsx-runtime',
  'rxjs',
  '@emotion/css',
  '@grafana/data',
  '@grafana/ui',
  '@grafana/runtime',
];

describe('dist/', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'pipe' });
  });

  it('holds module.js, plugin.json, the logo, the dashboard and the README', () => {
    for (const f of [
      'module.js',
      'plugin.json',
      'img/logo.svg',
      'dashboards/logsieve-overview.json',
      'README.md',
    ])
      expect(existsSync(dist(f)), f).toBe(true);
  });

  it('has a plugin.json Grafana accepts, with the package version filled in', () => {
    const plugin = JSON.parse(readFileSync(dist('plugin.json'), 'utf8'));
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(plugin).toMatchObject({
      type: 'app',
      id: 'logsieve-anomaly-app',
      dependencies: { grafanaDependency: '>=11.0.0' },
    });
    expect(plugin.info.version).toBe(pkg.version);
    expect(plugin.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(plugin.includes.length).toBeGreaterThanOrEqual(7);
    expect(plugin.routes.length).toBeGreaterThan(0);
  });

  it('module.js is an AMD module that depends only on shared packages and exports an AppPlugin', async () => {
    const registry: Record<string, unknown> = {
      react: await import('react'),
      'react-dom': await import('react-dom'),
      'react/jsx-runtime': await import('react/jsx-runtime'),
      rxjs: await import('rxjs'),
      '@emotion/css': await import('@emotion/css'),
      '@grafana/data': await import('@grafana/data'),
      '@grafana/ui': await import('@grafana/ui'),
      '@grafana/runtime': await import('@grafana/runtime'),
    };
    let deps: string[] = [];
    const exports: Record<string, unknown> = {};
    const define = (d: string[], factory: (...m: unknown[]) => void) => {
      deps = d;
      factory(
        ...d.map((name) => (name === 'exports' ? exports : name === 'require' ? () => {} : registry[name])),
      );
    };
    new Function('define', readFileSync(dist('module.js'), 'utf8'))(define);
    expect(deps.filter((d) => d !== 'exports' && d !== 'require').every((d) => SHARED.includes(d))).toBe(
      true,
    );
    expect(deps).toContain('@grafana/data');
    const plugin = exports.plugin as AppPlugin;
    expect(plugin).toBeInstanceOf(AppPlugin);
    expect(plugin.root).toBeTypeOf('function');
    expect(plugin.configPages?.map((p) => p.id)).toEqual(['configuration']);
  });
});
