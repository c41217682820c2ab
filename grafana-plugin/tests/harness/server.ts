// The part of Grafana's server the app talks to, for the browser harness: it serves the harness
// page, the app's settings, the plugin proxy (driven by src/plugin.json's `routes`, so the routes
// themselves are exercised) and /api/ds/query for a Prometheus data source.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PLUGIN_ID, SETTINGS_URL } from '../../src/constants';

interface Route {
  path: string;
  method: string;
  url: string;
  headers?: { name: string; content: string }[];
}

export interface HarnessServerOptions {
  /** Folder with index.html, harness.js, harness.css (scripts/build-harness.mjs). */
  staticDir: string;
  logsieveUrl: string;
  apiKey: string;
  /** Base URL of a Prometheus HTTP API (…/api/v1/query_range is appended). */
  prometheusUrl: string;
}

const here = path.dirname(new URL(import.meta.url).pathname);
const ICONS_URL = '/public/build/img/icons/';
// @grafana/ui ships the icons Grafana serves under public/build/img/icons.
const iconsDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('@grafana/ui/package.json')),
  'dist/public/img/icons',
);

function interpolate(template: string, o: HarnessServerOptions): string {
  return template
    .replaceAll('{{ .JsonData.logsieveUrl }}', o.logsieveUrl)
    .replaceAll('{{ .SecureJsonData.apiKey }}', o.apiKey);
}

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

function json(res: ServerResponse, status: number, data: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(data));
}

/** Like Grafana's plugin proxy: first route whose method and path prefix match. */
async function proxy(
  routes: Route[],
  proxyPath: string,
  search: string,
  req: IncomingMessage,
  res: ServerResponse,
  o: HarnessServerOptions,
) {
  const method = req.method ?? 'GET';
  const route = routes.find(
    (r) => (!r.method || r.method === '*' || r.method === method) && proxyPath.startsWith(r.path),
  );
  if (!route) return json(res, 404, { message: 'Plugin route not found' });
  const target = interpolate(route.url, o) + proxyPath.slice(route.path.length) + search;
  const headers: Record<string, string> = {};
  if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
  for (const h of route.headers ?? []) headers[h.name] = interpolate(h.content, o);
  try {
    const up = await fetch(target, {
      method,
      headers,
      body: method === 'GET' || method === 'DELETE' ? undefined : new Uint8Array(await body(req)),
    });
    res.writeHead(up.status, { 'Content-Type': up.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await up.arrayBuffer()));
  } catch {
    json(res, 502, { message: 'Bad Gateway' });
  }
}

interface PromMatrix {
  status: string;
  data?: {
    resultType: string;
    result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;
  };
  error?: string;
}

/** /api/ds/query for one Prometheus range query, answered in Grafana's data-frame JSON. */
async function dsQuery(req: IncomingMessage, res: ServerResponse, o: HarnessServerOptions) {
  const q = JSON.parse((await body(req)).toString()) as {
    from: string;
    to: string;
    queries: Array<{ refId: string; expr: string; intervalMs: number }>;
  };
  const results: Record<string, unknown> = {};
  for (const query of q.queries) {
    const params = new URLSearchParams({
      query: query.expr,
      start: String(Number(q.from) / 1000),
      end: String(Number(q.to) / 1000),
      step: String(Math.max(1, Math.round(query.intervalMs / 1000))),
    });
    try {
      const r = (await (await fetch(`${o.prometheusUrl}/api/v1/query_range?${params}`)).json()) as PromMatrix;
      if (r.status !== 'success') {
        results[query.refId] = { status: 400, error: r.error ?? 'query failed' };
        continue;
      }
      results[query.refId] = {
        status: 200,
        frames: (r.data?.result ?? []).map((s) => ({
          schema: {
            fields: [
              { name: 'Time', type: 'time' },
              { name: 'Value', type: 'number', labels: s.metric },
            ],
          },
          data: { values: [s.values.map((v) => v[0] * 1000), s.values.map((v) => Number(v[1]))] },
        })),
      };
    } catch (err) {
      results[query.refId] = { status: 502, error: `Prometheus unreachable: ${String(err)}` };
    }
  }
  json(res, 200, { results });
}

export async function startHarnessServer(o: HarnessServerOptions): Promise<{ url: string; server: Server }> {
  const plugin = JSON.parse(await readFile(path.join(here, '../../src/plugin.json'), 'utf8')) as {
    routes: Route[];
  };
  const proxyPrefix = `/api/plugin-proxy/${PLUGIN_ID}/`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://harness');
    const p = url.pathname;
    // Read before writing the head, so a missing file can still answer 404.
    const send = async (file: string, type: string) => {
      const data = await readFile(file);
      res.writeHead(200, { 'Content-Type': type });
      res.end(data);
    };
    const serve = (file: string, type: string) => send(path.join(o.staticDir, file), type);
    const handle = async () => {
      if (p === '/harness.js') return serve('harness.js', 'text/javascript');
      if (p === '/harness.css') return serve('harness.css', 'text/css');
      if (p.startsWith(ICONS_URL) && !p.includes('..'))
        return send(path.join(iconsDir, p.slice(ICONS_URL.length)), 'image/svg+xml');
      if (p === SETTINGS_URL && req.method === 'GET')
        return json(res, 200, {
          jsonData: { logsieveUrl: o.logsieveUrl, prometheusUid: 'prometheus' },
          secureJsonFields: { apiKey: true },
        });
      if (p === SETTINGS_URL && req.method === 'POST')
        return json(res, 200, { message: 'Plugin settings updated' });
      if (p.startsWith(proxyPrefix))
        return proxy(plugin.routes, p.slice(proxyPrefix.length), url.search, req, res, o);
      if (p === '/api/ds/query' && req.method === 'POST') return dsQuery(req, res, o);
      if (p.startsWith('/a/') || p.startsWith('/plugins/') || p === '/')
        return serve('index.html', 'text/html');
      json(res, 404, { message: `harness: no route ${p}` });
    };
    handle().catch((err: NodeJS.ErrnoException) =>
      json(res, err.code === 'ENOENT' ? 404 : 500, { message: String(err) }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
