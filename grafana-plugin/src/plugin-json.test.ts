// Validates src/plugin.json, the source of dist/plugin.json (src/dist.test.ts checks the built copy).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PAGES, PLUGIN_ID } from './constants';

const root = path.resolve(import.meta.dirname, '..');
const file = path.join(root, 'src/plugin.json');
const plugin = JSON.parse(readFileSync(file, 'utf8'));

describe(`plugin.json (${path.relative(root, file)})`, () => {
  it('is an app with the logsieve id and a Grafana dependency', () => {
    expect(plugin.type).toBe('app');
    expect(plugin.id).toBe(PLUGIN_ID);
    expect(plugin.name).toBe('logsieve');
    expect(plugin.dependencies.grafanaDependency).toBe('>=11.0.0');
    expect(existsSync(path.join(root, 'src', plugin.info.logos.small))).toBe(true);
  });

  it('has a nav page for every app page, one default, and the config page', () => {
    const pages = plugin.includes.filter((i: { type: string }) => i.type === 'page');
    for (const p of PAGES)
      expect(pages).toContainEqual(
        expect.objectContaining({ name: p.title, path: `/a/${PLUGIN_ID}/${p.id}`, addToNav: true }),
      );
    expect(pages.filter((p: { defaultNav?: boolean }) => p.defaultNav)).toHaveLength(1);
    expect(pages).toContainEqual(expect.objectContaining({ path: `/plugins/${PLUGIN_ID}`, role: 'Admin' }));
  });

  it('bundles the dashboard it includes', () => {
    const dash = plugin.includes.find((i: { type: string }) => i.type === 'dashboard');
    expect(JSON.parse(readFileSync(path.join(root, 'src', dash.path), 'utf8')).uid).toBe('logsieve-overview');
  });

  it('proxies every /api/v1 method to the configured URL with the secret key, most specific route first', () => {
    const routes: Array<{
      path: string;
      method: string;
      url: string;
      reqRole: string;
      headers: { name: string; content: string }[];
    }> = plugin.routes;
    for (const r of routes) {
      expect(r.url).toBe(`{{ .JsonData.logsieveUrl }}/${r.path}`);
      expect(r.headers).toEqual([{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiKey }}' }]);
    }
    for (const m of ['GET', 'POST', 'PUT', 'DELETE'])
      expect(routes.some((r) => r.path === 'api/v1' && r.method === m)).toBe(true);
    // A route must not be shadowed by an earlier, shorter one with the same method.
    routes.forEach((r, i) =>
      routes
        .slice(0, i)
        .forEach((e) => expect(e.method === r.method && r.path.startsWith(e.path)).toBe(false)),
    );
    expect(routes.find((r) => r.path === 'api/v1/models')?.reqRole).toBe('Admin');
    expect(JSON.stringify(plugin)).not.toMatch(/apiKey"\s*:/);
  });
});
